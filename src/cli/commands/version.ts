import { readFileSync } from 'node:fs';
import type { CommandIO, ParsedArgs } from './command.js';

export function xpVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function run(_args: ParsedArgs, io: CommandIO): number {
  io.stdout.write(`xp v${xpVersion()}\n`);
  return 0;
}

import { readFileSync } from 'node:fs';
import type { Command } from '../command.js';

export function xpVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the version of xp',
  usage: 'xp version',
  flags: {},
  async run(_args, io) {
    io.stdout.write(`xp v${xpVersion()}\n`);
    return 0;
  },
};

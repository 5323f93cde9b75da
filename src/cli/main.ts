// The command line: argv → command → exit code. The only module (with src/cli/commands)
// that reads argv, the environment and process streams.
import './node-compat.js';
import { parseArgs } from 'node:util';
import { commands } from './commands/index.js';
import type { Command, CommandIO, FlagSpec, ParsedArgs } from './commands/command.js';
import { ExitCode, ExitError } from './commands/errors.js';
import { xpVersion } from './commands/version.js';

/** Flags every command accepts. */
const globalFlags: Record<string, FlagSpec> = {
  help: { type: 'boolean', short: 'h', description: 'Show help for the command' },
  'no-color': { type: 'boolean', description: 'Disable colours (NO_COLOR is honoured too)' },
};

/**
 * Terraform users type single-dash long flags (`-auto-approve`, `-out=plan.json`); accept them
 * as aliases of the GNU spelling. Short flags (`-h`) and negative numbers stay as they are.
 */
export function normaliseFlags(argv: string[], known: Set<string>): string[] {
  const out: string[] = [];
  let afterDoubleDash = false;
  for (const arg of argv) {
    if (afterDoubleDash) {
      out.push(arg);
      continue;
    }
    if (arg === '--') afterDoubleDash = true;
    const m = /^-([a-z][a-z0-9-]+)(=.*)?$/.exec(arg);
    if (m && known.has(m[1]!)) out.push(`--${m[1]}${m[2] ?? ''}`);
    else out.push(arg);
  }
  return out;
}

export function useColor(env: NodeJS.ProcessEnv, isTTY: boolean | undefined, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(isTTY) && env.TERM !== 'dumb';
}

function flagLines(flags: Record<string, FlagSpec>): string[] {
  return Object.entries(flags).map(([name, spec]) => {
    const value = spec.type === 'string' ? ` ${spec.placeholder ?? 'VALUE'}` : '';
    const short = spec.short ? `-${spec.short}, ` : '    ';
    return `  ${short}--${name}${value}`.padEnd(34) + spec.description;
  });
}

export function commandHelp(cmd: Command): string {
  const lines = [`Usage: ${cmd.usage}`, '', cmd.summary, ''];
  const own = flagLines(cmd.flags);
  if (own.length > 0) lines.push('Flags:', ...own, '');
  lines.push('Global flags:', ...flagLines(globalFlags));
  if (cmd.details) lines.push('', cmd.details.trimEnd());
  return lines.join('\n') + '\n';
}

export function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 4;
  return [
    `xp v${xpVersion()} — declarative provisioning for PostgreSQL`,
    '',
    'Usage: xp <command> [args] [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `xp <command> --help` for the flags of a command.',
    'Connection: --database-url, XP_DATABASE_URL, provider blocks or PG* variables;',
    'with none of them xp starts an embedded PostgreSQL under .xp/.',
    '',
  ].join('\n');
}

function defaultIO(): CommandIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    color: false,
  };
}

export async function main(argv: string[], ioIn: Partial<CommandIO> = {}): Promise<number> {
  const io: CommandIO = { ...defaultIO(), ...ioIn };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help' || name === '-help') {
    if (name === 'help' && rest[0]) return main([rest[0], '--help'], ioIn);
    io.stdout.write(mainHelp());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-version' || name === '-v') return main(['version'], ioIn);
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`Error: unknown command "${name}". Run \`xp --help\` for the list of commands.\n`);
    return ExitCode.usage;
  }
  const allFlags = { ...globalFlags, ...cmd.flags };
  let parsed;
  try {
    parsed = parseArgs({
      args: normaliseFlags(rest, new Set(Object.keys(allFlags))),
      options: Object.fromEntries(
        Object.entries(allFlags).map(([k, f]) => [
          k,
          {
            type: f.type,
            ...(f.short ? { short: f.short } : {}),
            ...(f.type === 'string' && f.multiple ? { multiple: true } : {}),
          },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.stderr.write(`Error: ${(err as Error).message.replace(/\. To specify.*$/s, '.')}\n`);
    io.stderr.write(`Run \`xp ${cmd.name} --help\` for usage.\n`);
    return ExitCode.usage;
  }
  if (parsed.values.help) {
    io.stdout.write(commandHelp(cmd));
    return ExitCode.ok;
  }
  io.color = ioIn.color ?? useColor(io.env, io.stdout.isTTY, Boolean(parsed.values['no-color']));
  try {
    const { run } = await cmd.load();
    return await run({ flags: parsed.values as ParsedArgs['flags'], positionals: parsed.positionals }, io);
  } catch (err) {
    if (err instanceof ExitError) {
      io.stderr.write(`Error: ${err.message}\n`);
      if (err.hint) io.stderr.write(`${err.hint}\n`);
      return err.exitCode;
    }
    io.stderr.write(
      `xp: internal error — this is a bug in xp, please report it with the output below.\n${(err as Error)?.stack ?? String(err)}\n`,
    );
    return ExitCode.error;
  }
}

// Loading the configuration a command works on: `[dir]`, `--var`, `--var-file` and
// `XP_VAR_*` from the command's environment. Every command that reads one uses loadAt
// (plan, apply, destroy and output through workspace.ts's readConfiguration).
import { relative, resolve } from 'node:path';
import { loadConfiguration, type LoadResult } from '../../config/load.js';
import type { Configuration } from '../../model/types.js';
import { formatDiagnostics } from '../../dsl/diagnostic-format.js';
import type { ResourceGraph } from '../../graph/index.js';
import type { CommandIO, ParsedArgs } from './command.js';
import { ExitCode, ExitError } from './errors.js';
import { list } from './flags.js';

/**
 * The one loader of every command that reads a configuration (validate, graph, plan, apply,
 * destroy, output): the directory's files, `--var`, `--var-file` and `XP_VAR_*`; diagnostics name
 * files relative to where the command runs (examples/x/main.xp:3:5). Diagnostics are left to
 * the caller.
 */
export function loadAt(io: CommandIO, dir: string, flags: ParsedArgs['flags']): Promise<LoadResult> {
  return loadConfiguration(dir, {
    displayDir: relative(io.cwd, dir) || '.',
    vars: list(flags['var']),
    varFiles: list(flags['var-file']).map((f) => resolve(io.cwd, f)),
    env: io.env,
  });
}

/** Loads the configuration named by a command's arguments (`[dir]`); diagnostics are left to the caller. */
export async function loadFromArgs(args: ParsedArgs, io: CommandIO): Promise<LoadResult & { dir: string }> {
  if (args.positionals.length > 1) {
    throw new ExitError(`expected at most one directory, got ${args.positionals.length}: ${args.positionals.join(' ')}`, ExitCode.usage);
  }
  const dir = resolve(io.cwd, args.positionals[0] ?? '.');
  return { ...(await loadAt(io, dir, args.flags)), dir };
}

/** Prints diagnostics (source line and caret) to stderr. */
export function printDiagnostics(result: LoadResult, io: CommandIO): void {
  if (result.diagnostics.length > 0) io.stderr.write(formatDiagnostics(result.diagnostics, result.sources, { color: io.color }));
}

/**
 * The configuration and its graph, for commands that go on: diagnostics are printed; errors
 * end the command (exit 1) before any connection is opened. `after` ends the error message
 * (plan and apply: "; nothing was changed").
 */
export function requireConfiguration(result: LoadResult, io: CommandIO, after = ''): { config: Configuration; graph: ResourceGraph; result: LoadResult } {
  printDiagnostics(result, io);
  if (!result.config || !result.graph) {
    const n = result.diagnostics.filter((d) => d.severity === 'error').length;
    throw new ExitError(`the configuration has ${n} error${n === 1 ? '' : 's'}${after}`, ExitCode.error);
  }
  return { config: result.config, graph: result.graph, result };
}

/** loadFromArgs, then requireConfiguration: graph. */
export async function loadForCommand(args: ParsedArgs, io: CommandIO): Promise<{ config: Configuration; graph: ResourceGraph; result: LoadResult }> {
  return requireConfiguration(await loadFromArgs(args, io), io);
}

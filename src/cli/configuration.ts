// Loading the configuration a command works on: `[dir]`, `--var`, `--var-file` and
// `XP_VAR_*` from the command's environment. validate, graph, plan and apply all use this.
import { relative, resolve } from 'node:path';
import { loadConfiguration, type LoadResult } from '../config/load.js';
import type { Configuration } from '../config/types.js';
import { formatDiagnostics } from '../dsl/index.js';
import type { ResourceGraph } from '../graph/index.js';
import type { CommandIO, ParsedArgs } from './command.js';
import { ExitCode, ExitError } from './errors.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);

/** Loads the configuration named by a command's arguments; diagnostics are left to the caller. */
export function loadFromArgs(args: ParsedArgs, io: CommandIO): LoadResult & { dir: string } {
  if (args.positionals.length > 1) {
    throw new ExitError(`expected at most one directory, got ${args.positionals.length}: ${args.positionals.join(' ')}`, ExitCode.usage);
  }
  const dir = resolve(io.cwd, args.positionals[0] ?? '.');
  const result = loadConfiguration(dir, {
    // diagnostics name files relative to where the command runs: examples/x/main.xp:3:5
    displayDir: relative(io.cwd, dir) || '.',
    vars: list(args.flags['var']),
    varFiles: list(args.flags['var-file']).map((f) => resolve(io.cwd, f)),
    env: io.env,
  });
  return { ...result, dir };
}

/** Prints diagnostics (source line and caret) to stderr. */
export function printDiagnostics(result: LoadResult, io: CommandIO): void {
  if (result.diagnostics.length > 0) io.stderr.write(formatDiagnostics(result.diagnostics, result.sources, { color: io.color }));
}

/**
 * The configuration and its graph, for commands that go on to plan or apply: diagnostics are
 * printed; errors end the command (exit 1) before any connection is opened.
 */
export function loadForCommand(args: ParsedArgs, io: CommandIO): { config: Configuration; graph: ResourceGraph; result: LoadResult } {
  const result = loadFromArgs(args, io);
  printDiagnostics(result, io);
  if (!result.config || !result.graph) {
    const n = result.diagnostics.filter((d) => d.severity === 'error').length;
    throw new ExitError(`the configuration has ${n} error${n === 1 ? '' : 's'}`, ExitCode.error);
  }
  return { config: result.config, graph: result.graph, result };
}

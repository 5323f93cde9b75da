// `xp graph [dir]`: the dependency graph of a configuration, as DOT or Mermaid.
import { toDot, toMermaid } from '../../graph/index.js';
import type { CommandIO, ParsedArgs } from './command.js';
import { loadForCommand } from './configuration.js';
import { ExitCode, ExitError } from './errors.js';

export async function run(args: ParsedArgs, io: CommandIO): Promise<number> {
  const format = (args.flags['format'] as string | undefined) ?? 'dot';
  if (format !== 'dot' && format !== 'mermaid') {
    throw new ExitError(`unknown format "${format}": expected dot or mermaid`, ExitCode.usage);
  }
  const { graph } = await loadForCommand(args, io);
  io.stdout.write(format === 'dot' ? toDot(graph) : toMermaid(graph));
  return ExitCode.ok;
}

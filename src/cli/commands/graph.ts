// `xp graph [dir]`: the dependency graph of a configuration, as DOT or Mermaid.
import { toDot, toMermaid } from '../../graph/index.js';
import type { Command } from '../command.js';
import { configurationFlags, loadForCommand } from '../configuration.js';
import { ExitCode, ExitError } from '../errors.js';

export const graphCommand: Command = {
  name: 'graph',
  summary: 'Print the dependency graph of a configuration (DOT or Mermaid)',
  usage: 'xp graph [dir] [flags]',
  flags: {
    ...configurationFlags,
    format: { type: 'string', placeholder: 'dot|mermaid', description: 'Output format (default: dot)' },
  },
  details: `An edge runs from a resource to each resource that depends on it.

Examples:
  xp graph | dot -Tsvg > graph.svg
  xp graph --format mermaid`,
  async run(args, io) {
    const format = (args.flags['format'] as string | undefined) ?? 'dot';
    if (format !== 'dot' && format !== 'mermaid') {
      throw new ExitError(`unknown format "${format}": expected dot or mermaid`, ExitCode.usage);
    }
    const { graph } = loadForCommand(args, io);
    io.stdout.write(format === 'dot' ? toDot(graph) : toMermaid(graph));
    return ExitCode.ok;
  },
};

import type { Command } from '../command.js';
import { runApply } from './apply.js';
import { applyFlags, connectionFlags, variableFlags } from './workspace.js';

export const destroyCommand: Command = {
  name: 'destroy',
  summary: 'Destroy everything the stack manages',
  usage: 'xp destroy [dir] [flags]',
  flags: {
    ...connectionFlags,
    ...variableFlags,
    target: { type: 'string', multiple: true, placeholder: 'ADDR', description: 'Only this resource and what depends on it (repeatable)' },
    'allow-data-loss': { type: 'boolean', description: 'Allow dropping databases and schemas that hold data' },
    ...applyFlags,
    json: { type: 'boolean', description: 'Progress as JSON lines' },
  },
  details: `Resources with lifecycle { prevent_destroy = true } stop the destroy; those with
deletion_policy = "orphan" are forgotten and left on the server. Exit codes as for apply.`,
  run: (args, io) => runApply('destroy', args, io),
};

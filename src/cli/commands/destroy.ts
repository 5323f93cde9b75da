import type { RunCommand } from './command.js';
import { runApply } from './apply.js';

export const run: RunCommand = (args, io) => runApply('destroy', args, io);

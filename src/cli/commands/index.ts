// The registry of commands, in the order `xp --help` lists them.
// Each command lives in its own module; add it here.
import type { Command } from '../command.js';
import { fmtCommand } from './fmt.js';
import { graphCommand } from './graph.js';
import { validateCommand } from './validate.js';
import { versionCommand } from './version.js';

export const commands: Command[] = [
  validateCommand,
  graphCommand,
  fmtCommand,
  versionCommand,
];

// The registry of commands, in the order `xp --help` lists them.
// Each command lives in its own module; add it here.
import type { Command } from '../command.js';
import { versionCommand } from './version.js';
import { statusCommand } from './status.js';
import { describeCommand } from './describe.js';
import { eventsCommand } from './events.js';

export const commands: Command[] = [
  statusCommand,
  describeCommand,
  eventsCommand,
  versionCommand,
];

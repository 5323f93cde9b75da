// The registry of commands, in the order `xp --help` lists them.
// Each command lives in its own module; add it here.
import type { Command } from '../command.js';
import { fmtCommand } from './fmt.js';
import { graphCommand } from './graph.js';
import { validateCommand } from './validate.js';
import { versionCommand } from './version.js';
import { initCommand } from './init.js';
import { planCommand } from './plan.js';
import { applyCommand } from './apply.js';
import { destroyCommand } from './destroy.js';
import { outputCommand } from './output.js';
import { serverCommand } from './server.js';
import { getCommand, statusCommand } from './status.js';
import { describeCommand } from './describe.js';
import { eventsCommand } from './events.js';
import { reconcileCommand } from './reconcile.js';

export const commands: Command[] = [
  initCommand,
  validateCommand,
  planCommand,
  applyCommand,
  destroyCommand,
  statusCommand,
  getCommand,
  describeCommand,
  eventsCommand,
  reconcileCommand,
  outputCommand,
  graphCommand,
  fmtCommand,
  serverCommand,
  versionCommand,
];

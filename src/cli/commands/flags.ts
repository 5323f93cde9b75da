// The flags that several commands share. Plain data: the command registry
// (src/cli/commands/index.ts) reads them for parsing and --help without loading any command.
import type { FlagSpec, ParsedArgs } from './command.js';

/** A flag's values as a list (absent: none; given once: one). */
export const list = (v: ParsedArgs['flags'][string]): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []);

/** A flag's value when it is a string. */
export const str = (v: ParsedArgs['flags'][string]): string | undefined => (typeof v === 'string' ? v : undefined);

/** The flags of every command that reads a configuration without connecting (validate, graph). */
export const configurationFlags: Record<string, FlagSpec> = {
  var: { type: 'string', multiple: true, placeholder: 'NAME=VALUE', description: 'Set a variable (repeatable)' },
  'var-file': { type: 'string', multiple: true, placeholder: 'FILE', description: 'Read variables from a file (name = value lines, or .json)' },
};

export const connectionFlags: Record<string, FlagSpec> = {
  'database-url': {
    type: 'string',
    placeholder: 'URL',
    description: 'PostgreSQL to manage (else XP_DATABASE_URL, provider blocks, PG* variables, or the embedded server)',
  },
  'remote-lock-timeout': {
    type: 'string',
    placeholder: 'DURATION',
    description: 'How long a statement the provider runs (through dblink) may wait for a lock before it fails, naming the bound (default 1m)',
  },
  'remote-statement-timeout': {
    type: 'string',
    placeholder: 'DURATION',
    description: 'How long a statement the provider runs (through dblink) may run before it is cancelled (default 30m)',
  },
};

export const variableFlags: Record<string, FlagSpec> = {
  var: { type: 'string', multiple: true, placeholder: 'NAME=VALUE', description: 'Set a variable (repeatable)' },
  'var-file': { type: 'string', multiple: true, placeholder: 'FILE', description: 'Read variables from a file (repeatable)' },
};

export const planFlags: Record<string, FlagSpec> = {
  target: { type: 'string', multiple: true, placeholder: 'ADDR', description: 'Only this resource and what it depends on (repeatable)' },
  replace: { type: 'string', multiple: true, placeholder: 'ADDR', description: 'Re-create this resource (a service account: rotate its password)' },
  'allow-data-loss': { type: 'boolean', description: 'Allow dropping databases and schemas that hold data' },
};

export const applyFlags: Record<string, FlagSpec> = {
  'auto-approve': { type: 'boolean', description: 'Do not ask for confirmation' },
  parallelism: { type: 'string', placeholder: 'N', description: 'How many connections change resources at once, each a batch of independent resources at a time (default 1: xp\'s own connection)' },
  'lock-timeout': { type: 'string', placeholder: 'DURATION', description: 'How long to wait for the stack lock (default 0s: fail at once)' },
};

/** The flags of the commands that read the provider's state: status, events, reconcile, describe. */
export const stackFlags: Record<string, FlagSpec> = {
  stack: { type: 'string', description: 'The stack to show (default: the configuration directory’s)', placeholder: 'NAME' },
  'all-stacks': { type: 'boolean', short: 'A', description: 'Every stack' },
};

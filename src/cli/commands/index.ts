// The registry of commands, in the order `xp --help` lists them: the metadata that parsing and
// --help need, and a loader for each command's module (src/cli/commands/<name>.ts exports
// `run`). Nothing here imports a command's code, so `xp version` or `xp plan --help` loads
// neither the parser nor pg nor Ink. Add a command here and in its own module.
import type { Command } from './command.js';
import { applyFlags, configurationFlags, connectionFlags, planFlags, stackFlags, variableFlags } from './flags.js';

const init: Command = {
  name: 'init',
  summary: 'Install or upgrade the xplane provider in the control database',
  usage: 'xp init [flags]',
  flags: {
    ...connectionFlags,
    'reconcile-every': {
      type: 'string',
      placeholder: 'DURATION',
      description: 'Also schedule xplane.reconcile_all() with pg_cron (30s, 5m, 1h or a cron expression)',
    },
  },
  details: `plan and apply install the provider themselves when it is missing or older; init does it
explicitly and can schedule the in-database reconcile loop. Exit codes: 0 done, 1 error
(including --reconcile-every on a server without pg_cron: the provider is installed, the loop is not).`,
  load: () => import('./init.js'),
};

const validate: Command = {
  name: 'validate',
  summary: 'Check a configuration (syntax, references, types, cycles) without a database',
  usage: 'xp validate [dir] [flags]',
  flags: {
    ...configurationFlags,
    json: { type: 'boolean', description: 'Print the result as JSON' },
  },
  details: `Exit codes: 0 valid, 1 errors found, 2 bad usage.

Examples:
  xp validate
  xp validate examples/multi-tenant-saas --var 'tenants=["acme","globex"]'`,
  load: () => import('./validate.js'),
};

const plan: Command = {
  name: 'plan',
  summary: 'Show what apply would change',
  usage: 'xp plan [dir] [flags]',
  flags: {
    ...connectionFlags,
    ...variableFlags,
    ...planFlags,
    destroy: { type: 'boolean', description: 'Plan the destruction of everything the stack manages' },
    out: { type: 'string', placeholder: 'FILE', description: 'Save the plan, to apply it later with `xp apply FILE`' },
    json: { type: 'boolean', description: 'Print the plan as JSON' },
    'detailed-exitcode': { type: 'boolean', description: 'Exit 0: no changes, 2: changes, 1: error' },
  },
  details: `Exit codes: 0 success (with --detailed-exitcode: no changes), 2 changes (--detailed-exitcode only),
1 error, including a plan that cannot be applied (prevent_destroy, data loss, immutable attribute).`,
  load: () => import('./plan.js'),
};

const apply: Command = {
  name: 'apply',
  summary: 'Change the server to match the configuration (or apply a saved plan)',
  usage: 'xp apply [dir | planfile [dir]] [flags]',
  flags: { ...connectionFlags, ...variableFlags, ...planFlags, ...applyFlags, json: { type: 'boolean', description: 'Progress as JSON lines' } },
  details: `Exit codes: 0 applied (or nothing to do), 1 error (a resource failed, the plan was refused,
the lock is held, the saved plan is stale), 130 interrupted (Ctrl-C: the operations in flight
finished, nothing new started; run apply again to converge).`,
  load: () => import('./apply.js'),
};

const destroy: Command = {
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
  load: () => import('./destroy.js'),
};

const status: Command = {
  name: 'status',
  summary: 'Show the stack’s managed resources: Synced, Ready, age, reason (kubectl get)',
  usage: 'xp status [dir] [flags]',
  flags: {
    ...stackFlags,
    watch: { type: 'boolean', short: 'w', description: 'Follow changes live (LISTEN/NOTIFY) until Ctrl-C' },
    json: { type: 'boolean', description: 'JSON: an array of resources (with --watch: one {type, resource} object per change)' },
    ...connectionFlags,
  },
  details: `Columns: NAME (the address), KIND, DATABASE, SYNCED (the last reconcile ran without error),
READY (the object exists as specified), AGE, REASON (why not, when something is not True).

Examples:
  xp status                      the stack of the configuration in this directory
  xp status -A --watch           every stack, live
  xp status --json | jq '.[] | select(.ready != "True")'`,
  load: () => import('./status.js'),
};

const describe: Command = {
  name: 'describe',
  summary: 'Show one resource in detail: spec, observed state, conditions, events (kubectl describe)',
  usage: 'xp describe ADDR [flags]',
  flags: {
    database: { type: 'string', description: 'The database of a per-database resource, when its name exists in several', placeholder: 'NAME' },
    stack: stackFlags.stack!,
    events: { type: 'string', description: 'How many recent events to show (default 20)', placeholder: 'N' },
    json: { type: 'boolean', description: 'JSON: {resource, conditions, events}' },
    ...connectionFlags,
  },
  details: `ADDR is the resource's address as \`xp status\` shows it: schema.api, role.app-owner,
role["my role"], or kubectl's Schema/api. It is looked up in every stack unless --stack
narrows it; an address the configuration no longer declares, recorded in several stacks, is the
one of this directory's stack (refused without it among them: pick one with --stack); a name
that exists in several databases describes each (or pick one with --database).`,
  load: () => import('./describe.js'),
};

const events: Command = {
  name: 'events',
  summary: 'Show the provider’s events, filterable by resource and type; --follow streams them',
  usage: 'xp events [dir] [flags]',
  flags: {
    follow: { type: 'boolean', short: 'f', description: 'Keep printing new events until Ctrl-C' },
    resource: { type: 'string', description: 'Only the events of this resource (an address: schema.api)', placeholder: 'ADDR' },
    type: { type: 'string', description: 'Only Normal or only Warning events', placeholder: 'Normal|Warning' },
    limit: { type: 'string', description: 'How many of the newest events to show first (default 50)', placeholder: 'N' },
    ...stackFlags,
    json: { type: 'boolean', description: 'One JSON object per event' },
    ...connectionFlags,
  },
  load: () => import('./events.js'),
};

const reconcile: Command = {
  name: 'reconcile',
  summary: 'Reconcile the due resources now (xplane.reconcile_all), or every N seconds with --watch',
  usage: 'xp reconcile [dir] [flags]',
  flags: {
    ...stackFlags,
    watch: { type: 'boolean', short: 'w', description: 'Keep reconciling every --every, with the live status, until Ctrl-C' },
    every: { type: 'string', description: 'How often with --watch (default 30s)', placeholder: 'DURATION' },
    json: { type: 'boolean', description: 'JSON: {"reconciled": N} per pass (with --watch, status changes too)' },
    ...connectionFlags,
  },
  details: `Only resources that are due (next_reconcile_at passed: drift checks, retries with backoff) are
reconciled; a pass changes nothing when all is in order. pg_cron does the same inside the
server: xp init --reconcile-every 30s.`,
  load: () => import('./reconcile.js'),
};

const output: Command = {
  name: 'output',
  summary: 'Print the outputs (sensitive ones only on request)',
  usage: 'xp output [dir] [NAME] [flags]',
  flags: {
    // Accepted for symmetry with plan/apply: outputs are evaluated from the configuration.
    ...connectionFlags,
    ...variableFlags,
    json: { type: 'boolean', description: 'All outputs as JSON, sensitive values and connection secrets included' },
    raw: { type: 'string', placeholder: 'NAME', description: 'Print one output as a raw string (sensitive included), for scripts' },
  },
  details: `Exit codes: 0 printed, 1 error (unknown output, configuration error).`,
  load: () => import('./output.js'),
};

const graph: Command = {
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
  load: () => import('./graph.js'),
};

const fmt: Command = {
  name: 'fmt',
  summary: 'Rewrite .xp files in the canonical layout',
  usage: 'xp fmt [dir|file …] [--check] [--diff]',
  flags: {
    check: { type: 'boolean', description: 'Write nothing; list the files that are not formatted' },
    diff: { type: 'boolean', description: 'Print a unified diff of the changes' },
  },
  details: [
    'Formats every *.xp file in each directory given (default: the current one), and each file given.',
    'The layout: two-space indent, `=` aligned within a run of attributes, one blank line',
    'between blocks, comments kept. Formatting twice changes nothing.',
    '',
    'Exit codes:',
    '  0  every file is formatted (or has been rewritten)',
    '  1  a file has syntax errors (printed as file:line:col); nothing is written to it',
    '  3  with --check: some files would change (their names are printed)',
  ].join('\n'),
  load: () => import('./fmt.js'),
};

const importCommand: Command = {
  name: 'import',
  summary: 'Read a running server and write the xp configuration that declares it',
  usage: 'xp import [dir] [flags]',
  flags: {
    ...connectionFlags,
    out: { type: 'string', placeholder: 'FILE|DIR', description: 'Write here instead of DIR/main.xp (a directory: its main.xp; - : standard output)' },
    include: { type: 'string', multiple: true, placeholder: 'PATTERN', description: 'Only roles and service accounts whose name matches (* and ?; repeatable)' },
    exclude: { type: 'string', multiple: true, placeholder: 'PATTERN', description: 'Leave out roles and service accounts whose name matches (repeatable)' },
    databases: { type: 'string', placeholder: 'a,b', description: 'Only these databases (and their schemas, extensions and grants)' },
    force: { type: 'boolean', description: 'Overwrite the output file, or write beside other *.xp files' },
    check: { type: 'boolean', description: 'Write nothing: print what the server has and the configuration in [dir] does not declare' },
    'import-blocks': { type: 'boolean', description: 'Also write an import block for each object no stack manages (the plan shows "will be imported")' },
    ...variableFlags,
  },
  details: `Writes [dir]/main.xp (default: the current directory): databases, schemas, extensions, roles
(NOLOGIN), service accounts (LOGIN roles), memberships, settings, comments and the grants xp can
express, as references (repeated shapes grouped with for_each), formatted as xp fmt writes them. What xp cannot express yet is listed as
comments at the top and on stderr. Passwords are never exported; service accounts keep theirs.
Skipped: pg_* roles, the bootstrap superuser, the role xp connects as, other superusers, the
postgres and template databases, xp's own schema and dblink in the control database.
With --check, [dir] is a configuration: the declarations of what the server has and it does not
declare are printed (references to what it declares use its addresses), nothing is written.
With --import-blocks, each object no stack manages also gets an import block (one per instance
of a for_each group): its plan shows "will be imported" and apply records it, changing nothing.

Exit codes: 0 written (--check: nothing missing), 1 error (connection, an output that exists
without --force), 2 bad usage (--check: declarations are missing).

Examples:
  xp import adopted/ --database-url postgres://admin@db/postgres
  xp import --check .
  xp import --out - --databases shop --include 'shop_*'`,
  load: () => import('./import.js'),
};

const server: Command = {
  name: 'server',
  summary: 'Manage the embedded PostgreSQL under .xp/ (status, start, stop, url)',
  usage: 'xp server status|start|stop|url',
  flags: {},
  details: `The embedded server is what xp uses when no connection is configured (no --database-url,
XP_DATABASE_URL, provider block or PG* variable). Its data lives in .xp/pgdata of the working
directory and survives restarts; its port and password are in .xp/server.json (mode 0600).
It keeps running after a command ends, so that the next one is fast; \`xp server stop\` stops it.
\`xp server url\` prints its connection URL, password included (for psql).
Exit codes: 0 done (status: running), 1 error, 3 status: not running.`,
  load: () => import('./server.js'),
};

const version: Command = {
  name: 'version',
  summary: 'Print the version of xp',
  usage: 'xp version',
  flags: {},
  load: () => import('./version.js'),
};

/** `xp get`: kubectl's name for the same listing. */
const get: Command = { ...status, name: 'get', summary: 'Same as `xp status`', usage: 'xp get [dir] [flags]' };

export const commands: Command[] = [
  init,
  validate,
  plan,
  apply,
  destroy,
  status,
  get,
  describe,
  events,
  reconcile,
  output,
  graph,
  fmt,
  importCommand,
  server,
  version,
];

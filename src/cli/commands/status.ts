// `xp status [dir]` — kubectl get for the provider: the stack's managed resources with Synced /
// Ready / age / reason, read from the provider's state in the control database; `--watch`
// follows live over LISTEN/NOTIFY (an Ink table on a terminal, one line per change otherwise).
// Also the plumbing shared by describe/events/reconcile: the connection and the stack.
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type pg from 'pg';
import { Chalk, type ChalkInstance } from 'chalk';
import type { CommandIO, ParsedArgs } from './command.js';
import { ExitError } from './errors.js';
import { readServerInfo, serverPaths } from '../../server/embedded.js';
import { ConnectionError, resolveConnection } from '../../state/connection.js';
import type { Session } from '../../apply/engine.js';
import type { Configuration } from '../../model/types.js';
import { startSession } from './workspace.js';
import { hasConfigurationFiles } from '../../config/files.js';
import { addressBook, readStatus, withAddresses, type AddressBook } from '../../views/status/read.js';
import { statusTable } from '../../views/status/render.js';
import type { ResourceStatus } from '../../views/status/model.js';
import { follow } from '../../views/status/watch.js';
import { isCI, isInteractive } from '../../views/interactive.js';

/**
 * The configuration in `dir`, when there is one that loads (for its stack and provider blocks).
 * The language front end is loaded only then: outside a configuration, status needs none of it.
 */
async function configurationIn(dir: string, io: CommandIO): Promise<Configuration | undefined> {
  if (!hasConfigurationFiles(dir)) return undefined;
  const { loadConfiguration } = await import('../../config/load.js');
  return (await loadConfiguration(dir, { env: io.env })).config;
}

export interface Scope {
  /** One stack, or every stack when undefined. */
  stack?: string;
  config?: Configuration;
}

/**
 * Where a command looks: --stack, every stack with -A, else the stack of the configuration in
 * [dir] (`stack "name" {}` or the directory's name), else — outside a configuration — every stack.
 */
export async function scopeOf(args: ParsedArgs, io: CommandIO): Promise<Scope> {
  const dir = resolve(io.cwd, args.positionals[0] ?? '.');
  if (args.positionals[0] !== undefined && !existsSync(dir)) throw new ExitError(`${args.positionals[0]}: no such directory`);
  const config = await configurationIn(dir, io);
  if (args.flags['all-stacks']) return { config };
  if (typeof args.flags.stack === 'string') return { stack: args.flags.stack, config };
  if (config) return { stack: config.stack, config };
  return { stack: hasConfigurationFiles(dir) ? basename(dir) : undefined };
}


/**
 * One connection to the control database, resolved as every command resolves it (engine's
 * startSession: --database-url, XP_DATABASE_URL, provider blocks, PG*, the embedded server),
 * without installing anything. The embedded server is only used when it exists: the status of
 * a server nobody created is an error, not a new server.
 */
export async function controlSession(args: ParsedArgs, io: CommandIO, command: string, config?: Configuration): Promise<Session> {
  if (!readServerInfo(serverPaths(io.cwd))) {
    // No embedded server here: only an explicit connection will do (the one resolution of
    // src/state/connection.ts decides what counts as one).
    const databaseUrl = typeof args.flags['database-url'] === 'string' ? args.flags['database-url'] : undefined;
    await resolveConnection({ databaseUrl, env: io.env, cwd: io.cwd, providers: config?.providers, allowEmbedded: false }).catch((err: unknown) => {
      if (!(err instanceof ConnectionError)) throw err;
      if (err.message !== 'no database connection configured') throw new ExitError(err.message, 1, err.hint);
      throw new ExitError(
        'no database connection configured, and no embedded server under .xp/ here',
        1,
        'Pass --database-url, set XP_DATABASE_URL or PG* variables, or run it where `xp apply` ran.',
      );
    });
  }
  const session = await startSession(io, args.flags, command, config, { install: false });
  const { rows } = await session.control.query<{ installed: boolean }>(`select to_regclass('xplane.managed_resources') is not null as installed`);
  if (!rows[0]?.installed) {
    await session.close();
    throw new ExitError('the xp provider (schema xplane) is not installed in this database', 1, 'Run `xp init` or `xp apply` first, or point --database-url at the control database.');
  }
  return session;
}

/** Stop following on Ctrl-C (and on SIGTERM), without killing the process mid-write. */
export function abortOnSignals(): { signal: AbortSignal; abort(): void; dispose(): void } {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: abort.signal,
    abort: stop,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

export function chalkFor(io: CommandIO): ChalkInstance {
  return new Chalk({ level: io.color ? 1 : 0 });
}

type Out = CommandIO['stdout'];

export interface WatchStatusOptions {
  stack?: string;
  json: boolean;
  /** A live-redrawn table (terminal, not CI); else one line per change. */
  interactive: boolean;
  c: ChalkInstance;
  width?: number;
  signal: AbortSignal;
  now?: () => number;
  /** A line under the live table (e.g. the reconcile loop's last run). */
  footer?: () => string;
  /** The configuration's addresses (`schema.tenant["acme"]`), when run in one. */
  book?: AddressBook;
  /** Where to say that nothing is there yet (stderr), in line-per-change mode. */
  notice?: (text: string) => void;
}

/** What changed between two reads, for line-per-change output. */
function changes(before: Map<string, ResourceStatus>, after: ResourceStatus[]): { type: 'ADDED' | 'MODIFIED' | 'DELETED'; resource: ResourceStatus }[] {
  const out: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; resource: ResourceStatus }[] = [];
  const seen = new Set<string>();
  const key = (r: ResourceStatus) => JSON.stringify([r.synced, r.ready, r.reason, r.message, r.generation, r.observedGeneration, r.deleting]);
  for (const r of after) {
    seen.add(r.id);
    const old = before.get(r.id);
    if (!old) out.push({ type: 'ADDED', resource: r });
    else if (key(old) !== key(r)) out.push({ type: 'MODIFIED', resource: r });
  }
  for (const [id, r] of before) if (!seen.has(id)) out.push({ type: 'DELETED', resource: r });
  return out;
}

/**
 * `xp status --watch`: the table, then live changes until `signal` aborts. Terminal: an Ink
 * view redrawn on each change (and each second, for ages). Otherwise kubectl get --watch:
 * the table once, then one line per changed resource (`--json`: one {type, resource} object).
 */
export async function watchStatus(client: pg.Client, out: Out, o: WatchStatusOptions): Promise<void> {
  const now = o.now ?? Date.now;
  let known = new Map<string, ResourceStatus>();
  let rows: ResourceStatus[] = [];
  let first = true;
  let headerPrinted = false;
  const screen = () => {
    let table = statusTable(rows, { c: o.c, now: now(), width: o.width }) || 'No resources.\n';
    // Never taller than the terminal (Ink would clear the whole screen on every redraw): the
    // rows that do not fit are counted; problems sort first so that they stay in view.
    const room = Math.max(3, ((out as { rows?: number }).rows ?? 24) - (o.footer ? 4 : 3));
    if (rows.length + 1 > room) {
      const rank = (r: ResourceStatus) => Number(r.ready === 'True' && r.synced === 'True');
      const shown = [...rows].sort((a, b) => rank(a) - rank(b)).slice(0, room - 2);
      const order = new Map(rows.map((r, i) => [r.id, i]));
      shown.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      const visible = new Set(shown.map((r) => r.id));
      const hidden = rows.filter((r) => !visible.has(r.id));
      const bad = hidden.filter((r) => rank(r) === 0).length;
      const more = `… ${hidden.length} more, ${bad === 0 ? 'all ready' : `${bad} of them not ready`} (xp status lists them all)`;
      table = `${statusTable(shown, { c: o.c, now: now(), width: o.width })}${o.c.dim(more)}\n`;
    }
    const watching = `Watching ${o.stack === undefined ? 'every stack' : `stack ${o.stack}`} — Ctrl-C to stop`;
    const footer = o.c.dim(o.footer ? `${o.footer()}\n${watching}` : watching);
    return ui!.React.createElement(ui!.Text, null, `${table}\n${footer}`);
  };
  // ink and react load only for the live table: every other command starts faster without them.
  const ui = o.interactive && !o.json ? { React: (await import('react')).default, ...(await import('ink')) } : undefined;
  const ink = ui ? ui.render(screen(), { stdout: out as NodeJS.WriteStream, patchConsole: false, exitOnCtrlC: false, maxFps: 10 }) : undefined;
  const tick = ink ? setInterval(() => ink.rerender(screen()), 1000) : undefined;
  try {
    await follow(client, {
      stack: o.stack,
      signal: o.signal,
      onChange: async () => {
        rows = withAddresses(await readStatus(client, { stack: o.stack }), o.book ?? new Map());
        const diff = changes(known, rows);
        known = new Map(rows.map((r) => [r.id, r]));
        if (ink) ink.rerender(screen());
        else if (o.json) for (const d of diff) out.write(`${JSON.stringify(d)}\n`);
        else {
          // The table once, then only the rows that changed, laid out with every row so that
          // they line up with the table above (kubectl get --watch).
          const deleted = diff.filter((d) => d.type === 'DELETED').map((d) => ({ ...d.resource, reason: 'Deleted', message: '' }));
          const all = [...rows, ...deleted];
          const show = new Set(first ? rows.map((r) => r.id) : diff.map((d) => d.resource.id));
          if (show.size > 0) {
            const lines = statusTable(all, { c: o.c, now: now(), width: o.width }).split('\n');
            const header = headerPrinted ? '' : `${lines[0]}\n`;
            headerPrinted = true;
            out.write(header + all.map((r, i) => (show.has(r.id) ? `${lines[i + 1]}\n` : '')).join(''));
          } else if (first) {
            o.notice?.(`No resources yet; watching ${o.stack === undefined ? 'every stack' : `stack ${o.stack}`} — Ctrl-C to stop.\n`);
          }
        }
        first = false;
      },
    });
  } finally {
    if (tick) clearInterval(tick);
    if (ink) {
      ink.unmount();
      await ink.waitUntilExit();
    }
  }
}

export async function run(args: ParsedArgs, io: CommandIO): Promise<number> {
  const { stack, config } = await scopeOf(args, io);
  const json = Boolean(args.flags.json);
  const c = chalkFor(io);
  const width = io.stdout.isTTY ? io.stdout.columns : undefined;
  const session = await controlSession(args, io, 'status', config);
  const client = session.control;
  try {
    if (args.flags.watch) {
      const stop = abortOnSignals();
      try {
        await watchStatus(client, io.stdout, {
          stack,
          json,
          interactive: isInteractive({ isTTY: Boolean(io.stdout.isTTY), ci: isCI(io.env) }),
          c,
          width,
          signal: stop.signal,
          book: addressBook(config),
          notice: (text) => io.stderr.write(text),
        });
      } catch (err) {
        if (stop.signal.aborted) return 0;
        throw new ExitError(`stopped following: ${(err as Error).message}`);
      } finally {
        stop.dispose();
      }
      return 0;
    }
    const rows = withAddresses(await readStatus(client, { stack }), addressBook(config));
    if (json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) io.stderr.write(`No resources${stack === undefined ? '' : ` in stack ${stack}`}.\n`);
    else io.stdout.write(statusTable(rows, { c, now: Date.now(), width }));
    return 0;
  } finally {
    await session.close();
  }
}


// One apply per stack at a time: a session-level advisory lock on the control database, held
// by the command's control connection for as long as it runs (a killed process loses its
// connection, and with it the lock). Who holds it is read back from pg_stat_activity: the
// holder's application_name carries its pid, host and user; "since" is when it locked.
import { hostname, userInfo } from 'node:os';
import type pg from 'pg';

export class LockError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'LockError';
  }
}

function whoAmI(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry
  }
  return `${user}@${hostname()}`;
}

/** application_name of xp's connections: `xp <command> pid=<pid> <user>@<host>`. */
export function applicationName(command: string): string {
  return `xp ${command} pid=${process.pid} ${whoAmI()}`.slice(0, 63);
}

const KEY_SQL = `hashtextextended('xp:stack:' || $1::text, 0)`;

export interface LockHolder {
  /** The holder's application_name (xp's pid, user and host), or its client address. */
  who: string;
  backendPid: number;
  since: Date | null;
}

export async function lockHolder(client: pg.Client, stack: string): Promise<LockHolder | null> {
  const { rows } = await client.query<{ pid: number; application_name: string; usename: string; client_addr: string | null; since: Date | null }>(
    `select a.pid, a.application_name, a.usename, host(a.client_addr) as client_addr,
            coalesce(a.xact_start, a.state_change, a.backend_start) as since
       from pg_catalog.pg_locks l
       join pg_catalog.pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 1
        and ((l.classid::bigint << 32) | l.objid::bigint) = ${KEY_SQL}
      limit 1`,
    [stack],
  );
  const r = rows[0];
  if (!r) return null;
  // Our own holders name themselves `xp@<epoch> pid=<pid> <user>@<host>`.
  const m = /^xp@(\d+) pid=(\d+) (.*)$/.exec(r.application_name ?? '');
  if (m) return { who: `xp (pid ${m[2]}, ${m[3]})`, backendPid: r.pid, since: new Date(Number(m[1]) * 1000) };
  const who = `${r.usename ?? 'unknown'}${r.client_addr ? ` from ${r.client_addr}` : ''}${r.application_name ? ` (${r.application_name})` : ''}`;
  return { who, backendPid: r.pid, since: r.since };
}

/** Parse `--lock-timeout` (`0`, `500ms`, `30s`, `2m`); seconds when no unit is given. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Take the stack's lock on `client`, waiting up to `timeoutMs`. The lock lasts until
 * `release` or the end of the session; the session's application_name then records when it
 * was taken and by whom, for the message the next caller gets.
 */
export async function lockStack(client: pg.Client, stack: string, timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(`select pg_catalog.pg_try_advisory_lock(${KEY_SQL}) as locked`, [stack]);
    if (rows[0]?.locked) {
      const mark = `xp@${Math.floor(Date.now() / 1000)} pid=${process.pid} ${whoAmI()}`.slice(0, 63);
      await client.query(`select pg_catalog.set_config('application_name', $1, false)`, [mark]);
      return async () => {
        await client.query(`select pg_catalog.pg_advisory_unlock(${KEY_SQL})`, [stack]).catch(() => {});
      };
    }
    if (Date.now() >= deadline) {
      const holder = await lockHolder(client, stack);
      const since = holder?.since ? ` since ${holder.since.toISOString()}` : '';
      throw new LockError(
        `stack "${stack}" is locked by ${holder ? holder.who : 'another session'}${since}`,
        timeoutMs > 0
          ? `Waited ${Math.round(timeoutMs / 1000)}s. Try again when it has finished, or wait longer with --lock-timeout.`
          : 'Another apply is running on this stack. Wait for it with --lock-timeout 5m, or try again later.',
      );
    }
    await sleep(Math.min(250, Math.max(10, deadline - Date.now())));
  }
}

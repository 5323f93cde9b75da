// One apply per stack at a time: a row lock on the stack's row of xplane.stacks, which only the
// provider's owner role may lock (xplane.lock_stack, SECURITY DEFINER), held by an open
// transaction on a connection of its own for as long as the command runs (a killed process
// loses its connection, its backend ends, and with it the transaction and the lock). Who holds
// it is what the server records (xplane.stack_lock_holder: backend pid, login role, client
// address, since when), never what a client says of itself (application_name), so another role
// can neither take the lock nor pass for its holder.
import { hostname, userInfo } from 'node:os';
import type pg from 'pg';
import type { StackMode } from '../model/types.js';

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

export interface LockHolder {
  /** The holder's login role, as the server records it. */
  role: string;
  backendPid: number;
  /** Its client address (null: a Unix socket, or not visible to the provider's role). */
  clientAddr: string | null;
  backendStart: Date | null;
  /** When its lock transaction began (null: not visible to the provider's role). */
  since: Date | null;
}

export async function lockHolder(client: pg.Client, stack: string): Promise<LockHolder | null> {
  const { rows } = await client.query<{ backend_pid: number; role: string; client_addr: string | null; backend_start: Date | null; since: Date | null }>(
    'select backend_pid, role, host(client_addr) as client_addr, backend_start, since from xplane.stack_lock_holder($1)',
    [stack],
  );
  const r = rows[0];
  return r ? { role: r.role, backendPid: r.backend_pid, clientAddr: r.client_addr, backendStart: r.backend_start, since: r.since } : null;
}

/** Parse `--lock-timeout` (`0`, `500ms`, `30s`, `2m`); seconds when no unit is given. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

/** PostgreSQL's lock_timeout is an int of milliseconds. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Take the stack's lock on `client`, a connection that does nothing else while it holds it
 * (its transaction stays open), waiting up to `timeoutMs` in the server. The lock lasts until
 * `release` or the end of the connection. Held by someone else: a LockError naming the holder
 * as the server records it.
 */
export async function lockStack(client: pg.Client, stack: string, timeoutMs: number): Promise<() => Promise<void>> {
  // The stack's row is committed before the lock transaction: a row inserted by it would stay
  // invisible to (and block) the apply's own connections until it ends.
  await client.query('select xplane.declare_stack($1)', [stack]);
  await client.query('begin');
  try {
    await client.query('select xplane.lock_stack($1, $2)', [stack, Math.min(Math.max(0, Math.round(timeoutMs)), MAX_TIMEOUT_MS)]);
  } catch (err) {
    await client.query('rollback').catch(() => {});
    const e = err as { code?: string; message: string };
    if (e.code === '55P03')
      throw new LockError(
        e.message,
        timeoutMs > 0
          ? `Waited ${Math.round(timeoutMs / 1000)}s. Try again when it has finished, or wait longer with --lock-timeout.`
          : 'Another apply is running on this stack. Wait for it with --lock-timeout 5m, or try again later.',
      );
    throw err;
  }
  return async () => {
    await client.query('rollback').catch(() => {});
  };
}

/**
 * Sets the stack's mode (xplane.set_stack_mode). It writes the stack's row, which the stack's
 * lock holds: called once the lock is released (by someone else's lock, it waits).
 */
export async function writeStackMode(client: pg.Client, stack: string, mode: StackMode): Promise<void> {
  await client.query('select xplane.set_stack_mode($1, $2)', [stack, mode]);
}

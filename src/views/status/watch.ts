// Following the provider live: LISTEN on its NOTIFY channel (`xplane`), and call back —
// coalesced, so a reconcile of 1,000 resources costs a handful of re-reads, not 1,000 — until
// the signal aborts. Payload: {"type": "condition"|"event", "resource_id", "kind", "name", "stack", …}.
import type pg from 'pg';

export const NOTIFY_CHANNEL = 'xplane';

export interface Notice {
  /** 'condition' or 'event' (other values from a newer provider are passed on). */
  type?: string;
  resource_id?: string;
  kind?: string;
  name?: string;
  stack?: string;
  [key: string]: unknown;
}

export interface FollowOptions {
  /** Only notices for this stack (others are ignored); all when undefined. */
  stack?: string;
  /** Wait this long after a notice for more before calling back (default 100 ms). */
  coalesceMs?: number;
  signal: AbortSignal;
  /**
   * Called once with no notices right after LISTEN (read the initial state there: nothing
   * between that read and the first notice is missed), then with the notices gathered since
   * the last call; each call is awaited before the next.
   */
  onChange(notices: Notice[]): Promise<void>;
}

/**
 * LISTEN on `client` and call `onChange` for batches of notices until `signal` aborts or the
 * connection drops (then the promise rejects). Resolves after UNLISTEN.
 */
export async function follow(client: pg.Client, o: FollowOptions): Promise<void> {
  if (o.signal.aborted) return;
  const coalesceMs = o.coalesceMs ?? 100;
  let pending: Notice[] = [];
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const flush = () => {
    timer = undefined;
    const batch = pending;
    pending = [];
    busy = busy.then(() => o.onChange(batch)).catch((err: unknown) => {
      failure = asError(err);
      finish();
    });
  };
  const onNotification = (msg: pg.Notification) => {
    if (msg.channel !== NOTIFY_CHANNEL) return;
    let notice: Notice;
    try {
      notice = JSON.parse(msg.payload ?? '{}') as Notice;
    } catch {
      notice = {};
    }
    if (o.stack !== undefined && notice.stack !== undefined && notice.stack !== o.stack) return;
    pending.push(notice);
    timer ??= setTimeout(flush, coalesceMs);
  };
  const onEnd = () => {
    failure ??= new Error('the connection to the server was closed');
    finish();
  };
  const onError = (err: Error) => {
    failure ??= err;
    finish();
  };
  client.on('notification', onNotification);
  client.on('end', onEnd);
  client.on('error', onError);
  o.signal.addEventListener('abort', () => finish(), { once: true });
  try {
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    busy = o.onChange([]).catch((err: unknown) => {
      failure = asError(err);
      finish();
    });
    await done;
  } finally {
    if (timer) clearTimeout(timer);
    client.off('notification', onNotification);
    client.off('end', onEnd);
    client.off('error', onError);
    await busy;
    if (!failure) await client.query(`UNLISTEN ${NOTIFY_CHANNEL}`).catch(() => {});
  }
  if (failure) throw failure;
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

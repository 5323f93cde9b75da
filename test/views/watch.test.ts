import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { follow, type Notice } from '../../src/views/status/watch.js';

async function client() {
  const c = new pg.Client({ connectionString: inject('databaseUrl') });
  await c.connect();
  return c;
}

describe('follow (LISTEN/NOTIFY on the real server)', () => {
  it('reads once after LISTEN, then delivers coalesced notices of its stack until aborted', async () => {
    const listener = await client();
    const notifier = await client();
    const abort = new AbortController();
    const batches: Notice[][] = [];
    try {
      let announce!: () => void;
      const listening = new Promise<void>((r) => (announce = r));
      const got = new Promise<void>((resolve) => {
        const done = follow(listener, {
          stack: 'saas',
          coalesceMs: 50,
          signal: abort.signal,
          async onChange(notices) {
            batches.push(notices);
            if (notices.length === 0) announce();
            if (batches.flat().length >= 3) resolve();
          },
        });
        void done;
      });
      await listening;
      // Three notices of this stack in one transaction (delivered together), one of another stack.
      await notifier.query(`BEGIN`);
      for (const [stack, name] of [['saas', 'a'], ['other', 'x'], ['saas', 'b'], ['saas', 'c']])
        await notifier.query(`SELECT pg_notify('xplane', $1)`, [JSON.stringify({ type: 'condition', stack, kind: 'Schema', name })]);
      await notifier.query(`COMMIT`);
      await got;
      abort.abort();
      expect(batches[0]).toEqual([]);
      expect(batches.flat().map((n) => n.name)).toEqual(['a', 'b', 'c']);
    } finally {
      abort.abort();
      await listener.end();
      await notifier.end();
    }
  });

  it('rejects when the connection drops, so the command can say so', async () => {
    const listener = await client();
    const killer = await client();
    const abort = new AbortController();
    try {
      const pid = (await listener.query('select pg_backend_pid() as pid')).rows[0].pid;
      let ready!: () => void;
      const started = new Promise<void>((r) => (ready = r));
      const run = follow(listener, { signal: abort.signal, onChange: async () => ready() });
      await started;
      // Expect before killing: `run` may reject while the kill is still being answered.
      const rejected = expect(run).rejects.toThrow();
      await killer.query('select pg_terminate_backend($1)', [pid]);
      await rejected;
    } finally {
      abort.abort();
      await listener.end().catch(() => {});
      await killer.end();
    }
  });
});

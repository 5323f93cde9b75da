// Watchers see condition changes and events live: NOTIFY on channel xplane, at commit.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { connect, providerDatabase, type ProviderDatabase } from './harness.js';

describe('NOTIFY xplane', () => {
  let db: ProviderDatabase;
  let listener: pg.Client;
  const received: Record<string, unknown>[] = [];

  beforeAll(async () => {
    db = await providerDatabase(inject('databaseUrl'), 'xp_notify');
    listener = await connect(db.url);
    listener.on('notification', (n) => {
      if (n.channel === 'xplane' && n.payload) received.push(JSON.parse(n.payload));
    });
    await listener.query('listen xplane');
  });

  afterAll(async () => {
    await listener?.end();
    await db?.client.query(`select xplane.delete('Database', $1)`, [db.name + '_n']).catch(() => undefined);
    await db?.drop();
  });

  async function until(pred: () => boolean): Promise<void> {
    // Notifications arrive asynchronously after the applying session commits.
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
  }

  it('announces conditions and events of an apply, with kind, name, stack and actor', async () => {
    await db.client.query(`select xplane.apply('Database', $1, '{}', 'default', 'watched')`, [db.name + '_n']);
    await until(() => received.some((m) => m.type === 'event'));
    const ready = received.find((m) => m.type === 'condition' && m.condition === 'Ready');
    expect(ready).toMatchObject({ kind: 'Database', name: db.name + '_n', stack: 'watched', status: 'True', reason: 'Available' });
    const event = received.find((m) => m.type === 'event');
    expect(event).toMatchObject({ kind: 'Database', reason: 'Created', event_type: 'Normal', actor: 'postgres' });
  });

  it('stays quiet when nothing changes', async () => {
    received.length = 0;
    await db.client.query(`select xplane.apply('Database', $1, '{}', 'default', 'watched')`, [db.name + '_n']);
    // A marker sent after the apply: once it arrives, anything the apply sent has arrived too.
    await db.client.query(`select pg_notify('xplane', '{"type": "marker"}')`);
    await until(() => received.some((m) => m.type === 'marker'));
    expect(received).toEqual([{ type: 'marker' }]);
  });
});

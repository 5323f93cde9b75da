// One owner per object, even under concurrency: two stacks declaring the same object at the
// same moment. The ownership check and the write are one statement (a conditional upsert), so
// exactly one stack wins; the other is told which stack owns the object, and neither its spec
// nor its record reaches the server.
//
// Each race is forced into its worst interleaving: a third session holds SHARE on
// xplane.managed_resources (reads pass, writes wait) until both applies have read the record and
// are waiting to write it, then lets them go together. Before the fix, both succeeded every time:
// the record said one stack, the spec and the live role the other.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import { connect, providerDatabase, serverTargets, uniqueName, missingServer, type ProviderDatabase } from './harness.js';

const RACES = 20;
const OK = new Set(['success', 'updated', 'no_change', 'already_exists']);

interface Item {
  id?: string;
  status_code: string;
  message: string;
}

/** Waits until every backend of `pids` waits for a lock on xplane.managed_resources (bounded, not timed). */
async function waitingOnRecords(observer: pg.Client, pids: number[]): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    const { rows } = await observer.query<{ n: number }>(
      `select count(distinct pid)::int as n from pg_catalog.pg_locks
        where not granted and relation = 'xplane.managed_resources'::regclass and pid = any($1::int[])`,
      [pids],
    );
    if (rows[0]!.n === pids.length) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the two applies never reached the write of their record');
}

for (const target of serverTargets(inject('databaseUrl'))) {
  describe(`two stacks racing for one object on ${target.label}`, () => {
    if (missingServer(target)) return;
    let db: ProviderDatabase;
    let a: pg.Client;
    let b: pg.Client;
    let gate: pg.Client;
    const roles: string[] = [];

    beforeAll(async () => {
      db = await providerDatabase(target.url!, 'xp_race');
      [a, b, gate] = [await connect(db.url), await connect(db.url), await connect(db.url)];
    });
    afterAll(async () => {
      for (const r of roles) await db.client.query(`select xplane.delete('Role', $1)`, [r]).catch(() => undefined);
      await Promise.all([a, b, gate].map((c) => c?.end().catch(() => undefined)));
      await db?.drop();
    });

    it(`${RACES} races of two applies (stacks a and b, the same role): exactly one winner each, the loser told the owner`, async () => {
      const pids = await Promise.all([a, b].map(async (c) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid));
      const stacks = [uniqueName('stack_a'), uniqueName('stack_b')] as const;
      const apply = (c: pg.Client, stack: string, role: string, limit: number) =>
        c
          .query<{ r: Item[] }>('select xplane.apply_many($1::jsonb, $2) as r', [
            JSON.stringify([{ kind: 'Role', name: role, spec: { connection_limit: limit } }]),
            stack,
          ])
          .then((res) => res.rows[0]!.r[0]!);
      for (let race = 0; race < RACES; race++) {
        const role = uniqueName(`race${race}`);
        roles.push(role);
        await gate.query('begin');
        await gate.query('lock table xplane.managed_resources in share mode');
        const results = [apply(a, stacks[0], role, 10), apply(b, stacks[1], role, 20)];
        await waitingOnRecords(gate, pids);
        await gate.query('commit');
        const [ra, rb] = await Promise.all(results);
        const won = [OK.has(ra.status_code), OK.has(rb.status_code)];
        expect(won.filter(Boolean), `race ${race}: ${JSON.stringify([ra, rb])}`).toHaveLength(1);
        const w = won[0] ? 0 : 1;
        const loser = w === 0 ? rb : ra;
        expect(loser.status_code).not.toMatch(/^(success|updated|no_change)$/);
        expect(loser.message).toContain(`Role ${role} is owned by stack ${stacks[w]}, not ${stacks[1 - w]}`);
        // The record, its spec and the live role are the winner's.
        const { rows } = await db.client.query<{ stack: string; limit: number; live: number }>(
          `select m.stack, (m.spec ->> 'connection_limit')::int as limit, r.rolconnlimit as live
             from xplane.managed_resources m join pg_catalog.pg_roles r on r.rolname = m.name
            where m.kind = 'Role' and m.name = $1`,
          [role],
        );
        expect(rows, `race ${race}`).toEqual([{ stack: stacks[w], limit: w === 0 ? 10 : 20, live: w === 0 ? 10 : 20 }]);
      }
    });
  });
}

// One owner per object, even under concurrency: two stacks declaring the same object (of each
// kind in turn) at the same moment. The ownership check and the write are one statement (a conditional upsert), so
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
    const created: Array<{ kind: string; name: string }> = [];

    beforeAll(async () => {
      db = await providerDatabase(target.url!, 'xp_race');
      [a, b, gate] = [await connect(db.url), await connect(db.url), await connect(db.url)];
    });
    afterAll(async () => {
      // Dependents first: the schemas and accounts live in the control database, the roles and databases cluster-wide.
      for (const { kind, name } of [...created].reverse())
        await db.client
          .query(`select xplane.delete(kind, name, database) from xplane.managed_resources where kind = $1::xplane.resource_kind and name = $2`, [kind, name])
          .catch(() => undefined);
      await Promise.all([a, b, gate].map((c) => c?.end().catch(() => undefined)));
      await db?.drop();
    });

    it(`${RACES} races of two applies (stacks a and b, the same object, every kind in turn): exactly one winner each, the loser told the owner`, async () => {
      const pids = await Promise.all([a, b].map(async (c) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid));
      const stacks = [uniqueName('stack_a'), uniqueName('stack_b')] as const;
      // The two specs differ in their comment; the kinds that live in a database use the control database.
      const kinds: Array<{ kind: string; spec: (comment: string) => object }> = [
        { kind: 'Role', spec: (comment) => ({ comment }) },
        { kind: 'Schema', spec: (comment) => ({ database: db.name, comment }) },
        { kind: 'ServiceAccount', spec: (comment) => ({ database: db.name, comment }) },
        { kind: 'Database', spec: (comment) => ({ comment }) },
      ];
      const apply = (c: pg.Client, stack: string, kind: string, name: string, spec: object) =>
        c
          .query<{ r: Item[] }>('select xplane.apply_many($1::jsonb, $2) as r', [JSON.stringify([{ kind, name, spec }]), stack])
          .then((res) => res.rows[0]!.r[0]!);
      const live = async (kind: string, name: string, spec: object) =>
        (
          await db.client.query<{ diff: string[] }>(
            `select xplane.spec_diff($1::xplane.resource_kind, xplane.normalize_spec($1::xplane.resource_kind, $3::jsonb),
                                     xplane.observe_resource($1::xplane.resource_kind, $2, $3::jsonb)) as diff`,
            [kind, name, JSON.stringify(spec)],
          )
        ).rows[0]!.diff;
      for (let race = 0; race < RACES; race++) {
        const { kind, spec } = kinds[race % kinds.length]!;
        const name = uniqueName(`race${race}`);
        created.push({ kind, name });
        const specs = [spec(`stack a, race ${race}`), spec(`stack b, race ${race}`)];
        await gate.query('begin');
        await gate.query('lock table xplane.managed_resources in share mode');
        const results = [apply(a, stacks[0], kind, name, specs[0]!), apply(b, stacks[1], kind, name, specs[1]!)];
        await waitingOnRecords(gate, pids);
        await gate.query('commit');
        const [ra, rb] = await Promise.all(results);
        const won = [OK.has(ra.status_code), OK.has(rb.status_code)];
        expect(won.filter(Boolean), `race ${race} (${kind}): ${JSON.stringify([ra, rb])}`).toHaveLength(1);
        const w = won[0] ? 0 : 1;
        const loser = w === 0 ? rb : ra;
        expect(loser.status_code).not.toMatch(/^(success|updated|no_change)$/);
        expect(loser.message).toContain(`${kind} ${name} is owned by stack ${stacks[w]}, not ${stacks[1 - w]}`);
        // The record and its spec are the winner's, and so is the live object.
        const { rows } = await db.client.query<{ stack: string; comment: string }>(
          `select stack, spec ->> 'comment' as comment from xplane.managed_resources where kind = $1::xplane.resource_kind and name = $2`,
          [kind, name],
        );
        expect(rows, `race ${race} (${kind})`).toEqual([{ stack: stacks[w], comment: `stack ${w === 0 ? 'a' : 'b'}, race ${race}` }]);
        expect(await live(kind, name, specs[w]!), `race ${race} (${kind}): the live object is the winner's`).toEqual([]);
        expect(await live(kind, name, specs[1 - w]!), `race ${race} (${kind}): not the loser's`).toEqual(['comment']);
      }
    });
  });
}

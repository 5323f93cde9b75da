// Parallel applies that grant on the same schema and database (GRANT … ON ALL TABLES,
// ALTER DEFAULT PRIVILEGES, GRANT … ON DATABASE rewrite the same catalog rows) must queue on
// the advisory lock of the object, never fail with "tuple concurrently updated".
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import { connect, providerDatabase, serverTargets, type ProviderDatabase, missingServer } from './harness.js';

const PARALLEL = 8;
const ROUNDS = 3;

for (const target of serverTargets(inject('databaseUrl'))) {
  describe(`parallel grants on ${target.label}`, () => {
    if (missingServer(target)) return;
    const url = target.url!;
    let db: ProviderDatabase;
    const clients: pg.Client[] = [];
    const names = Array.from({ length: PARALLEL }, (_, i) => `par_${i}_${Math.random().toString(16).slice(2, 8)}`);

    beforeAll(async () => {
      db = await providerDatabase(url, 'xp_par');
      await db.client.query(
        `select xplane.remote_exec('default', '', 'create schema app; ' || (select string_agg(format('create table app.t%s (id int)', i), '; ') from generate_series(1, 20) i))`,
      );
      for (let i = 0; i < PARALLEL; i++) clients.push(await connect(db.url));
    });
    afterAll(async () => {
      for (const n of names) await db.client.query(`select xplane.delete_service_account($1, '{}')`, [n]).catch(() => undefined);
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await db.drop();
    });

    it(`${PARALLEL} service accounts granting on one schema and one database at once, ${ROUNDS} rounds`, async () => {
      const spec = (round: number) => ({
        database: db.name,
        schemas: ['app'],
        grants: [
          { schema: 'app', privileges: round % 2 === 0 ? ['SELECT'] : ['SELECT', 'INSERT', 'UPDATE'], future: true },
          { on: 'database', privileges: round % 2 === 0 ? ['TEMPORARY'] : ['CREATE', 'TEMPORARY'] },
        ],
      });
      for (let round = 0; round < ROUNDS; round++) {
        const fn = round === 0 ? 'create_service_account' : 'update_service_account';
        const results = await Promise.all(
          clients.map((c, i) =>
            c
              .query<{ status_code: string; message: string }>(`select status_code::text, message from xplane.${fn}($1, $2::jsonb)`, [
                names[i],
                JSON.stringify(spec(round)),
              ])
              .then((r) => r.rows[0]),
          ),
        );
        for (const r of results) {
          expect(r.message).not.toMatch(/concurrently/);
          expect(r.status_code, r.message).toBe(round === 0 ? 'success' : 'updated');
        }
      }
      // No comment declared: not in the normalised spec; the accounts have none.
      const { rows } = await db.client.query(
        `select bool_and(xplane.observe_resource('ServiceAccount', n, $2::jsonb) = xplane.normalize_spec('ServiceAccount', $2::jsonb) || '{"comment": null}') as ok
           from unnest($1::text[]) n`,
        [names, JSON.stringify(spec(ROUNDS - 1))],
      );
      expect(rows[0].ok).toBe(true);
    });
  });
}

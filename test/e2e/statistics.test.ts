// After an apply that created or dropped ANALYZE_AFTER objects or more, xp refreshes the
// planner statistics of the catalogs it reads (xplane.analyze_catalogs), as autovacuum would a
// minute later; a small apply leaves them to autovacuum.
import { describe, expect, inject, it } from 'vitest';
import { ANALYZE_AFTER } from '../../src/apply/engine.js';
import { configDir, expectOk, unique, withClient, xpIn } from './xp.js';

const url = () => inject('databaseUrl');

/** When pg_namespace of `database` was last analysed by hand (not by autovacuum): epoch ms, 0 for never. */
async function namespaceAnalyzed(database: string): Promise<number> {
  const u = new URL(url());
  u.pathname = `/${database}`;
  return withClient(u.toString(), async (c) => {
    const { rows } = await c.query<{ t: string }>(
      `select coalesce(extract(epoch from pg_stat_get_last_analyze_time('pg_catalog.pg_namespace'::regclass)) * 1000, 0)::bigint::text as t`,
    );
    return Number(rows[0]!.t);
  });
}

/** `n` roles, and a database of this test's own with a schema in it (other tests never touch its catalogs). */
function stack(p: string, n: number): Record<string, string> {
  const body = Array.from({ length: n }, (_, i) => `role "${p}_r${i}" {}\n`).join('');
  return { 'main.xp': `${body}database "${p}_db" {}\nschema "${p}_s" {\n  database = database.${p}_db\n}\n` };
}

describe('catalog statistics after a large apply', { timeout: 300_000 }, () => {
  it(`are refreshed after ${ANALYZE_AFTER} objects or more, and left to autovacuum below that`, async () => {
    const small = unique('st');
    const runSmall = xpIn(configDir(small, stack(small, 3)), url());
    expectOk(await runSmall(['apply', '--auto-approve']));
    expect(await namespaceAnalyzed(`${small}_db`)).toBe(0);

    const large = unique('st');
    const runLarge = xpIn(configDir(large, stack(large, ANALYZE_AFTER)), url());
    const start = Date.now();
    expectOk(await runLarge(['apply', '--auto-approve']));
    expect(await namespaceAnalyzed(`${large}_db`)).toBeGreaterThanOrEqual(start - 1000);

    expectOk(await runLarge(['destroy', '--auto-approve', '--allow-data-loss']));
    expectOk(await runSmall(['destroy', '--auto-approve', '--allow-data-loss']));
  });
});

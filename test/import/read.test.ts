// xp import reads the catalog in a number of round trips that does not grow with the number of
// roles and schemas (issue 13): the same count for 2 roles and schemas as for 40 of each.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { readServer } from '../../src/import/catalog.js';
import { generate } from '../../src/import/generate.js';
import { providerDatabase, type ProviderDatabase } from '../provider/harness.js';

let db: ProviderDatabase;
beforeAll(async () => {
  db = await providerDatabase(inject('databaseUrl'), 'xp_import_read');
}, 120_000);
afterAll(async () => db?.drop());

/** readServer on a client that counts its queries. */
async function countedRead(prefix: string) {
  let queries = 0;
  const client = db.client;
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    queries++;
    return original(...args);
  };
  try {
    const input = await readServer(client, 'default', { include: [`${prefix}*`], exclude: [], databases: [db.name] });
    return { queries, input };
  } finally {
    (client as unknown as { query: unknown }).query = original;
  }
}

async function tenants(prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const role = pg.escapeIdentifier(`${prefix}_r${i}`);
    const schema = pg.escapeIdentifier(`${prefix}_s${i}`);
    await db.client.query(`create role ${role}`);
    await db.client.query(`create schema ${schema}; create table ${schema}.t (id int); grant usage on schema ${schema} to ${role}; grant select on all tables in schema ${schema} to ${role}`);
  }
}

describe('xp import reads', () => {
  it('in as many round trips for 40 roles and schemas as for 2', async () => {
    const small = `imr_${Math.random().toString(16).slice(2, 8)}`;
    const large = `iml_${Math.random().toString(16).slice(2, 8)}`;
    try {
      await tenants(small, 2);
      const a = await countedRead(small);
      await tenants(large, 40);
      const b = await countedRead(large);
      expect(b.queries).toBe(a.queries);
      // and the reads hold what was created: 40 roles, each with its two grants
      const out = generate(b.input, { include: [`${large}*`], exclude: [], databases: [db.name] });
      expect(out.counts.role).toBe(40);
      expect(out.counts.schema).toBeGreaterThanOrEqual(42);
      expect(out.text.match(/^\s+grant \{/gm)?.length).toBe(80);
    } finally {
      for (const p of [small, large])
        for (let i = 0; i < 40; i++) {
          await db.client.query(`drop schema if exists ${pg.escapeIdentifier(`${p}_s${i}`)} cascade`);
          await db.client.query(`drop role if exists ${pg.escapeIdentifier(`${p}_r${i}`)}`);
        }
    }
  });
});

// xp import reads the catalog in a number of round trips that does not grow with the number of
// roles and schemas (issue 13): the same count for 2 roles and schemas as for 40 of each.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { readGrants, readServer } from '../../src/import/catalog.js';
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

  // import reads grants with xplane.import_grants_catalog, whose size does not grow with roles ×
  // schemas; what it gives must be grants_catalog's (what plan observes) for every role that
  // holds something in a schema, and the other roles must hold nothing there.
  it('the same grants as xplane.grants_catalog, for every role holding something', async () => {
    const p = `imq_${Math.random().toString(16).slice(2, 8)}`;
    const id = (s: string) => pg.escapeIdentifier(`${p}_${s}`);
    const roles = ['owner', 'reader', 'partial', 'idle', 'defaults'].map((r) => `${p}_${r}`);
    const schemas = ['a', 'b'].map((s) => `${p}_${s}`);
    try {
      for (const r of roles) await db.client.query(`create role ${pg.escapeIdentifier(r)}`);
      await db.client.query(`grant ${id('owner')} to current_user`);
      for (const s of ['a', 'b']) {
        await db.client.query(`create schema ${id(s)} authorization ${id('owner')}`);
        await db.client.query(`create table ${id(s)}.t1 (id int); create table ${id(s)}.t2 (id int); create sequence ${id(s)}.q;
          create function ${id(s)}.f() returns int language sql as 'select 1'`);
        // one table of the owner's: it does not count for the owner
        await db.client.query(`alter table ${id(s)}.t2 owner to ${id('owner')}`);
        await db.client.query(`grant usage on schema ${id(s)} to ${id('reader')}; grant select on all tables in schema ${id(s)} to ${id('reader')};
          grant usage on all sequences in schema ${id(s)} to ${id('reader')}; grant select on ${id(s)}.t1 to ${id('partial')};
          grant select on ${id(s)}.t1 to ${id('owner')};
          alter default privileges for role ${id('owner')} in schema ${id(s)} grant select on tables to ${id('defaults')};
          alter default privileges in schema ${id(s)} grant execute on functions to ${id('defaults')}`);
      }
      const requests = { [db.name]: { roles, schemas } };
      const mine = (await readGrants(db.client, 'default', requests))[db.name]!;
      // grants_catalog counts a schema's objects for the roles paired with it (plan pairs each
      // role with its scope): here every role with every schema
      const pairs = roles.flatMap((r) => schemas.map((s) => [r, s]));
      const { rows } = await db.client.query<{ g: Record<string, typeof mine> }>('select xplane.grants_catalog($1, $2::jsonb, $3::text[]) as g', [
        'default',
        JSON.stringify({ [db.name]: { roles, schemas, pairs } }),
        [db.name],
      ]);
      const full = rows[0]!.g[db.name]!;
      // (outside, objects_held: what the plan's scopes miss, which import has no scopes for)
      expect({ ...mine, schemas: undefined }).toEqual({ ...full, schemas: undefined, outside: undefined, objects_held: undefined });
      expect(Object.keys(mine.schemas).sort()).toEqual([...schemas].sort());
      for (const s of schemas) {
        const m = mine.schemas[s]!;
        const f = full.schemas[s]!;
        expect({ ...m, objects: undefined }).toEqual({ ...f, objects: undefined });
        // the roles listed are grants_catalog's entries, exactly
        for (const [role, entry] of Object.entries(m.objects)) expect(entry).toEqual(f.objects[role]);
        // every role left out holds nothing on the objects there
        for (const [role, entry] of Object.entries(f.objects)) {
          if (role in m.objects) continue;
          expect(Object.values(entry).every((k) => Object.keys(k.held).length === 0)).toBe(true);
        }
        // the case that matters: a role holding some objects has its own total (its objects excluded)
        expect(m.objects[`${p}_owner`]?.['tables']).toEqual({ total: 1, held: { SELECT: 1 }, grantable: {} });
        expect(m.objects[`${p}_partial`]?.['tables']).toEqual({ total: 2, held: { SELECT: 1 }, grantable: {} });
        expect(Object.keys(m.objects).sort()).toEqual([`${p}_defaults`, `${p}_owner`, `${p}_partial`, `${p}_reader`]);
      }
    } finally {
      for (const s of ['a', 'b']) await db.client.query(`drop schema if exists ${id(s)} cascade`);
      await db.client.query(`revoke ${id('owner')} from current_user`).catch(() => undefined);
      for (const r of roles) {
        await db.client.query(`drop owned by ${pg.escapeIdentifier(r)}`).catch(() => undefined);
        await db.client.query(`drop role if exists ${pg.escapeIdentifier(r)}`);
      }
    }
  });
});

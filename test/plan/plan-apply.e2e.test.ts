// One truth for "what changes", end to end through the command line (src/cli/main.ts, run
// in-process to keep the property affordable): `xp apply` performs exactly the actions
// `xp plan --json` showed (no more, no fewer, the same action each), and a plan right after a
// successful apply shows no changes — as a property over generated configurations, plus saved
// plans (applied as is; refused when stale) and destroy.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { ApplyEvent } from '../../src/apply/events.js';
import type { Plan } from '../../src/plan/types.js';
import { tempDir, unique, urlFor, withClient } from '../e2e/xp.js';
import { xpInProcess } from '../e2e/in-process.js';

const xp = xpInProcess;

let url: string;
let adminUrl: string;
let controlDb: string;

beforeAll(async () => {
  adminUrl = inject('databaseUrl');
  controlDb = unique('xp_agree_ctl');
  await withClient(adminUrl, (c) => c.query(`create database ${pg.escapeIdentifier(controlDb)}`));
  url = urlFor(adminUrl, { database: controlDb });
});

afterAll(async () => {
  if (controlDb) await withClient(adminUrl, (c) => c.query(`drop database if exists ${pg.escapeIdentifier(controlDb)} with (force)`));
});

// ---------------------------------------------------------------------------------------
// A small model of configurations, rendered as xp files.

interface RoleModel {
  label: string;
  createdb: boolean;
  inherit: boolean;
  connection_limit: number;
  comment: string | null;
  memberOf: number[];
  settings: Record<string, string>;
  privileges: string[];
  /** Grants on the tables of schema s1 (when declared). */
  tables: { privileges: string[]; future: boolean };
}

interface Model {
  database: { connection_limit: number; comment: string | null; present: boolean };
  /** Schemas of the database, each with an owner (role index, or the default) and a comment. */
  schemas: Array<{ label: 's1' | 's2'; owner: number | null; comment: string | null }>;
  roles: RoleModel[];
  account: { present: boolean; connection_limit: number; memberOf: number[]; schemas: string[] };
}

const q = (s: string) => JSON.stringify(s);

function render(m: Model, names: { db: string; prefix: string }): string {
  const out: string[] = [];
  if (m.database.present) {
    out.push(`database ${q(names.db)} {`, `  connection_limit = ${m.database.connection_limit}`);
    if (m.database.comment !== null) out.push(`  comment = ${q(m.database.comment)}`);
    out.push('}', '');
  }
  const schemas = m.database.present ? m.schemas : [];
  const declaredRole = (j: number | null) => j !== null && j < m.roles.length;
  for (const sc of schemas) {
    out.push(`schema ${q(`${names.prefix}_${sc.label}`)} {`, `  database = database.${names.db}`);
    if (declaredRole(sc.owner)) out.push(`  owner = role.${names.prefix}_${m.roles[sc.owner!]!.label}`);
    if (sc.comment !== null) out.push(`  comment = ${q(sc.comment)}`);
    out.push('}', '');
  }
  const s1 = schemas.some((x) => x.label === 's1') ? `schema.${names.prefix}_s1` : null;
  m.roles.forEach((r, i) => {
    out.push(`role ${q(`${names.prefix}_${r.label}`)} {`);
    out.push(`  createdb = ${r.createdb}`, `  inherit = ${r.inherit}`, `  connection_limit = ${r.connection_limit}`);
    if (r.comment !== null) out.push(`  comment = ${q(r.comment)}`);
    const parents = r.memberOf.filter((j) => j < i).map((j) => `role.${names.prefix}_${m.roles[j]!.label}`);
    if (parents.length > 0) out.push(`  member_of = [${parents.join(', ')}]`);
    const settings = Object.entries(r.settings);
    if (settings.length > 0) out.push(`  settings = { ${settings.map(([k, v]) => `${k} = ${q(v)}`).join(', ')} }`);
    if (m.database.present && r.privileges.length > 0) {
      out.push('  grant {', `    database = database.${names.db}`, '    on = "database"', `    privileges = [${r.privileges.map(q).join(', ')}]`, '  }');
    }
    // The owner of s1 gets no grant on it: owning it and granting on it would be a cycle.
    const ownsS1 = schemas.some((x) => x.label === 's1' && x.owner === i);
    if (s1 && !ownsS1 && r.tables.privileges.length > 0) {
      out.push('  grant {', `    database = database.${names.db}`, `    schema = ${s1}`, '    on = "tables"');
      out.push(`    privileges = [${r.tables.privileges.map(q).join(', ')}]`, `    future = ${r.tables.future}`, '  }');
    }
    out.push('}', '');
  });
  if (m.account.present && m.database.present) {
    out.push(`service_account ${q(`${names.prefix}_svc`)} {`, `  database = database.${names.db}`, `  connection_limit = ${m.account.connection_limit}`);
    const parents = m.account.memberOf.filter((j) => j < m.roles.length).map((j) => `role.${names.prefix}_${m.roles[j]!.label}`);
    if (parents.length > 0) out.push(`  member_of = [${[...new Set(parents)].join(', ')}]`);
    const usage = m.account.schemas.filter((x) => schemas.some((y) => y.label === x)).map((x) => `schema.${names.prefix}_${x}`);
    if (usage.length > 0) out.push(`  schemas = [${usage.join(', ')}]`);
    out.push('  connection_secret {', `    path = "secrets/svc.env"`, '    format = "dotenv"', '  }', '}', '');
  }
  return out.join('\n');
}

const roleModel: fc.Arbitrary<RoleModel> = fc.record({
  label: fc.constantFrom('a', 'b', 'c', 'd'),
  createdb: fc.boolean(),
  inherit: fc.boolean(),
  connection_limit: fc.integer({ min: -1, max: 50 }),
  comment: fc.option(fc.constantFrom('reader', 'writer', "it's quoted"), { nil: null }),
  memberOf: fc.uniqueArray(fc.nat({ max: 3 }), { maxLength: 2 }),
  settings: fc
    .subarray([['statement_timeout', '5s'], ['work_mem', '64MB'], ['search_path', 'public']] as Array<[string, string]>)
    .map((pairs) => Object.fromEntries(pairs)),
  privileges: fc.subarray(['CONNECT', 'CREATE', 'TEMPORARY']),
  tables: fc.record({ privileges: fc.subarray(['SELECT', 'INSERT', 'UPDATE', 'DELETE']), future: fc.boolean() }),
});

const model: fc.Arbitrary<Model> = fc.record({
  database: fc.record({
    connection_limit: fc.integer({ min: -1, max: 100 }),
    comment: fc.option(fc.constantFrom('app data', 'x'), { nil: null }),
    present: fc.boolean(),
  }),
  schemas: fc.uniqueArray(
    fc.record({
      label: fc.constantFrom<'s1' | 's2'>('s1', 's2'),
      // Only the first role owns schemas: it has no parents, so an owner never depends (through
      // member_of) on a role that grants on the schema it owns — that would be a cycle.
      owner: fc.option(fc.constant(0), { nil: null }),
      comment: fc.option(fc.constantFrom('api', 'raw data'), { nil: null }),
    }),
    { maxLength: 2, selector: (x) => x.label },
  ),
  roles: fc.uniqueArray(roleModel, { maxLength: 3, selector: (r) => r.label }),
  account: fc.record({
    present: fc.boolean(),
    connection_limit: fc.integer({ min: -1, max: 20 }),
    memberOf: fc.uniqueArray(fc.nat({ max: 2 }), { maxLength: 2 }),
    schemas: fc.subarray(['s1', 's2']),
  }),
});

// ---------------------------------------------------------------------------------------
// Running xp.

function write(dir: string, text: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.xp'), text);
}

async function planJson(dir: string, extra: string[] = []): Promise<Plan> {
  const r = await xp(['plan', '--json', '--database-url', url, ...extra], { cwd: dir });
  expect(r.stderr.replace(/^xp: installed the xplane provider.*\n/m, ''), 'plan --json wrote to stderr').toBe('');
  expect(r.code, r.stdout).toBe(0);
  return JSON.parse(r.stdout) as Plan;
}

/** What apply did, from its JSON lines: address → action, for every finished step. */
async function applyJson(dir: string, args: string[]): Promise<{ done: Map<string, string>; events: ApplyEvent[]; code: number | null; stderr: string }> {
  const r = await xp([...args, '--json', '--database-url', url], { cwd: dir });
  const events = r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ApplyEvent);
  const done = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'resource_done') done.set(e.address, e.action);
    if (e.type === 'resource_failed') throw new Error(`${e.address} failed: ${e.statusCode} ${e.message}`);
  }
  return { done, events, code: r.code, stderr: r.stderr };
}

const changes = (plan: Plan) => new Map(plan.resources.filter((r) => r.action !== 'no-op').map((r) => [r.address, r.action]));

async function applyAgrees(dir: string): Promise<Plan> {
  const plan = await planJson(dir);
  expect(plan.errors).toEqual([]);
  const applied = await applyJson(dir, ['apply', '--auto-approve']);
  expect(applied.code, applied.stderr).toBe(0);
  expect(applied.done).toEqual(changes(plan));
  const complete = applied.events.find((e) => e.type === 'complete');
  if (changes(plan).size > 0) {
    expect(complete).toMatchObject({ added: plan.summary.add, changed: plan.summary.change, destroyed: plan.summary.destroy + plan.summary.forget, failed: 0 });
  }
  const after = await planJson(dir);
  expect([...changes(after)], 'a plan right after apply shows no changes').toEqual([]);
  return plan;
}

describe('plan and apply agree', () => {
  it('apply performs exactly the planned actions, and the next plan is empty, for generated configurations', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(model, model, async (first, second) => {
        const stack = `agree${run++}`;
        const dir = join(tempDir(), stack);
        const names = { db: unique('xpa_db'), prefix: unique('xpa') };
        try {
          write(dir, render(first, names));
          await applyAgrees(dir);
          write(dir, render(second, names));
          await applyAgrees(dir);
        } finally {
          const destroyed = await applyJson(dir, ['destroy', '--auto-approve', '--allow-data-loss']);
          expect(destroyed.code, destroyed.stderr).toBe(0);
        }
      }),
      { numRuns: 6, endOnFailure: true },
    );
  }, 300_000);

  it('a saved plan is applied as is, and refused once the server changed', async () => {
    const dir = join(tempDir(), 'saved');
    const names = { db: unique('xps_db'), prefix: unique('xps') };
    const m: Model = {
      database: { connection_limit: 5, comment: null, present: true },
      schemas: [],
      roles: [
        { label: 'a', createdb: false, inherit: true, connection_limit: -1, comment: null, memberOf: [], settings: {}, privileges: ['CONNECT'], tables: { privileges: [], future: false } },
      ],
      account: { present: false, connection_limit: -1, memberOf: [], schemas: [] },
    };
    write(dir, render(m, names));
    try {
      const out = join(dir, 'plan.json');
      expect((await xp(['plan', '--out', out, '--database-url', url], { cwd: dir })).code).toBe(0);
      const saved = JSON.parse((await import('node:fs')).readFileSync(out, 'utf8')).plan as Plan;
      // The configuration changes after the plan was saved: the saved plan is what gets applied.
      write(dir, render({ ...m, database: { ...m.database, connection_limit: 7 } }, names));
      const applied = await applyJson(dir, ['apply', out]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.done).toEqual(changes(saved));
      const limit = await withClient(adminUrl, (c) => c.query('select datconnlimit from pg_database where datname = $1', [names.db]));
      expect(limit.rows[0]!.datconnlimit).toBe(5);

      // Planned against one server state, applied against another: refused, nothing changed.
      expect((await xp(['plan', '--out', out, '--database-url', url], { cwd: dir })).code).toBe(0);
      await withClient(adminUrl, (c) => c.query(`alter database ${pg.escapeIdentifier(names.db)} connection limit 9`));
      const stale = await xp(['apply', out, '--database-url', url], { cwd: dir });
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain(`Saved plan is stale: database.${names.db} changed on the server since the plan was made.`);
      const still = await withClient(adminUrl, (c) => c.query('select datconnlimit from pg_database where datname = $1', [names.db]));
      expect(still.rows[0]!.datconnlimit).toBe(9);
    } finally {
      await applyJson(dir, ['destroy', '--auto-approve', '--allow-data-loss']);
    }
  });

  it('--target applies exactly the target and what it depends on', async () => {
    const dir = join(tempDir(), 'target');
    const names = { db: unique('xpt_db'), prefix: unique('xpt') };
    const m: Model = {
      database: { connection_limit: 3, comment: null, present: true },
      schemas: [],
      roles: [
        { label: 'a', createdb: false, inherit: true, connection_limit: -1, comment: null, memberOf: [], settings: {}, privileges: ['CONNECT'], tables: { privileges: [], future: false } },
        { label: 'b', createdb: false, inherit: true, connection_limit: -1, comment: null, memberOf: [], settings: {}, privileges: [], tables: { privileges: [], future: false } },
      ],
      account: { present: false, connection_limit: -1, memberOf: [], schemas: [] },
    };
    write(dir, render(m, names));
    try {
      const target = `role.${names.prefix}_a`;
      const plan = await planJson(dir, ['--target', target]);
      expect([...changes(plan)]).toEqual([
        [`database.${names.db}`, 'create'],
        [target, 'create'],
      ]);
      const applied = await applyJson(dir, ['apply', '--auto-approve', '--target', target]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.done).toEqual(changes(plan));
      expect([...changes(await planJson(dir))]).toEqual([[`role.${names.prefix}_b`, 'create']]);
    } finally {
      await applyJson(dir, ['destroy', '--auto-approve', '--allow-data-loss']);
    }
  });

  it('--replace of a service account rotates its password: new verifier, new secret file', async () => {
    const dir = join(tempDir(), 'rotate');
    const names = { db: unique('xpr_db'), prefix: unique('xpr') };
    const m: Model = {
      database: { connection_limit: -1, comment: null, present: true },
      schemas: [],
      roles: [],
      account: { present: true, connection_limit: -1, memberOf: [], schemas: [] },
    };
    write(dir, render(m, names));
    const account = `${names.prefix}_svc`;
    const secret = () => (readFileSync(join(dir, 'secrets', 'svc.env'), 'utf8').match(/PASSWORD=(.*)/) ?? [])[1];
    const verifier = () => withClient(adminUrl, async (c) => (await c.query('select rolpassword from pg_authid where rolname = $1', [account])).rows[0]?.rolpassword as string);
    try {
      await applyAgrees(dir);
      const before = { secret: secret(), verifier: await verifier() };
      expect(before.secret).toMatch(/^\S{32,}$/);
      expect(before.verifier).toMatch(/^SCRAM-SHA-256\$/);

      const address = `service_account.${account}`;
      const plan = await planJson(dir, ['--replace', address]);
      expect(plan.resources.filter((r) => r.action !== 'no-op').map((r) => [r.address, r.action, r.destructive, r.passwordSource])).toEqual([
        [address, 'replace', false, 'generated'],
      ]);
      const applied = await applyJson(dir, ['apply', '--auto-approve', '--replace', address]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.done).toEqual(changes(plan));
      expect(secret()).not.toBe(before.secret);
      expect(await verifier()).not.toBe(before.verifier);
      expect([...changes(await planJson(dir))]).toEqual([]);
    } finally {
      await applyJson(dir, ['destroy', '--auto-approve', '--allow-data-loss']);
    }
  });

  it('a destructive replace drops and re-creates; an immutable change is refused until --replace names it', async () => {
    const dir = join(tempDir(), 'replace');
    const db = unique('xpx_db');
    const role = unique('xpx_role');
    const files = (encoding: string) =>
      `database ${q(db)} {\n  encoding = ${q(encoding)}\n  template = "template0"\n}\n\nrole ${q(role)} {\n  comment = "kept"\n}\n`;
    const oid = (sql: string, name: string) => withClient(adminUrl, async (c) => (await c.query(sql, [name])).rows[0]?.oid as number | undefined);
    const roleOid = () => oid('select oid::int from pg_roles where rolname = $1', role);
    const dbOid = () => oid('select oid::int from pg_database where datname = $1', db);
    write(dir, files('UTF8'));
    try {
      await applyAgrees(dir);
      const before = { role: await roleOid(), db: await dbOid() };

      // --replace of a role: dropped and created again (a new oid), exactly as planned.
      const plan = await planJson(dir, ['--replace', `role.${role}`]);
      expect([...changes(plan)]).toEqual([[`role.${role}`, 'replace']]);
      const replaced = await applyJson(dir, ['apply', '--auto-approve', '--replace', `role.${role}`]);
      expect(replaced.code, replaced.stderr).toBe(0);
      expect(replaced.done).toEqual(changes(plan));
      expect(await roleOid()).not.toBe(before.role);

      // An encoding change is refused, with what to do, and nothing changes.
      write(dir, files('SQL_ASCII'));
      const refused = await xp(['plan', '--database-url', url], { cwd: dir });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain(`Error: database.${db}: encoding cannot change in place ("UTF8" → "SQL_ASCII")`);
      const notApplied = await xp(['apply', '--auto-approve', '--database-url', url], { cwd: dir });
      expect(notApplied.code).toBe(1);
      expect(await dbOid()).toBe(before.db);

      // Named by --replace (and the database is empty): re-created with the new encoding.
      const again = await planJson(dir, ['--replace', `database.${db}`]);
      expect(again.errors).toEqual([]);
      expect([...changes(again)]).toEqual([[`database.${db}`, 'replace']]);
      const done = await applyJson(dir, ['apply', '--auto-approve', '--replace', `database.${db}`]);
      expect(done.code, done.stderr).toBe(0);
      expect(done.done).toEqual(changes(again));
      const enc = await withClient(adminUrl, (c) => c.query('select pg_encoding_to_char(encoding) as e from pg_database where datname = $1', [db]));
      expect(enc.rows[0]!.e).toBe('SQL_ASCII');
      expect(await dbOid()).not.toBe(before.db);
      expect([...changes(await planJson(dir))]).toEqual([]);
    } finally {
      await applyJson(dir, ['destroy', '--auto-approve', '--allow-data-loss']);
    }
  });

  it('a database holding a table is not dropped without --allow-data-loss', async () => {
    const dir = join(tempDir(), 'data');
    const db = unique('xpl_db');
    write(dir, `database ${q(db)} {}\n`);
    try {
      await applyAgrees(dir);
      await withClient(urlFor(adminUrl, { database: db }), (c) => c.query('create table orders (id int)'));
      const plan = await planJson(dir, ['--destroy', '--allow-data-loss']);
      expect(plan.resources[0]).toMatchObject({ action: 'delete', dataLoss: { checked: true, tables: 1, examples: ['public.orders'], allowed: true } });

      const refused = await xp(['destroy', '--auto-approve', '--database-url', url], { cwd: dir });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('# WARNING: DATA LOSS: this drops 1 table (public.orders) — refused without --allow-data-loss');
      expect(refused.stderr).toContain(`Error: database.${db}: Dropping database "${db}" would destroy 1 table (public.orders).`);
      const still = await withClient(adminUrl, (c) => c.query('select 1 from pg_database where datname = $1', [db]));
      expect(still.rowCount).toBe(1);

      const destroyed = await applyJson(dir, ['destroy', '--auto-approve', '--allow-data-loss']);
      expect(destroyed.code, destroyed.stderr).toBe(0);
      expect(destroyed.done).toEqual(changes(plan));
    } finally {
      await applyJson(dir, ['destroy', '--auto-approve', '--allow-data-loss']);
    }
  });

  it('an orphaned resource no longer declared is forgotten and left on the server', async () => {
    const dir = join(tempDir(), 'orphan');
    const kept = unique('xpo_kept');
    const gone = unique('xpo_gone');
    write(dir, `role ${q(kept)} {\n  lifecycle {\n    deletion_policy = "orphan"\n  }\n}\n\nrole ${q(gone)} {}\n`);
    try {
      await applyAgrees(dir);
      write(dir, `role ${q(gone)} {}\n`);
      const plan = await planJson(dir);
      expect(plan.resources.find((r) => r.address === `role.${kept}`)).toMatchObject({ action: 'delete', orphan: true, destructive: false });
      expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 0, forget: 1 });
      await applyAgrees(dir);
      const left = await withClient(adminUrl, (c) => c.query('select 1 from pg_roles where rolname = $1', [kept]));
      expect(left.rowCount).toBe(1);
    } finally {
      await applyJson(dir, ['destroy', '--auto-approve']);
      await withClient(adminUrl, (c) => c.query(`drop role if exists ${pg.escapeIdentifier(kept)}`));
    }
  });

  it('destroy performs exactly the deletes of its plan', async () => {
    const dir = join(tempDir(), 'gone');
    const names = { db: unique('xpd_db'), prefix: unique('xpd') };
    const m: Model = {
      database: { connection_limit: -1, comment: 'x', present: true },
      schemas: [{ label: 's1', owner: 0, comment: 'api' }],
      roles: [
        { label: 'a', createdb: true, inherit: true, connection_limit: 3, comment: null, memberOf: [], settings: { work_mem: '64MB' }, privileges: ['CONNECT'], tables: { privileges: [], future: false } },
        { label: 'b', createdb: false, inherit: false, connection_limit: -1, comment: 'b', memberOf: [0], settings: {}, privileges: [], tables: { privileges: ['SELECT'], future: true } },
      ],
      account: { present: true, connection_limit: 2, memberOf: [1], schemas: ['s1'] },
    };
    write(dir, render(m, names));
    await applyAgrees(dir);
    const plan = await planJson(dir, ['--destroy']);
    expect([...changes(plan).values()].every((a) => a === 'delete')).toBe(true);
    expect(changes(plan).size).toBe(5);
    const destroyed = await applyJson(dir, ['destroy', '--auto-approve']);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.done).toEqual(changes(plan));
    const left = await withClient(adminUrl, (c) =>
      c.query('select rolname from pg_roles where rolname like $1 union all select datname from pg_database where datname = $2', [`${names.prefix}%`, names.db]),
    );
    expect(left.rows).toEqual([]);
  });
});

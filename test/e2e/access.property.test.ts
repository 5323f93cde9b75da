// The access model, as a property: random roles (attributes, memberships with or without
// ADMIN OPTION), grants at the
// database, schema and table level (with default privileges, and global default privileges on
// sequences: ALTER DEFAULT PRIVILEGES without IN SCHEMA) and a service account → apply →
// the catalog holds exactly the declaration (read the way a DBA would: pg_roles,
// pg_auth_members, aclexplode of datacl / nspacl / relacl, pg_default_acl) and the plan is
// empty → random drift made by hand → the plan shows exactly the resources drifted → apply →
// the catalog equals the declaration again and the plan is empty.
import { expect, it } from 'vitest';
import fc from 'fast-check';
import type pg from 'pg';
import { configDir, onEachServer, serverUrl, unique, urlFor, withClient, writeConfig } from './xp.js';
import { xpInProcess } from './in-process.js';

const ROLES = 4;
const DB_PRIVILEGES = ['CONNECT', 'CREATE', 'TEMPORARY'];
const SCHEMA_PRIVILEGES = ['CREATE', 'USAGE'];
const TABLE_PRIVILEGES = ['DELETE', 'INSERT', 'SELECT', 'UPDATE'];
const SEQUENCE_PRIVILEGES = ['SELECT', 'UPDATE', 'USAGE'];

interface RoleModel {
  createdb: boolean;
  inherit: boolean;
  limit: number;
  /** Indexes of earlier roles it is a member of (a DAG: no cycle). */
  memberOf: number[];
  /** Of those, the ones it holds WITH ADMIN OPTION (a `membership` block): admins ∩ memberOf. */
  admins: number[];
  db: string[];
  schema: string[];
  tables: string[];
  future: boolean;
  /** Global default privileges on sequences (a grant without schema), for xp's role. */
  globalSequences: string[];
}
interface Model {
  roles: RoleModel[];
  account: { memberOf: number[] };
}

const sortedSubset = (xs: string[]) => fc.subarray(xs).map((s) => [...s].sort());
const model: fc.Arbitrary<Model> = fc.record({
  roles: fc.tuple(
    ...Array.from({ length: ROLES }, (_, i) =>
      fc.record({
        createdb: fc.boolean(),
        inherit: fc.boolean(),
        limit: fc.integer({ min: -1, max: 20 }),
        memberOf: fc.subarray(Array.from({ length: i }, (_, j) => j)),
        admins: fc.subarray(Array.from({ length: i }, (_, j) => j)),
        db: sortedSubset(DB_PRIVILEGES),
        schema: sortedSubset(SCHEMA_PRIVILEGES),
        tables: sortedSubset(TABLE_PRIVILEGES),
        future: fc.boolean(),
        globalSequences: sortedSubset(SEQUENCE_PRIVILEGES),
      }),
    ),
  ),
  account: fc.record({ memberOf: fc.subarray(Array.from({ length: ROLES }, (_, j) => j)) }),
});

/** A change made by hand, and the address whose plan must show it. */
type Drift =
  | { kind: 'attribute'; role: number }
  | { kind: 'revoke-member'; role: number; of: number }
  | { kind: 'grant-member'; role: number; of: number }
  | { kind: 'admin-member'; role: number; of: number }
  | { kind: 'db'; role: number; privilege: string }
  | { kind: 'schema'; role: number; privilege: string }
  | { kind: 'table'; role: number; privilege: string }
  | { kind: 'global'; role: number; privilege: string };

const drift: fc.Arbitrary<Drift[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('attribute' as const), role: fc.nat(ROLES - 1) }),
    fc.record({ kind: fc.constant('revoke-member' as const), role: fc.nat(ROLES - 1), of: fc.nat(ROLES - 1) }),
    fc.record({ kind: fc.constant('grant-member' as const), role: fc.nat(ROLES - 1), of: fc.nat(ROLES - 1) }),
    fc.record({ kind: fc.constant('admin-member' as const), role: fc.nat(ROLES - 1), of: fc.nat(ROLES - 1) }),
    fc.record({ kind: fc.constant('db' as const), role: fc.nat(ROLES - 1), privilege: fc.constantFrom(...DB_PRIVILEGES) }),
    fc.record({ kind: fc.constant('schema' as const), role: fc.nat(ROLES - 1), privilege: fc.constantFrom(...SCHEMA_PRIVILEGES) }),
    fc.record({ kind: fc.constant('table' as const), role: fc.nat(ROLES - 1), privilege: fc.constantFrom(...TABLE_PRIVILEGES) }),
    fc.record({ kind: fc.constant('global' as const), role: fc.nat(ROLES - 1), privilege: fc.constantFrom(...SEQUENCE_PRIVILEGES) }),
  ),
  { minLength: 1, maxLength: 3 },
);

const q = JSON.stringify;

function render(p: string, m: Model): string {
  const list = (xs: string[]) => `[${xs.map((x) => q(x)).join(', ')}]`;
  const out = [`database "db" {\n  name = ${q(`${p}_db`)}\n}\n`, `schema "s" {\n  name     = "s"\n  database = database.db\n}\n`];
  m.roles.forEach((r, i) => {
    const grants = [
      r.db.length ? `  grant {\n    database   = database.db\n    on         = "database"\n    privileges = ${list(r.db)}\n  }\n` : '',
      r.schema.length ? `  grant {\n    database   = database.db\n    schema     = schema.s\n    on         = "schema"\n    privileges = ${list(r.schema)}\n  }\n` : '',
      r.tables.length ? `  grant {\n    database   = database.db\n    schema     = schema.s\n    privileges = ${list(r.tables)}\n    future     = ${r.future}\n  }\n` : '',
      r.globalSequences.length
        ? `  grant {\n    database   = database.db\n    on         = "sequences"\n    privileges = ${list(r.globalSequences)}\n    future     = true\n  }\n`
        : '',
    ].join('');
    const admin = (j: number) => r.admins.includes(j);
    const memberships = r.memberOf.filter(admin).map((j) => `  membership {\n    role  = role.r${j}\n    admin = true\n  }\n`).join('');
    out.push(
      `role "r${i}" {\n  name             = ${q(`${p}_r${i}`)}\n  createdb         = ${r.createdb}\n  inherit          = ${r.inherit}\n  connection_limit = ${r.limit}\n  member_of        = [${r.memberOf
        .filter((j) => !admin(j))
        .map((j) => `role.r${j}`)
        .join(', ')}]\n${memberships}${grants}}\n`,
    );
  });
  out.push(`service_account "a" {\n  name      = ${q(`${p}_a`)}\n  database  = database.db\n  password  = "pw-${p}"\n  member_of = [${m.account.memberOf.map((j) => `role.r${j}`).join(', ')}]\n}\n`);
  return out.join('\n');
}

/** What the catalog holds for this test's roles, in the model's terms. */
async function catalog(url: string, p: string): Promise<unknown> {
  const roles = Array.from({ length: ROLES }, (_, i) => `${p}_r${i}`);
  const read = (c: pg.Client, sql: string, account = false) => c.query(sql, account ? [roles, `${p}_a`] : [roles]).then((r) => r.rows);
  const cluster = await withClient(url, async (c) => ({
    attributes: await read(c, `select rolname, rolcreatedb, rolinherit, rolconnlimit, rolcanlogin from pg_roles where rolname = any ($1) order by 1`),
    members: await read(
      c,
      `select u.rolname as member, r.rolname as of, bool_or(m.admin_option) as admin
         from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member
        where u.rolname = any ($1) or u.rolname = $2 group by 1, 2 order by 1, 2`,
      true,
    ),
    db: await read(
      c,
      `select g.rolname, a.privilege_type from pg_database d, aclexplode(d.datacl) a join pg_roles g on g.oid = a.grantee
        where d.datname = '${p}_db' and g.rolname = any ($1) order by 1, 2`,
    ),
  }));
  const inDb = await withClient(urlFor(url, { database: `${p}_db` }), async (c) => ({
    schema: await read(c, `select g.rolname, a.privilege_type from pg_namespace n, aclexplode(n.nspacl) a join pg_roles g on g.oid = a.grantee where n.nspname = 's' and g.rolname = any ($1) order by 1, 2`),
    tables: await read(c, `select g.rolname, a.privilege_type from pg_class t, aclexplode(t.relacl) a join pg_roles g on g.oid = a.grantee where t.oid = 's.t'::regclass and g.rolname = any ($1) order by 1, 2`),
    defaults: await read(
      c,
      `select distinct g.rolname, a.privilege_type from pg_default_acl d join pg_namespace n on n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a join pg_roles g on g.oid = a.grantee
        where n.nspname = 's' and d.defaclobjtype = 'r' and g.rolname = any ($1) order by 1, 2`,
    ),
    // global rows (namespace 0): the creator's own entry is the built-in default, not a grant
    global: await read(
      c,
      `select distinct g.rolname, a.privilege_type from pg_default_acl d, aclexplode(d.defaclacl) a join pg_roles g on g.oid = a.grantee
        where d.defaclnamespace = 0 and d.defaclobjtype = 'S' and a.grantee <> d.defaclrole and g.rolname = any ($1) order by 1, 2`,
    ),
  }));
  return { ...cluster, ...inDb };
}

/** The catalog the model declares. */
function expected(p: string, m: Model): unknown {
  const name = (i: number) => `${p}_r${i}`;
  const pairs = (pick: (r: RoleModel) => string[]) => m.roles.flatMap((r, i) => pick(r).map((privilege_type) => ({ rolname: name(i), privilege_type })));
  return {
    attributes: m.roles.map((r, i) => ({ rolname: name(i), rolcreatedb: r.createdb, rolinherit: r.inherit, rolconnlimit: r.limit, rolcanlogin: false })),
    members: [
      ...m.roles.flatMap((r, i) => r.memberOf.map((j) => ({ member: name(i), of: name(j), admin: r.admins.includes(j) }))),
      ...m.account.memberOf.map((j) => ({ member: `${p}_a`, of: name(j), admin: false })),
    ].sort(
      (a, b) => (a.member + ' ' + a.of < b.member + ' ' + b.of ? -1 : 1),
    ),
    db: pairs((r) => r.db),
    schema: pairs((r) => r.schema),
    tables: pairs((r) => r.tables),
    defaults: pairs((r) => (r.future ? r.tables : [])),
    global: pairs((r) => r.globalSequences),
  };
}

/** Makes the drift by hand; returns the addresses whose plan must change (those it really changed). */
async function makeDrift(url: string, p: string, m: Model, changes: Drift[]): Promise<Set<string>> {
  const touched = new Set<string>();
  const role = (i: number) => `"${p}_r${i}"`;
  for (const d of changes) {
    const r = m.roles[d.role]!;
    if (d.kind === 'attribute') {
      await withClient(url, (c) => c.query(`alter role ${role(d.role)} ${r.createdb ? 'nocreatedb' : 'createdb'}`));
    } else if (d.kind === 'revoke-member' || d.kind === 'grant-member') {
      const declared = r.memberOf.includes(d.of);
      // only a change: revoke a declared membership, grant an undeclared one without a cycle
      if (d.kind === 'revoke-member' ? !declared : declared || d.of >= d.role) continue;
      await withClient(url, (c) => c.query(d.kind === 'revoke-member' ? `revoke ${role(d.of)} from ${role(d.role)}` : `grant ${role(d.of)} to ${role(d.role)}`));
    } else if (d.kind === 'admin-member') {
      // the ADMIN OPTION of a declared membership, added or revoked by hand
      if (!r.memberOf.includes(d.of)) continue;
      await withClient(url, (c) =>
        c.query(r.admins.includes(d.of) ? `revoke admin option for ${role(d.of)} from ${role(d.role)}` : `grant ${role(d.of)} to ${role(d.role)} with admin option`),
      );
    } else {
      // Grants are observed where the role declares some (docs/kinds/role.md, Grants): a
      // privilege given by hand where it declares none is not seen (a known gap, issue 12).
      // Global default privileges: seen in a database the role's grants name.
      const scope =
        d.kind === 'db' ? r.db : d.kind === 'schema' ? [...r.schema, ...r.tables] : d.kind === 'global' ? [...r.db, ...r.schema, ...r.tables, ...r.globalSequences] : r.tables;
      if (scope.length === 0) continue;
      if (d.kind === 'global') {
        const has = r.globalSequences.includes(d.privilege);
        await withClient(urlFor(url, { database: `${p}_db` }), (c) =>
          c.query(`alter default privileges ${has ? 'revoke' : 'grant'} ${d.privilege} on sequences ${has ? 'from' : 'to'} ${role(d.role)}`),
        );
        touched.add(`role.r${d.role}`);
        continue;
      }
      const declared = (d.kind === 'db' ? r.db : d.kind === 'schema' ? r.schema : r.tables).includes(d.privilege);
      const on = d.kind === 'db' ? `database "${p}_db"` : d.kind === 'schema' ? 'schema s' : 'table s.t';
      await withClient(urlFor(url, { database: `${p}_db` }), (c) => c.query(declared ? `revoke ${d.privilege} on ${on} from ${role(d.role)}` : `grant ${d.privilege} on ${on} to ${role(d.role)}`));
    }
    touched.add(`role.r${d.role}`);
  }
  return touched;
}

onEachServer('the access model (property)', { timeout: 900_000 }, () => {
  it('random models: applied exactly, plan empty, hand-made drift planned exactly and healed', async () => {
    await fc.assert(
      fc.asyncProperty(model, drift, async (m, changes) => {
        const p = unique('acc');
        const url = serverUrl();
        const dir = configDir(p, { 'main.xp': `database "db" {\n  name = ${q(`${p}_db`)}\n}\n\nschema "s" {\n  name     = "s"\n  database = database.db\n}\n` });
        const run = async (args: string[]) => {
          const r = await xpInProcess([...args, '--database-url', url], { cwd: dir });
          if (r.code !== 0 && !(args.includes('--detailed-exitcode') && r.code === 2)) throw new Error(`xp ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
          return r;
        };
        const changed = async () => {
          const plan = JSON.parse((await run(['plan', '--json'])).stdout) as { resources: Array<{ address: string; action: string }> };
          return plan.resources.filter((r) => r.action !== 'no-op').map((r) => `${r.action} ${r.address}`).sort();
        };
        try {
          await run(['apply', '--auto-approve']);
          // the table exists before the grants: "on tables" covers it, future covers later ones
          await withClient(urlFor(url, { database: `${p}_db` }), (c) => c.query('create table s.t (id int)'));
          writeConfig(dir, { 'main.xp': render(p, m) });
          await run(['apply', '--auto-approve']);
          expect(await catalog(url, p)).toEqual(expected(p, m));
          expect(await changed()).toEqual([]);

          const touched = await makeDrift(url, p, m, changes);
          expect(await changed()).toEqual([...touched].map((a) => `update ${a}`).sort());
          await run(['apply', '--auto-approve']);
          expect(await catalog(url, p)).toEqual(expected(p, m));
          expect(await changed()).toEqual([]);
        } finally {
          await run(['destroy', '--auto-approve', '--allow-data-loss']).catch(() => undefined);
        }
      }),
      { numRuns: Number(process.env.XP_PROPERTY_RUNS ?? 6) },
    );
  });
});

// @ts-check
// What a tool left on the server, in two comparable forms:
// - `normalisedDump`: pg_dumpall --roles-only plus pg_dump --schema-only --create of the two
//   benchmark databases, with passwords removed, VALID UNTIL 'infinity' read as no expiry,
//   and lines sorted (the order in which a tool created things, and the salt of a SCRAM
//   verifier, are not part of the result), each line run as another role (a third grantor's
//   grant) marked with that role;
// - `catalogCounts`: the objects of the benchmark state counted in the catalog.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { PG_BIN, libpqEnv } from './server.js';

/** @typedef {import('./generate.js').BenchState} BenchState */

/** @param {string} bin @param {string[]} args @param {NodeJS.ProcessEnv} env */
function capture(bin, args, env) {
  const r = spawnSync(join(PG_BIN, bin), args, { encoding: 'utf8', env, maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Lines that say nothing about the result: comments, session settings, psql's
 * \restrict/\unrestrict guards (random per dump), blank lines.
 * @param {string} line
 */
const isNoise = (line) =>
  line === '' || line.startsWith('--') || line.startsWith('SET ') || line.startsWith('\\restrict') || line.startsWith('\\unrestrict') ||
  line.startsWith('SELECT pg_catalog.set_config(');

/**
 * A dump's lines, each run as another role (between SET SESSION AUTHORIZATION and RESET SESSION
 * AUTHORIZATION: a grant by a third grantor) marked with it, `[as "grantor"] GRANT …`, so that
 * sorting keeps who granted what (the SET lines are noise otherwise).
 * @param {string} dump
 */
function asAuthorization(dump) {
  /** @type {string | undefined} */
  let as;
  /** @type {string[]} */
  const out = [];
  for (const line of dump.split('\n')) {
    const set = /^SET SESSION AUTHORIZATION (.*);$/.exec(line);
    if (set) as = set[1];
    else if (line === 'RESET SESSION AUTHORIZATION;') as = undefined;
    else out.push(as === undefined || isNoise(line) ? line : `[as ${as}] ${line}`);
  }
  return out;
}

/**
 * @param {{host:string,port:number,user:string,password:string}} server
 * @param {BenchState} state
 * @returns {{ text: string, digest: string }}
 */
export function normalisedDump(server, state) {
  const env = libpqEnv(server);
  const roles = capture('pg_dumpall', ['--roles-only', '--no-role-passwords', '-l', 'postgres'], env);
  const dbs = [state.appDatabase, state.otherDatabase].map((db) => capture('pg_dump', ['--schema-only', '--create', '-d', db], env));
  const lines = [roles, ...dbs]
    .flatMap(asAuthorization)
    // VALID UNTIL 'infinity' and no VALID UNTIL both mean "never expires" (xp writes
    // 'infinity', the only value ALTER ROLE has to lift an expiry someone set by hand)
    .map((l) => l.replace(/ PASSWORD '[^']*'/g, '').replace(/ VALID UNTIL 'infinity'/g, '').trimEnd())
    .filter((l) => !isNoise(l));
  lines.sort();
  const text = `${lines.join('\n')}\n`;
  return { text, digest: createHash('sha256').update(text).digest('hex').slice(0, 16) };
}

/**
 * A line diff of two sorted dumps: what only one side has.
 * @param {string} a @param {string} b
 */
export function dumpDifference(a, b) {
  const count = (/** @type {string} */ t) => {
    /** @type {Map<string, number>} */
    const m = new Map();
    for (const l of t.split('\n')) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const [ca, cb] = [count(a), count(b)];
  const onlyA = [...ca].filter(([l, n]) => (cb.get(l) ?? 0) < n).map(([l]) => l);
  const onlyB = [...cb].filter(([l, n]) => (ca.get(l) ?? 0) < n).map(([l]) => l);
  return { onlyA, onlyB };
}

/**
 * The benchmark's objects counted in the catalog. `tableGrants` is not observable (the
 * schemas hold no tables, so GRANT … ON ALL TABLES leaves no trace) and is left out.
 * @param {string} url superuser URL to any database of the server
 * @param {BenchState} state
 */
export async function catalogCounts(url, state) {
  const appUrl = new URL(url);
  appUrl.pathname = `/${state.appDatabase}`;
  const cluster = new pg.Client({ connectionString: url });
  const app = new pg.Client({ connectionString: appUrl.toString() });
  await cluster.connect();
  try {
    await app.connect();
    try {
      const tenants = state.tenants;
      const groups = tenants.map((t) => `${t}_group`);
      const apps = tenants.map((t) => `${t}_app`);
      const one = async (/** @type {pg.Client} */ c, /** @type {string} */ sql, /** @type {unknown[]} */ params) =>
        Number((await c.query(sql, params)).rows[0].n);
      return {
        databases: await one(cluster, 'select count(*) n from pg_database where datname = any($1)', [[state.appDatabase, state.otherDatabase]]),
        extensions: await one(app, "select count(*) n from pg_extension where extname = 'pgcrypto'", []),
        groupRoles: await one(cluster, 'select count(*) n from pg_roles where rolname = any($1) and not rolcanlogin', [groups]),
        loginRoles: await one(cluster, 'select count(*) n from pg_roles where rolname = any($1) and rolcanlogin and rolpassword is not null', [apps]),
        schemas: await one(app, 'select count(*) n from pg_namespace where nspname = any($1)', [tenants]),
        memberships: await one(
          cluster,
          `select count(*) n from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member
            where u.rolname = any($1) and r.rolname = regexp_replace(u.rolname, '_app$', '_group')`,
          [apps],
        ),
        databaseConnect: await one(
          cluster,
          `select count(*) n from pg_database d, aclexplode(d.datacl) a join pg_roles r on r.oid = a.grantee
            where d.datname = $1 and a.privilege_type = 'CONNECT' and r.rolname = any($2)`,
          [state.appDatabase, apps],
        ),
        schemaUsage: await one(
          app,
          `select count(*) n from pg_namespace s, aclexplode(s.nspacl) a join pg_roles r on r.oid = a.grantee
            where s.nspname = any($1) and a.privilege_type = 'USAGE' and r.rolname = s.nspname || '_app'`,
          [tenants],
        ),
        defaultPrivileges: await one(
          app,
          `select count(*) n from pg_default_acl d join pg_namespace s on s.oid = d.defaclnamespace
            where s.nspname = any($1) and d.defaclobjtype = 'r'
              and (select array_agg(a.privilege_type::text order by a.privilege_type) from aclexplode(d.defaclacl) a
                    join pg_roles r on r.oid = a.grantee where r.rolname = s.nspname || '_app') = array['INSERT', 'SELECT']`,
          [tenants],
        ),
      };
    } finally {
      await app.end();
    }
  } finally {
    await cluster.end();
  }
}

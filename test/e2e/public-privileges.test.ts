// PUBLIC as a grantee (public_privileges of database and schema), and the documented way to
// keep a hand-made object-level grant (docs/kinds/role.md, "Keeping a hand-made grant"):
// through the CLI, checked in the catalog the way a DBA would (has_*_privilege, aclexplode).
import { expect, it } from 'vitest';
import { configDir, expectOk, unique, urlFor, withClient, writeConfig, xp, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

/** What PUBLIC holds on the database and on its schemas public and api (aclexplode, grantee 0). */
async function publicHolds(db: string): Promise<Record<string, string>> {
  const database = await withClient(url(), async (c) => {
    const { rows } = await c.query(
      `select coalesce(string_agg(a.privilege_type, ',' order by a.privilege_type), '') as p
         from pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a where d.datname = $1 and a.grantee = 0`,
      [db],
    );
    return rows[0].p as string;
  });
  const schemas = await withClient(urlFor(url(), { database: db }), async (c) => {
    const { rows } = await c.query(
      `select n.nspname, coalesce(string_agg(a.privilege_type, ',' order by a.privilege_type) filter (where a.grantee = 0), '') as p
         from pg_namespace n left join lateral aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a on true
        where n.nspname in ('public', 'api') group by 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.nspname, r.p as string]));
  });
  return { database, ...schemas };
}

onEachServer('PUBLIC as a grantee', { timeout: 300_000 }, () => {
  it('public_privileges hardens a database and its schemas, shows drift and heals it; plan twice is empty', async () => {
    const p = unique('pub');
    const db = `${p}_db`;
    const config = `database "${db}" {
  public_privileges = []
}
schema "pub" {
  name              = "public"
  database          = database.${db}
  owner             = "pg_database_owner"
  public_privileges = ["USAGE"]
}
schema "api" {
  database          = database.${db}
  public_privileges = []
}
role "${p}_app" {
  grant {
    database   = database.${db}
    on         = "database"
    privileges = ["CONNECT"]
  }
}
`;
    const dir = configDir(p, { 'main.xp': config });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const again = await run(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await publicHolds(db)).toEqual({ database: '', public: 'USAGE', api: '' });
    await withClient(url(), async (c) => {
      const { rows } = await c.query(
        `select has_database_privilege('public', $1, 'CONNECT') as pub_connect, has_database_privilege('public', $1, 'TEMPORARY') as pub_temp,
                has_database_privilege($2, $1, 'CONNECT') as app_connect`,
        [db, `${p}_app`],
      );
      expect(rows[0]).toEqual({ pub_connect: false, pub_temp: false, app_connect: true });
    });

    // drift by hand: PUBLIC's pre-15 defaults back
    await withClient(url(), (c) => c.query(`grant connect, temporary on database ${db} to public`));
    await withClient(urlFor(url(), { database: db }), (c) => c.query('grant create on schema public to public; grant usage on schema api to public'));
    const drift = await run(['plan', '--detailed-exitcode']);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toContain(`# database.${db} will be updated in-place`);
    expect(drift.stdout).toMatch(/public_privileges/);
    expect(drift.stdout).toContain('Plan: 0 to add, 3 to change, 0 to destroy.');
    expectOk(await run(['apply', '--auto-approve']));
    expect(await publicHolds(db)).toEqual({ database: '', public: 'USAGE', api: '' });
    const healed = await run(['plan', '--detailed-exitcode']);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);

    // without the attribute, PUBLIC's privileges are left as they are (and never compared)
    writeConfig(dir, { 'main.xp': config.replace('  public_privileges = []\n}\nschema "pub"', '}\nschema "pub"') });
    await withClient(url(), (c) => c.query(`grant temporary on database ${db} to public`));
    const unmanaged = await run(['plan', '--detailed-exitcode']);
    expect(unmanaged.code, unmanaged.stdout + unmanaged.stderr).toBe(0);
    expect((await publicHolds(db)).database).toBe('TEMPORARY');

    expectOk(await run(['destroy', '--auto-approve']));
  });

  it('role "public" is refused at validate, at the block, saying what to write instead', async () => {
    const dir = configDir(unique('pubr'), { 'main.xp': 'role "public" {}\n' });
    const r = await xp(['validate'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('main.xp:1:1: error: role name "public" is reserved: PUBLIC is every role, not a role xp can create');
    expect(r.stderr).toContain('public_privileges');
  });

  it('a hand-made grant on one table is kept by giving it to a declared role whose grants xp ignores', async () => {
    const p = unique('exc');
    const db = `${p}_db`;
    const base = (extra: string) => `database "${db}" {}
schema "api" {
  database = database.${db}
}
role "${p}_app" {
${extra}  grant {
    database   = database.${db}
    schema     = schema.api.name
    privileges = ["SELECT"]
  }
  grant {
    database   = database.${db}
    schema     = schema.api.name
    on         = "schema"
    privileges = ["USAGE"]
  }
}
`;
    const dir = configDir(p, { 'main.xp': base('') });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const dbUrl = urlFor(url(), { database: db });
    await withClient(dbUrl, (c) => c.query(`create table api.orders (id int); create table api.audit (id int); grant select on api.orders, api.audit to ${p}_app`));
    expectOk(await run(['apply', '--auto-approve']));

    // INSERT on one table, by hand, to the role itself: grants are authoritative per schema
    await withClient(dbUrl, (c) => c.query(`grant insert on api.audit to ${p}_app`));
    const revoke = await run(['plan', '--detailed-exitcode']);
    expect(revoke.code, revoke.stdout + revoke.stderr).toBe(2);
    expect(revoke.stdout).toContain('INSERT');

    // the exception: a declared role with no grant in that schema holds it, the app joins it
    await withClient(dbUrl, (c) => c.query(`revoke insert on api.audit from ${p}_app`));
    writeConfig(dir, {
      'main.xp': base(`  member_of = [role.${p}_audit_writer]\n`) + `role "${p}_audit_writer" {\n  lifecycle {\n    ignore_changes = [grants]\n  }\n}\n`,
    });
    expectOk(await run(['apply', '--auto-approve']));
    await withClient(dbUrl, (c) => c.query(`grant insert on api.audit to ${p}_audit_writer`));
    const kept = await run(['plan', '--detailed-exitcode']);
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    await withClient(dbUrl, async (c) => {
      const { rows } = await c.query(
        `select has_table_privilege($1, 'api.audit', 'INSERT') as audit, has_table_privilege($1, 'api.orders', 'INSERT') as orders`,
        [`${p}_app`],
      );
      expect(rows[0]).toEqual({ audit: true, orders: false });
    });
    await withClient(dbUrl, (c) => c.query('drop table api.orders, api.audit'));
    expectOk(await run(['destroy', '--auto-approve']));
  });
});

// Databases and extensions (issue 12): every attribute PostgreSQL stores for them is declared,
// applied, read back the way a DBA would (pg_database, pg_db_role_setting, pg_tablespace,
// pg_extension), shown as drift when changed by hand, healed by apply and by
// xplane.reconcile_all(), reported by `xp status` in observe mode, and planned empty twice
// after apply. What only the server can judge (a tablespace, a setting value, an update path, a
// relocation) is refused by the plan, at the resource.
import { chownSync, rmSync, statSync } from 'node:fs';
import { expect, it } from 'vitest';
import { configDir, expectOk, onEachServer, planSummary, serverUrl, tempDir, unique, withClient, writeConfig, xpIn } from './xp.js';

const url = serverUrl;

interface DatabaseRow {
  datistemplate: boolean;
  datallowconn: boolean;
  spcname: string;
  settings: string[] | null;
}

/** What a DBA reads: pg_database, its tablespace, and its own settings (for every role). */
async function catalogOf(name: string): Promise<DatabaseRow | undefined> {
  return withClient(url(), async (c) => {
    const { rows } = await c.query<DatabaseRow>(
      `select d.datistemplate, d.datallowconn, t.spcname::text as spcname,
              (select array_agg(x order by x) from pg_catalog.pg_db_role_setting s, unnest(s.setconfig) x
                where s.setdatabase = d.oid and s.setrole = 0) as settings
         from pg_catalog.pg_database d join pg_catalog.pg_tablespace t on t.oid = d.dattablespace
        where d.datname = $1`,
      [name],
    );
    return rows[0];
  });
}

/** pg_extension of a database: {name: "version in schema"}. */
async function extensionsIn(database: string): Promise<Record<string, string>> {
  const u = new URL(url());
  u.pathname = `/${database}`;
  return withClient(u.toString(), async (c) => {
    const { rows } = await c.query<{ extname: string; v: string }>(
      `select e.extname::text, e.extversion || ' in ' || n.nspname as v from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace where e.extname <> 'plpgsql'`,
    );
    return Object.fromEntries(rows.map((r) => [r.extname, r.v]));
  });
}

const sql = (text: string, args: unknown[] = []) => withClient(url(), (c) => c.query(text, args));

onEachServer('databases and extensions: declared, observed, drift healed', { timeout: 600_000 }, () => {
  it('is_template, allow_connections and settings: applied, drift seen by plan and status, healed by apply and reconcile_all', async () => {
    const p = unique('dbx');
    const db = `${p}_db`;
    const text = `database "${db}" {
  is_template = true
  tablespace  = "pg_default"
  settings = {
    work_mem          = "64MB"
    search_path       = "app, public"
    "${p}.tenant"     = "acme"
  }
}
`;
    const dir = configDir(p, { 'main.xp': text });
    const run = xpIn(dir, url());
    try {
      expectOk(await run(['apply', '--auto-approve']));
      expect(await catalogOf(db)).toEqual({
        datistemplate: true,
        datallowconn: true,
        spcname: 'pg_default',
        settings: [`${p}.tenant=acme`, 'search_path=app, public', 'work_mem=64MB'],
      });
      // no perpetual diff: twice
      expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
      expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

      // drift by hand, on every new attribute and on allow_connections
      const drift = async () => {
        await sql(`alter database ${db} with is_template false allow_connections false`);
        await sql(`alter database ${db} set statement_timeout = '5s'`);
        await sql(`alter database ${db} reset work_mem`);
      };
      await drift();
      const plan = await planSummary(run);
      expect(plan.change).toBe(1);
      const changes = JSON.parse(plan.changed[0]!.slice(plan.changed[0]!.indexOf('['))) as Array<{ path: string; before: unknown; after: unknown }>;
      expect(changes.map((c) => c.path).sort()).toEqual(['allow_connections', 'is_template', 'settings']);
      expect(changes.find((c) => c.path === 'settings')).toMatchObject({
        before: { [`${p}.tenant`]: 'acme', search_path: 'app, public', statement_timeout: '5s' },
        after: { [`${p}.tenant`]: 'acme', search_path: 'app, public', work_mem: '64MB' },
      });
      const shown = await run(['plan']);
      expect(shown.stdout).toContain(`# database.${db} will be updated in-place`);
      expect(shown.stdout).toContain('# (drifted: changed outside xp)');
      expect(shown.stdout).toMatch(/~ is_template +=  ?false → true/);
      expect(shown.stdout).toMatch(/- statement_timeout = "5s"\n +\+ work_mem +\= "64MB"/);

      // healed by apply
      expectOk(await run(['apply', '--auto-approve']));
      expect(await catalogOf(db)).toEqual({
        datistemplate: true,
        datallowconn: true,
        spcname: 'pg_default',
        settings: [`${p}.tenant=acme`, 'search_path=app, public', 'work_mem=64MB'],
      });
      expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

      // observe mode: drift reported by xp status (Ready=False, Drifted), nothing changed
      await drift();
      await sql(`select xplane.set_stack_mode($1, 'observe')`, [p]);
      await sql(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [p]);
      await sql(`select xplane.reconcile_all($1)`, [p]);
      const status = expectOk(await run(['status']));
      expect(status.stdout).toContain(`database.${db}`);
      expect(status.stdout).toContain('Drifted');
      const { rows } = await sql(`select ready, ready_reason, ready_message from xplane.resource_status where stack = $1 and name = $2`, [p, db]);
      expect(rows[0]).toMatchObject({ ready: 'False', ready_reason: 'Drifted' });
      expect(rows[0].ready_message).toMatch(/is_template/);
      expect(rows[0].ready_message).toMatch(/settings/);
      expect((await catalogOf(db))?.datistemplate).toBe(false);

      // enforce mode: reconcile_all heals it
      await sql(`select xplane.set_stack_mode($1, 'enforce')`, [p]);
      await sql(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [p]);
      await sql(`select xplane.reconcile_all($1)`, [p]);
      expect(await catalogOf(db)).toEqual({
        datistemplate: true,
        datallowconn: true,
        spcname: 'pg_default',
        settings: [`${p}.tenant=acme`, 'search_path=app, public', 'work_mem=64MB'],
      });
      expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

      // settings removed from the declaration: reset on the server
      writeConfig(dir, { 'main.xp': `database "${db}" {\n  is_template = true\n}\n` });
      expectOk(await run(['apply', '--auto-approve']));
      expect((await catalogOf(db))?.settings).toBeNull();
      expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

      // a template database is dropped too
      expectOk(await run(['destroy', '--auto-approve']));
      expect(await catalogOf(db)).toBeUndefined();
    } finally {
      // after a failure, whatever state it is in
      if (await catalogOf(db)) await run(['destroy', '--auto-approve', '--allow-data-loss']);
    }
  });

  it('a spec recorded without the new keys (0.6.0) plans empty and reconciles to nothing', async () => {
    const p = unique('dbu');
    const db = `${p}_db`;
    const dir = configDir(p, { 'main.xp': `database "${db}" {\n  connection_limit = 3\n}\n` });
    const run = xpIn(dir, url());
    try {
      expectOk(await run(['apply', '--auto-approve']));
      // as 0.6.0 recorded it: none of is_template, tablespace, settings
      await sql(`update xplane.managed_resources set spec = spec - 'is_template' - 'tablespace' - 'settings' where stack = $1 and name = $2`, [p, db]);
      const { rows } = await sql(`select spec from xplane.managed_resources where stack = $1 and name = $2`, [p, db]);
      expect(Object.keys(rows[0].spec)).not.toContain('settings');
      await sql(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [p]);
      await sql(`select xplane.reconcile_all($1)`, [p]);
      const status = await sql(`select ready, last_action from xplane.resource_status where stack = $1 and name = $2`, [p, db]);
      expect(status.rows[0]).toMatchObject({ ready: 'True', last_action: 'none' });
      expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
    } finally {
      expectOk(await run(['destroy', '--auto-approve']));
    }
  });

  it('tablespace: a database is moved to the declared one, and moved back by reconcile_all after a hand move', async (ctx) => {
    // CREATE TABLESPACE needs an empty directory owned by the server's OS user
    const dataDir = (await sql(`select current_setting('data_directory') as d`)).rows[0].d as string;
    const owner = statSync(dataDir);
    const myUid = process.getuid?.() ?? -1;
    if (myUid !== 0 && myUid !== owner.uid) ctx.skip('the server runs as another OS user: no tablespace directory can be made for it');
    const p = unique('dbt');
    const db = `${p}_db`;
    const space = `${p}_space`;
    const location = tempDir('xp-tablespace-');
    chownSync(location, owner.uid, owner.gid);
    await sql(`create tablespace ${space} location '${location}'`);
    const dir = configDir(p, { 'main.xp': `database "${db}" {}\n` });
    const run = xpIn(dir, url());
    try {
      expectOk(await run(['apply', '--auto-approve']));
      expect((await catalogOf(db))?.spcname).toBe('pg_default');

      writeConfig(dir, { 'main.xp': `database "${db}" {\n  tablespace = "${space}"\n}\n` });
      const plan = await planSummary(run);
      expect(plan.changed).toEqual([`update database.${db} ${JSON.stringify([{ after: space, before: 'pg_default', path: 'tablespace' }])}`]);
      expectOk(await run(['apply', '--auto-approve']));
      expect((await catalogOf(db))?.spcname).toBe(space);
      expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

      await sql(`alter database ${db} set tablespace pg_default`);
      expect((await planSummary(run)).change).toBe(1);
      await sql(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [p]);
      await sql(`select xplane.reconcile_all($1)`, [p]);
      expect((await catalogOf(db))?.spcname).toBe(space);
      expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
    } finally {
      expectOk(await run(['destroy', '--auto-approve']));
      await sql(`drop tablespace if exists ${space}`);
      rmSync(location, { recursive: true, force: true });
    }
  });

  it('extensions: required ones declared or cascaded, a version upgrade, and no perpetual diff', async () => {
    const p = unique('ext');
    const db = `${p}_db`;
    const db2 = `${p}_db2`;
    const main = (version: string) => `database "${db}" {}
database "${db2}" {}

# without cascade: cube is declared, and earthdistance waits for it in the same apply
extension "earthdistance" {
  database = database.${db}
}
extension "cube" {
  database = database.${db}
}

# with cascade: CREATE EXTENSION … CASCADE installs cube
extension "earthdistance_cascaded" {
  name     = "earthdistance"
  database = database.${db2}
  cascade  = true
}

extension "citext" {
  database = database.${db}
  version  = "${version}"
}
`;
    const dir = configDir(p, { 'main.xp': main('1.4') });
    const run = xpIn(dir, url());
    try {
      const apply = await run(['apply', '--auto-approve']);
      expectOk(apply);
      expect(await extensionsIn(db)).toEqual({ cube: expect.stringMatching(/ in public$/), earthdistance: expect.stringMatching(/ in public$/), citext: '1.4 in public' });
      expect(Object.keys(await extensionsIn(db2)).sort()).toEqual(['cube', 'earthdistance']);
      expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

      // version upgrade
      writeConfig(dir, { 'main.xp': main('1.5') });
      expect((await planSummary(run)).changed).toEqual([`update extension.citext ${JSON.stringify([{ after: '1.5', before: '1.4', path: 'version' }])}`]);
      expectOk(await run(['apply', '--auto-approve']));
      expect((await extensionsIn(db)).citext).toBe('1.5 in public');
      expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
    } finally {
      expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']));
    }
  });

  it('the plan refuses, at the resource, what the server cannot do: a tablespace, a setting value, an update path, a relocation', async () => {
    const p = unique('dbr');
    const db = `${p}_db`;
    const dir = configDir(p, { 'main.xp': `database "${db}" {}\n\nextension "citext" {\n  database = database.${db}\n  version  = "1.5"\n}\n` });
    const run = xpIn(dir, url());
    try {
      expectOk(await run(['apply', '--auto-approve']));
      writeConfig(dir, {
        'main.xp': `database "${db}" {
  tablespace = "${p}_nospace"
  settings = {
    work_mem = "lots"
  }
}

extension "citext" {
  database = database.${db}
  version  = "1.4"
}

extension "plpgsql" {
  database = database.${db}
  schema   = "public"
}
`,
      });
      const plan = await run(['plan', '--json']);
      expect(plan.code, plan.stderr).toBe(1);
      const errors = (JSON.parse(plan.stdout) as { errors: Array<{ code: string; address: string; message: string }> }).errors;
      const byAddress = Object.fromEntries(errors.map((e) => [e.address, e.message]));
      expect(byAddress[`database.${db}`]).toBe(
        `main.xp:1:1: database.${db}: tablespace "${p}_nospace" is not a tablespace of the server (pg_tablespace; CREATE TABLESPACE makes one); settings.work_mem: the server refuses it: invalid value for parameter "work_mem": "lots".`,
      );
      expect(byAddress[`extension.citext`]).toBe(
        `main.xp:8:1: extension.citext: extension "citext" cannot be updated from version "1.5" to "1.4": the server has no path of update scripts between them (pg_extension_update_paths).`,
      );
      expect(byAddress[`extension.plpgsql`]).toMatch(
        new RegExp(`^main\\.xp:13:1: extension\\.plpgsql: extension "plpgsql" 1\\.0 is not relocatable: PostgreSQL cannot move it to schema "public"`),
      );
      expect(errors).toHaveLength(3);
      const apply = await run(['apply', '--auto-approve']);
      expect(apply.code).toBe(1);
      expect((await catalogOf(db))?.settings).toBeNull();
      expect((await extensionsIn(db)).citext).toBe('1.5 in public');
    } finally {
      writeConfig(dir, { 'main.xp': `database "${db}" {}\n\nextension "citext" {\n  database = database.${db}\n}\n` });
      expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']));
    }
  });
});

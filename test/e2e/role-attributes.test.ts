// Every role attribute of `role` and `service_account` (login, superuser, createdb, createrole,
// replication, bypass_row_level_security, inherit, connection_limit, valid_until, settings,
// database_settings) through the CLI, checked the way a DBA would (pg_roles,
// pg_db_role_setting): applied as declared, no perpetual diff, a change made by hand shows in
// `xp plan` as that attribute and is healed by apply and by xplane.reconcile_all(); a password
// changed by hand is drift, healed with the recorded verifier (the secret file stays valid).
// As a non-superuser: superuser = true is refused at plan, and the plan says once that
// password drift is not checked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import { configDir, expectOk, onEachServer, ownControl, serverUrl, unique, urlFor, withClient, writeConfig, xpIn } from './xp.js';

const url = serverUrl;

interface RoleRow {
  rolcanlogin: boolean;
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  rolinherit: boolean;
  rolconnlimit: number;
  valid_until: string | null;
}

/** pg_roles of a role, as a DBA reads it. */
const roleRow = (name: string) =>
  withClient(url(), async (c) => {
    const { rows } = await c.query<RoleRow>(
      `select rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolinherit, rolconnlimit,
              to_char(rolvaliduntil at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as valid_until
         from pg_catalog.pg_roles where rolname = $1`,
      [name],
    );
    return rows[0];
  });

/** pg_db_role_setting of a role: {"": [...] (all databases), database: [...]}. */
const roleSettings = (name: string) =>
  withClient(url(), async (c) => {
    const { rows } = await c.query<{ db: string; setconfig: string[] }>(
      `select coalesce(d.datname, '') as db, s.setconfig
         from pg_catalog.pg_db_role_setting s left join pg_catalog.pg_database d on d.oid = s.setdatabase
        where s.setrole = (select oid from pg_catalog.pg_roles where rolname = $1)`,
      [name],
    );
    return Object.fromEntries(rows.map((r) => [r.db, [...r.setconfig].sort()]));
  });

const admin = (sql: string) => withClient(url(), (c) => c.query(sql));

async function reconcile(controlUrl: string, stack: string): Promise<void> {
  await withClient(controlUrl, async (c) => {
    await c.query(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [stack]);
    await c.query(`select xplane.reconcile_all($1)`, [stack]);
  });
}

function secretOf(dir: string): Record<string, string> {
  return JSON.parse(readFileSync(join(dir, 'secrets', 'app.json'), 'utf8')) as Record<string, string>;
}

async function canLogin(secret: Record<string, string>): Promise<boolean> {
  const c = new pg.Client({ host: secret.host, port: Number(secret.port), user: secret.username, password: secret.password, database: secret.database });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

onEachServer('role attributes and settings', { timeout: 300_000 }, () => {
  it('applies every attribute as declared, plans empty twice, and shows and heals drift made by hand', async () => {
    const p = unique('ra');
    const db = `${p}_db`;
    const config = `
database "${db}" {}
role "group" {
  name             = "${p}_group"
  createdb         = true
  createrole       = true
  inherit          = false
  connection_limit = 3
  valid_until      = "2031-01-01T00:00:00Z"
  settings         = { statement_timeout = "30s" }
  database_settings = {
    (database.${db}.name) = { work_mem = "64MB", search_path = "app, public" }
  }
}
service_account "app" {
  name     = "${p}_app"
  database = database.${db}
  settings = { lock_timeout = "5s" }
  database_settings = {
    (database.${db}.name) = { work_mem = "8MB" }
  }
  connection_secret {
    path   = "secrets/app.json"
    format = "json"
  }
}
`;
    const dir = configDir(p, { 'main.xp': config });
    const control = await ownControl(p);
    const run = xpIn(dir, control.url);
    expectOk(await run(['apply', '--auto-approve']));
    try {
      expect(await roleRow(`${p}_group`)).toEqual({
        rolcanlogin: false, rolsuper: false, rolcreatedb: true, rolcreaterole: true, rolreplication: false, rolbypassrls: false,
        rolinherit: false, rolconnlimit: 3, valid_until: '2031-01-01T00:00:00Z',
      });
      expect(await roleSettings(`${p}_group`)).toEqual({ '': ['statement_timeout=30s'], [db]: ['search_path=app, public', 'work_mem=64MB'] });
      expect(await roleRow(`${p}_app`)).toMatchObject({ rolcanlogin: true, rolsuper: false, rolinherit: true, rolreplication: false, rolbypassrls: false });
      expect(await roleSettings(`${p}_app`)).toEqual({ '': ['lock_timeout=5s'], [db]: ['work_mem=8MB'] });
      // no perpetual diff
      for (let i = 0; i < 2; i++) {
        const again = await run(['plan', '--detailed-exitcode']);
        expect(again.code, again.stdout + again.stderr).toBe(0);
      }

      // By hand: a group role made superuser, BYPASSRLS, REPLICATION, LOGIN; the account NOLOGIN.
      const drift = async () => {
        await admin(`alter role ${p}_group superuser bypassrls replication login connection limit 9`);
        await admin(`alter role ${p}_group in database ${db} set work_mem = '1MB'`);
        await admin(`alter role ${p}_group reset statement_timeout`);
        await admin(`alter role ${p}_app nologin`);
        await admin(`alter role ${p}_app in database postgres set work_mem = '2MB'`);
      };
      await drift();
      const plan = await run(['plan', '--detailed-exitcode']);
      expect(plan.code, plan.stdout + plan.stderr).toBe(2);
      for (const line of [
        /# role\.group will be updated in-place\n\s+# \(drifted: changed outside xp\)/,
        /~ login\s+= true → false/,
        /~ superuser\s+= true → false/,
        /~ replication\s+= true → false/,
        /~ bypass_row_level_security\s+= true → false/,
        /~ connection_limit\s+= 9 → 3/,
        /# service_account\.app will be updated in-place\n\s+# \(drifted: changed outside xp\)\n.*\n\s+~ login\s+= false → true/,
        /- postgres = \{ work_mem = "2MB" \}/,
        /work_mem = "1MB" \} → \{ search_path = "app, public", work_mem = "64MB" \}/,
      ]) {
        expect(plan.stdout).toMatch(line);
      }
      expect(plan.stdout).toMatch(/database_settings/);
      expect(plan.stdout).toMatch(/statement_timeout/);
      expect(plan.stdout).toContain('drifted: changed outside xp');
      expect(plan.stdout).toContain('Plan: 0 to add, 2 to change, 0 to destroy.');

      expectOk(await run(['apply', '--auto-approve']));
      const healed = async () => {
        expect(await roleRow(`${p}_group`)).toMatchObject({ rolcanlogin: false, rolsuper: false, rolreplication: false, rolbypassrls: false, rolconnlimit: 3 });
        expect(await roleSettings(`${p}_group`)).toEqual({ '': ['statement_timeout=30s'], [db]: ['search_path=app, public', 'work_mem=64MB'] });
        expect(await roleRow(`${p}_app`)).toMatchObject({ rolcanlogin: true });
        expect(await roleSettings(`${p}_app`)).toEqual({ '': ['lock_timeout=5s'], [db]: ['work_mem=8MB'] });
        expect(await canLogin(secretOf(dir))).toBe(true);
        const again = await run(['plan', '--detailed-exitcode']);
        expect(again.code, again.stdout + again.stderr).toBe(0);
      };
      await healed();

      // The same drift, healed by the reconcile loop alone.
      await drift();
      expect(await canLogin(secretOf(dir))).toBe(false);
      await reconcile(control.url, p);
      await healed();
    } finally {
      expectOk(await run(['destroy', '--auto-approve']));
      await control.drop();
    }
  });

  it('sees a password changed outside xp and sets the recorded one again, so the secret file stays valid', async () => {
    const p = unique('rp');
    const config = `
database "${p}_db" {}
service_account "app" {
  name     = "${p}_app"
  database = database.${p}_db
  connection_secret {
    path   = "secrets/app.json"
    format = "json"
  }
}
`;
    const dir = configDir(p, { 'main.xp': config });
    const control = await ownControl(p);
    const run = xpIn(dir, control.url);
    expectOk(await run(['apply', '--auto-approve']));
    try {
      const secret = secretOf(dir);
      expect(await canLogin(secret)).toBe(true);
      const stored = async () =>
        withClient(url(), async (c) => (await c.query<{ v: string }>(`select rolpassword as v from pg_catalog.pg_authid where rolname = $1`, [`${p}_app`])).rows[0]!.v);
      const verifier = await stored();

      await admin(`alter role ${p}_app password 'changed-by-hand'`);
      expect(await canLogin(secret)).toBe(false);
      const plan = await run(['plan', '--detailed-exitcode']);
      expect(plan.code, plan.stdout + plan.stderr).toBe(2);
      expect(plan.stdout).toContain('password changed outside xp');
      expect(plan.stdout).toMatch(/~ password\s+= \(sensitive\)/);
      const json = await run(['plan', '--json']);
      for (const text of [plan.stdout, plan.stderr, json.stdout]) {
        expect(text).not.toContain('SCRAM-SHA-256$');
        expect(text).not.toContain('changed-by-hand');
        expect(text).not.toContain(secret.password);
      }

      const apply = expectOk(await run(['apply', '--auto-approve']));
      expect(apply.stdout + apply.stderr).not.toContain('SCRAM-SHA-256$');
      expect(await stored()).toBe(verifier);
      expect(secretOf(dir).password).toBe(secret.password);
      expect(await canLogin(secret)).toBe(true);
      const again = await run(['plan', '--detailed-exitcode']);
      expect(again.code, again.stdout + again.stderr).toBe(0);

      // the reconcile loop restores it too, and its events and status never carry a verifier
      await admin(`alter role ${p}_app password 'changed-again'`);
      await reconcile(control.url, p);
      expect(await stored()).toBe(verifier);
      expect(await canLogin(secret)).toBe(true);
      await withClient(control.url, async (c) => {
        const { rows } = await c.query<{ everything: string }>(
          `select coalesce((select string_agg(to_jsonb(e)::text, ' ') from xplane.events e), '') ||
                  coalesce((select string_agg(to_jsonb(m)::text, ' ') from xplane.managed_resources m where stack = $1), '') as everything`,
          [p],
        );
        expect(rows[0]!.everything).not.toContain('SCRAM-SHA-256$');
        expect(rows[0]!.everything).toContain('password');
      });
    } finally {
      expectOk(await run(['destroy', '--auto-approve']));
      await control.drop();
    }
  });

  it('as a non-superuser: refuses superuser = true at plan, and says once that password drift is not checked', async () => {
    const p = unique('rn');
    const adminRole = `${p}_admin`;
    const control = `${p}_control`;
    const password = `pw-${p}`;
    await withClient(url(), async (c) => {
      await c.query(`create role ${adminRole} login createdb createrole password '${password}'`);
      await c.query(`create database ${control} owner ${adminRole}`);
    });
    await withClient(urlFor(url(), { database: control }), (c) => c.query('create extension dblink'));
    const adminUrl = urlFor(url(), { user: adminRole, password, database: control });
    const dir = configDir(p, {
      'main.xp': `
database "${p}_db" {}
service_account "a" {
  name     = "${p}_a"
  database = database.${p}_db
}
service_account "b" {
  name     = "${p}_b"
  database = database.${p}_db
}
`,
    });
    const run = xpIn(dir, adminUrl);
    try {
      expectOk(await run(['apply', '--auto-approve']));
      const plan = await run(['plan', '--detailed-exitcode']);
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      const notes = plan.stdout.split('\n').filter((l) => l.includes('Password drift of service accounts is not checked'));
      expect(notes).toHaveLength(1);

      writeConfig(dir, {
        'main.xp': `
role "boss" {
  name      = "${p}_boss"
  superuser = true
}
`,
      });
      const refused = await run(['plan']);
      expect(refused.code, refused.stdout + refused.stderr).toBe(1);
      const out = refused.stdout + refused.stderr;
      expect(out).toContain(`role.boss: superuser = true: only a superuser can make a role superuser`);
      expect(out).toContain('Connect xp as a superuser');
      expect(out).toMatch(/main\.xp:2:1: role\.boss/);
      const apply = await run(['apply', '--auto-approve']);
      expect(apply.code).toBe(1);
      expect(await roleRow(`${p}_boss`)).toBeUndefined();
      // the service accounts are still there: nothing was applied
      expect(await roleRow(`${p}_a`)).toMatchObject({ rolcanlogin: true });
    } finally {
      await withClient(url(), async (c) => {
        await c.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1 or datname = $2`, [adminRole, control]);
        await c.query(`drop database if exists ${control} with (force)`);
        await c.query(`drop database if exists ${p}_db with (force)`);
        for (const r of [`${p}_a`, `${p}_b`, `${p}_boss`]) await c.query(`drop role if exists ${r}`);
        await c.query(`drop owned by ${adminRole}`).catch(() => undefined);
        await c.query(`drop role if exists ${adminRole}`);
      });
    }
  });
});

// Default privileges for another creator (a grant's future_owners), through the CLI: a table
// the creator makes later is readable, pg_default_acl holds exactly the declaration, drift made
// by hand shows in the plan and apply heals it; plan twice after apply is empty.
import { expect, it } from 'vitest';
import { configDir, expectOk, unique, urlFor, withClient, writeConfig, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

onEachServer('default privileges for other creators', { timeout: 300_000 }, () => {
  it('future_owners: tables created later by the declared creator are readable; drift healed', async () => {
    const p = unique('dp');
    const db = `${p}_db`;
    const [owner, other, reader] = [`${p}_app_owner`, `${p}_other`, `${p}_reader`];
    const dir = configDir(p, {
      'main.xp': `database "${db}" {}
schema "api" {
  database = database.${db}
}
role "${p}_app_owner" {
  grant {
    database   = database.${db}
    schema     = schema.api.name
    on         = "schema"
    privileges = ["CREATE", "USAGE"]
  }
}
role "${p}_reader" {
  grant {
    database      = database.${db}
    schema        = schema.api.name
    privileges    = ["SELECT"]
    future        = true
    future_owners = [role.${p}_app_owner]
  }
  grant {
    database   = database.${db}
    schema     = schema.api.name
    on         = "schema"
    privileges = ["USAGE"]
  }
}
`,
    });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const again = await run(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);

    const dbUrl = urlFor(url(), { database: db });
    /** Per creator, what pg_default_acl gives the reader on tables created in api. */
    const defaults = () =>
      withClient(dbUrl, async (c) => {
        const { rows } = await c.query(
          `select pg_get_userbyid(d.defaclrole) as creator, string_agg(a.privilege_type, ',' order by a.privilege_type) as privs
             from pg_default_acl d, aclexplode(d.defaclacl) a
            where d.defaclnamespace = 'api'::regnamespace and d.defaclobjtype = 'r' and a.grantee = $1::regrole
              and pg_get_userbyid(d.defaclrole) in ($2, $3) group by 1`,
          [reader, owner, other],
        );
        return Object.fromEntries(rows.map((r) => [r.creator, r.privs]));
      });
    expect(await defaults()).toEqual({ [owner]: 'SELECT' });

    await withClient(dbUrl, (c) =>
      c.query(`create role ${other}; grant create, usage on schema api to ${other}; set role ${owner}; create table api.orders (id int); reset role`),
    );
    await withClient(dbUrl, async (c) => {
      const { rows } = await c.query(`select has_table_privilege($1, 'api.orders', 'SELECT') as can`, [reader]);
      expect(rows[0].can).toBe(true);
    });
    const afterTable = await run(['plan', '--detailed-exitcode']);
    expect(afterTable.code, afterTable.stdout + afterTable.stderr).toBe(0);

    // drift: the creator's default privileges revoked, another creator's added
    await withClient(dbUrl, (c) =>
      c.query(
        `alter default privileges for role ${owner} in schema api revoke select on tables from ${reader};
         alter default privileges for role ${other} in schema api grant select on tables to ${reader}`,
      ),
    );
    const drift = await run(['plan', '--detailed-exitcode']);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toContain(`# role.${reader} will be updated in-place`);
    expect(drift.stdout).toContain('future_owners');
    expectOk(await run(['apply', '--auto-approve']));
    expect(await defaults()).toEqual({ [owner]: 'SELECT' });
    const healed = await run(['plan', '--detailed-exitcode']);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);

    await withClient(dbUrl, (c) => c.query(`drop table api.orders; drop owned by ${other}`));
    expectOk(await run(['destroy', '--auto-approve']));
    await withClient(url(), (c) => c.query(`drop role ${other}`));
  });
});

onEachServer('WITH GRANT OPTION', { timeout: 300_000 }, () => {
  it('grant_option: held with the option, drift both ways healed, plan twice empty', async () => {
    const p = unique('gopt');
    const db = `${p}_db`;
    const lead = `${p}_lead`;
    const config = (option: boolean) => `database "${db}" {}
schema "api" {
  database = database.${db}
}
role "${lead}" {
  grant {
    database     = database.${db}
    schema       = schema.api.name
    privileges   = ["SELECT"]
    grant_option = ${option}
  }
  grant {
    database     = database.${db}
    schema       = schema.api.name
    on           = "schema"
    privileges   = ["USAGE"]
    grant_option = ${option}
  }
}
`;
    const dir = configDir(p, { 'main.xp': config(true) });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const dbUrl = urlFor(url(), { database: db });
    await withClient(dbUrl, (c) => c.query('create table api.items (id int)'));
    expectOk(await run(['apply', '--auto-approve'])); // the new table, with the option
    /** What the lead holds WITH GRANT OPTION, as "object:privilege" (aclexplode). */
    const grantable = () =>
      withClient(dbUrl, async (c) => {
        const { rows } = await c.query(
          `select 'items:' || a.privilege_type as x from aclexplode((select relacl from pg_class where oid = 'api.items'::regclass)) a
            where a.grantee = $1::regrole and a.is_grantable
           union all
           select 'api:' || a.privilege_type from aclexplode((select nspacl from pg_namespace where nspname = 'api')) a
            where a.grantee = $1::regrole and a.is_grantable order by 1`,
          [lead],
        );
        return rows.map((r) => r.x);
      });
    expect(await grantable()).toEqual(['api:USAGE', 'items:SELECT']);
    const again = await run(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);

    await withClient(dbUrl, (c) => c.query(`revoke grant option for select on api.items from ${lead}`));
    const drift = await run(['plan', '--detailed-exitcode']);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toContain('grant_option');
    expectOk(await run(['apply', '--auto-approve']));
    expect(await grantable()).toEqual(['api:USAGE', 'items:SELECT']);

    // declared without it: the option goes, the privileges stay
    writeConfig(dir, { 'main.xp': config(false) });
    expectOk(await run(['apply', '--auto-approve']));
    expect(await grantable()).toEqual([]);
    await withClient(dbUrl, async (c) => {
      const { rows } = await c.query(`select has_table_privilege($1, 'api.items', 'SELECT') as t, has_schema_privilege($1, 'api', 'USAGE') as s`, [lead]);
      expect(rows[0]).toEqual({ t: true, s: true });
    });
    const healed = await run(['plan', '--detailed-exitcode']);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);

    await withClient(dbUrl, (c) => c.query('drop table api.items'));
    expectOk(await run(['destroy', '--auto-approve']));
  });
});

onEachServer('privileges from a third grantor', { timeout: 300_000 }, () => {
  it("a third grantor's grant on a schema is revoked as that grantor; plan twice empty", async () => {
    const p = unique('tgr');
    const db = `${p}_db`;
    const [grantor, app] = [`${p}_grantor`, `${p}_app`];
    const dir = configDir(p, {
      'main.xp': `database "${db}" {}
schema "api" {
  database = database.${db}
}
role "${app}" {
  grant {
    database   = database.${db}
    schema     = schema.api.name
    on         = "schema"
    privileges = ["CREATE"]
  }
}
`,
    });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const dbUrl = urlFor(url(), { database: db });
    await withClient(dbUrl, (c) =>
      c.query(`create role ${grantor}; grant usage on schema api to ${grantor} with grant option; set role ${grantor}; grant usage on schema api to ${app}; reset role`),
    );
    const holds = () =>
      withClient(dbUrl, async (c) => {
        const { rows } = await c.query(
          `select string_agg(a.privilege_type || ' by ' || pg_get_userbyid(a.grantor), ',' order by a.privilege_type) as x
             from aclexplode((select nspacl from pg_namespace where nspname = 'api')) a where a.grantee = $1::regrole`,
          [app],
        );
        return rows[0].x as string;
      });
    expect(await holds()).toContain(`USAGE by ${grantor}`);
    const drift = await run(['plan', '--detailed-exitcode']);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toContain('USAGE');
    expectOk(await run(['apply', '--auto-approve']));
    expect(await holds()).not.toContain('USAGE');
    await withClient(dbUrl, async (c) => {
      const { rows } = await c.query(`select has_schema_privilege($1, 'api', 'USAGE') as u, has_schema_privilege($1, 'api', 'CREATE') as c`, [app]);
      expect(rows[0]).toEqual({ u: false, c: true });
    });
    const healed = await run(['plan', '--detailed-exitcode']);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);
    await withClient(dbUrl, (c) => c.query(`revoke usage on schema api from ${grantor} cascade`));
    expectOk(await run(['destroy', '--auto-approve']));
    await withClient(url(), (c) => c.query(`drop role ${grantor}`));
  });
});

// Default privileges everywhere (issue 12), through the CLI on every supported major: global
// ones (a grant without schema: ALTER DEFAULT PRIVILEGES without IN SCHEMA), on schemas, and on
// types. pg_default_acl holds exactly the declaration, objects created later are usable
// (has_table_privilege, has_function_privilege, has_type_privilege, has_schema_privilege),
// drift made by hand shows in the plan and is healed by apply and by xplane.reconcile_all(),
// and plan twice after apply is empty. And a third grantor's grants on the objects of a schema
// (the whole-schema form): revoked as that grantor, object by object.
import { expect, it } from 'vitest';
import { configDir, expectOk, onEveryVersion, serverUrl, unique, urlFor, withClient, xpIn } from './xp.js';

const url = serverUrl;

onEveryVersion('default privileges everywhere', { timeout: 300_000 }, () => {
  it('global, on schemas and on types: applied, usable later, drift healed by apply and reconcile_all', async () => {
    const p = unique('dpe');
    const db = `${p}_db`;
    const [maker, reader] = [`${p}_maker`, `${p}_reader`];
    const dir = configDir(p, {
      'main.xp': `database "${db}" {}
schema "api" {
  database = database.${db}
}
role "${maker}" {
  grant {
    database   = database.${db}
    schema     = schema.api.name
    on         = "schema"
    privileges = ["USAGE", "CREATE"]
  }
}
role "${reader}" {
  grant {
    database   = database.${db}
    on         = "tables"            # global: tables xp's role creates in any schema
    privileges = ["SELECT"]
    future     = true
  }
  grant {
    database      = database.${db}
    on            = "functions"
    privileges    = ["EXECUTE"]
    future        = true
    future_owners = [role.${maker}]
  }
  grant {
    database   = database.${db}
    on         = "schemas"
    privileges = ["USAGE"]
    future     = true
  }
  grant {
    database      = database.${db}
    schema        = schema.api.name
    on            = "types"
    privileges    = ["USAGE"]
    future        = true
    future_owners = [role.${maker}]
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
    for (let i = 0; i < 2; i++) {
      const again = await run(['plan', '--detailed-exitcode']);
      expect(again.code, again.stdout + again.stderr).toBe(0);
    }

    const dbUrl = urlFor(url(), { database: db });
    /** pg_default_acl as a DBA reads it: "creator/schema/type=privilege" of what the reader gets. */
    const defaults = () =>
      withClient(dbUrl, async (c) => {
        const { rows } = await c.query(
          `select format('%s/%s/%s=%s', case when d.defaclrole = current_user::regrole then 'xp' else 'maker' end,
                         coalesce(nullif(d.defaclnamespace, 0)::regnamespace::text, '*'), d.defaclobjtype, a.privilege_type) as x
             from pg_default_acl d, aclexplode(d.defaclacl) a where a.grantee = $1::regrole order by 1`,
          [reader],
        );
        return rows.map((r) => r.x as string);
      });
    const declared = ['maker/*/f=EXECUTE', 'maker/api/T=USAGE', 'xp/*/f=EXECUTE', 'xp/*/n=USAGE', 'xp/*/r=SELECT', 'xp/api/T=USAGE'];
    expect(await defaults()).toEqual(declared);

    // objects created later, by xp's role and by the creator
    await withClient(dbUrl, (c) =>
      c.query(`create schema later; create table later.t (id int);
               set role ${maker}; create function api.f() returns int language sql as 'select 1'; create type api.mood as enum ('ok'); reset role`),
    );
    await withClient(dbUrl, async (c) => {
      const { rows } = await c.query(
        `select has_table_privilege($1, 'later.t', 'SELECT') as t, has_schema_privilege($1, 'later', 'USAGE') as s,
                has_function_privilege($1, 'api.f()', 'EXECUTE') as f, has_type_privilege($1, 'api.mood', 'USAGE') as y`,
        [reader],
      );
      expect(rows[0]).toEqual({ t: true, s: true, f: true, y: true });
    });
    const afterObjects = await run(['plan', '--detailed-exitcode']);
    expect(afterObjects.code, afterObjects.stdout + afterObjects.stderr).toBe(0);

    // drift by hand: a declared one revoked, one on a kind not declared given
    const drift = () =>
      withClient(dbUrl, (c) =>
        c.query(`alter default privileges revoke select on tables from ${reader};
                 alter default privileges grant usage on sequences to ${reader};
                 alter default privileges for role ${maker} in schema api revoke usage on types from ${reader}`),
      );
    await drift();
    const seen = await run(['plan', '--detailed-exitcode']);
    expect(seen.code, seen.stdout + seen.stderr).toBe(2);
    expect(seen.stdout).toContain(`# role.${reader} will be updated in-place`);
    expect(seen.stdout).toContain(`${db} (sequences)`);
    expect(seen.stdout).toContain(`${db} (tables)`);
    expect(seen.stdout).toContain(`${db}.api (types)`);
    expectOk(await run(['apply', '--auto-approve']));
    expect(await defaults()).toEqual(declared);
    const healed = await run(['plan', '--detailed-exitcode']);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);

    // the reconcile loop heals it too
    await drift();
    await withClient(url(), async (c) => {
      await c.query(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [p]);
      await c.query(`select xplane.reconcile_all($1)`, [p]);
    });
    expect(await defaults()).toEqual(declared);
    const afterReconcile = await run(['plan', '--detailed-exitcode']);
    expect(afterReconcile.code, afterReconcile.stdout + afterReconcile.stderr).toBe(0);

    await withClient(dbUrl, (c) => c.query(`drop schema later cascade; drop function api.f(); drop type api.mood`));
    expectOk(await run(['destroy', '--auto-approve']));
  });

  it("a third grantor's grants on a schema's tables, sequences and functions: revoked as that grantor", async () => {
    const p = unique('tgo');
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
    privileges = ["INSERT"]
  }
}
`,
    });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const dbUrl = urlFor(url(), { database: db });
    // the grantor holds the grant option on one table of two (REVOKE … ON ALL TABLES as it would fail)
    await withClient(dbUrl, (c) =>
      c.query(`create role ${grantor}; grant usage on schema api to ${grantor}; create table api.a (id int); create table api.b (id int); create sequence api.s;
               create function api.f() returns int language sql as 'select 1';
               grant select on api.a to ${grantor} with grant option; grant usage on sequence api.s to ${grantor} with grant option;
               grant execute on function api.f() to ${grantor} with grant option`),
    );
    expectOk(await run(['apply', '--auto-approve'])); // INSERT on the new tables
    await withClient(dbUrl, (c) =>
      c.query(`set role ${grantor}; grant select on api.a to ${app}; grant usage on sequence api.s to ${app};
               grant execute on function api.f() to ${app}; reset role`),
    );
    /** What the app holds on the schema's objects, with the grantor (aclexplode, as a DBA reads it). */
    const held = () =>
      withClient(dbUrl, async (c) => {
        const { rows } = await c.query(
          `select c.relname || ':' || a.privilege_type || ' by ' || pg_get_userbyid(a.grantor) as x
             from pg_class c, aclexplode(c.relacl) a where c.relnamespace = 'api'::regnamespace and a.grantee = $1::regrole
           union all
           select p.proname || ':' || a.privilege_type || ' by ' || pg_get_userbyid(a.grantor)
             from pg_proc p, aclexplode(p.proacl) a where p.pronamespace = 'api'::regnamespace and a.grantee = $1::regrole
           order by 1`,
          [app],
        );
        return rows.map((r) => (r.x as string).replace(grantor, 'grantor'));
      });
    expect(await held()).toContain('a:SELECT by grantor');
    const seen = await run(['plan', '--detailed-exitcode']);
    expect(seen.code, seen.stdout + seen.stderr).toBe(2);
    expect(seen.stdout).toContain('SELECT');
    expectOk(await run(['apply', '--auto-approve']));
    expect((await held()).filter((x) => x.endsWith('by grantor'))).toEqual([]);
    await withClient(dbUrl, async (c) => {
      const { rows } = await c.query(
        `select has_table_privilege($1, 'api.a', 'SELECT') as t, has_table_privilege($1, 'api.b', 'INSERT') as i,
                has_sequence_privilege($1, 'api.s', 'USAGE') as s`,
        [app],
      );
      expect(rows[0]).toEqual({ t: false, i: true, s: false });
    });
    for (let i = 0; i < 2; i++) {
      const again = await run(['plan', '--detailed-exitcode']);
      expect(again.code, again.stdout + again.stderr).toBe(0);
    }
    await withClient(dbUrl, (c) => c.query(`drop table api.a, api.b; drop sequence api.s; drop function api.f(); drop owned by ${grantor}`));
    expectOk(await run(['destroy', '--auto-approve']));
    await withClient(url(), (c) => c.query(`drop role ${grantor}`));
  });
});

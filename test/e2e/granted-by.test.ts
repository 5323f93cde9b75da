// granted_by (issue 13), through the CLI on every supported major, checked the way a DBA reads
// the catalog (aclexplode: grantor, grantee, privilege): a creator's own default privileges,
// declared without those of xp's role (objects the creator creates later carry the privilege
// granted by it); grants on a database, a schema and a table made as another role; drift
// shows and is healed, plan twice empty; a grantor without the grant option refused with what
// to do; destroy works; granted_by on a form that does not take it refused at validate, located.
import { expect, it } from 'vitest';
import { configDir, expectOk, onEveryVersion, serverUrl, unique, urlFor, withClient, writeConfig, xp, xpIn } from './xp.js';

const url = serverUrl;

onEveryVersion('granted_by', { timeout: 300_000 }, () => {
  it("a creator's own global default privileges: made for it alone, read by grantor, drift healed", async () => {
    const p = unique('gby');
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
    on         = "tables"              # global: tables the maker creates in any schema
    privileges = ["SELECT"]
    future     = true
    granted_by = role.${maker}         # ALTER DEFAULT PRIVILEGES FOR ROLE maker …, and not for xp's role
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
    /** The reader's default privileges as a DBA reads them: "grantor/schema/type=privilege" (grantor: the creator). */
    const defaults = () =>
      withClient(dbUrl, async (c) => {
        const { rows } = await c.query(
          `select format('%s/%s/%s=%s', case when a.grantor = $2::regrole then 'maker' when a.grantor = current_user::regrole then 'xp' else a.grantor::regrole::text end,
                         coalesce(nullif(d.defaclnamespace, 0)::regnamespace::text, '*'), d.defaclobjtype, a.privilege_type) as x
             from pg_default_acl d, aclexplode(d.defaclacl) a where a.grantee = $1::regrole order by 1`,
          [reader, maker],
        );
        return rows.map((r) => r.x as string);
      });
    expect(await defaults()).toEqual(['maker/*/r=SELECT']);

    // a table the maker creates later: SELECT granted by the maker; one xp's role creates: nothing
    await withClient(dbUrl, (c) => c.query(`set role ${maker}; create table api.t (id int); reset role; create table public.mine (id int)`));
    await withClient(dbUrl, async (c) => {
      const { rows } = await c.query(
        `select c.relname::text as t, a.grantor::regrole::text as grantor, a.privilege_type as p
           from pg_class c, aclexplode(c.relacl) a
          where c.relname in ('t', 'mine') and a.grantee = $1::regrole order by 1`,
        [reader],
      );
      expect(rows).toEqual([{ t: 't', grantor: maker, p: 'SELECT' }]);
    });
    const afterObjects = await run(['plan', '--detailed-exitcode']);
    expect(afterObjects.code, afterObjects.stdout + afterObjects.stderr).toBe(0);

    // drift by hand: xp's role gives it too, the maker's revoked
    await withClient(dbUrl, (c) =>
      c.query(`alter default privileges grant select on tables to ${reader};
               alter default privileges for role ${maker} revoke select on tables from ${reader}`),
    );
    expect(await defaults()).toEqual(['xp/*/r=SELECT']);
    const seen = await run(['plan', '--detailed-exitcode']);
    expect(seen.code, seen.stdout + seen.stderr).toBe(2);
    expect(seen.stdout).toContain(`# role.${reader} will be updated in-place`);
    expect(seen.stdout).toContain(`${db} (tables)`);
    expectOk(await run(['apply', '--auto-approve']));
    expect(await defaults()).toEqual(['maker/*/r=SELECT']);
    const healed = await run(['plan', '--detailed-exitcode']);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);

    await withClient(dbUrl, (c) => c.query(`drop table api.t; drop table public.mine`));
    expectOk(await run(['destroy', '--auto-approve']));
  });

  it('a schema, a database and a table granted by another role: made as it (aclexplode grantor), drift healed, destroy works', async () => {
    const p = unique('gbg');
    const db = `${p}_db`;
    const [giver, reader, poor] = [`${p}_giver`, `${p}_reader`, `${p}_poor`];
    const dbUrl = urlFor(url(), { database: db });
    const config = (by: string) => `database "${db}" {}
schema "api" {
  database = database.${db}
}
role "${giver}" {
  grant {
    database     = database.${db}
    on           = "database"
    privileges   = ["CONNECT"]
    grant_option = true
  }
  grant {
    database     = database.${db}
    schema       = schema.api.name
    on           = "schema"
    privileges   = ["USAGE"]
    grant_option = true
  }
  grant {
    database     = database.${db}
    schema       = schema.api.name
    objects      = ["notes"]
    privileges   = ["SELECT"]
    grant_option = true
  }
}
role "${poor}" {}
role "${reader}" {
  grant {
    database   = database.${db}
    on         = "database"
    privileges = ["CONNECT"]
    granted_by = role.${by}
  }
  grant {
    database   = database.${db}
    schema     = schema.api.name
    on         = "schema"
    privileges = ["USAGE"]
    granted_by = role.${by}
  }
  grant {
    database   = database.${db}
    schema     = schema.api.name
    objects    = ["notes"]
    privileges = ["SELECT"]
    granted_by = role.${by}
  }
}
`;
    const dir = configDir(p, { 'main.xp': config(giver).slice(0, config(giver).indexOf(`role "${giver}"`)) });
    const run = xpIn(dir, url());
    // the table is data, not xp's: created once its schema is there
    expectOk(await run(['apply', '--auto-approve']));
    await withClient(dbUrl, (c) => c.query('create table api.notes (id int)'));
    writeConfig(dir, { 'main.xp': config(giver) });
    expectOk(await run(['apply', '--auto-approve']));
    for (let i = 0; i < 2; i++) {
      const again = await run(['plan', '--detailed-exitcode']);
      expect(again.code, again.stdout + again.stderr).toBe(0);
    }
    /** The reader's privileges as a DBA reads them: "object privilege by grantor". */
    const acl = () =>
      withClient(dbUrl, async (c) => {
        const { rows } = await c.query(
          `select format('%s %s by %s', o, a.privilege_type, a.grantor::regrole) as x
             from (select 'database' as o, datacl as acl from pg_database where datname = current_database()
                   union all select 'schema', nspacl from pg_namespace where nspname = 'api'
                   union all select 'table', relacl from pg_class where oid = 'api.notes'::regclass) z, aclexplode(z.acl) a
            where a.grantee = $1::regrole order by 1`,
          [reader],
        );
        return rows.map((r) => r.x as string);
      });
    const declared = [`database CONNECT by ${giver}`, `schema USAGE by ${giver}`, `table SELECT by ${giver}`];
    expect(await acl()).toEqual(declared);

    // drift: the grantor's grants revoked, the same privileges granted by xp instead
    await withClient(dbUrl, (c) =>
      c.query(`set role ${giver}; revoke usage on schema api from ${reader}; revoke select on api.notes from ${reader}; reset role;
               grant usage on schema api to ${reader}; grant select on api.notes to ${reader}`),
    );
    expect((await acl()).filter((l) => !l.endsWith(`by ${giver}`))).toHaveLength(2);
    const seen = await run(['plan', '--detailed-exitcode']);
    expect(seen.code, seen.stdout + seen.stderr).toBe(2);
    expect(seen.stdout).toContain(`# role.${reader} will be updated in-place`);
    expect(seen.stdout).toContain('granted_by');
    expectOk(await run(['apply', '--auto-approve']));
    expect(await acl()).toEqual(declared);
    const healed = await run(['plan', '--detailed-exitcode']);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);

    // a grantor without the grant option: the apply fails, saying so and what to do
    writeConfig(dir, { 'main.xp': config(poor) });
    const refused = await run(['apply', '--auto-approve']);
    expect(refused.code, refused.stdout + refused.stderr).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(new RegExp(`granted_by = ${poor}: ${poor} does not hold \\w+ on \\w+ [^\\n]* WITH GRANT OPTION`));
    expect(refused.stdout + refused.stderr).toContain(`grant it to ${poor} WITH GRANT OPTION first`);
    expect(await acl()).toEqual(declared);

    // destroy: what the grantor granted is revoked as it (DROP OWNED alone does not reach it)
    writeConfig(dir, { 'main.xp': config(giver) });
    await withClient(dbUrl, (c) => c.query('drop table api.notes'));
    expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']));
    const left = await withClient(url(), async (c) => (await c.query(`select rolname from pg_roles where rolname like $1`, [`${p}%`])).rows);
    expect(left).toEqual([]);
  });

  it('granted_by where it does not apply: refused at validate, at the attribute', async () => {
    const p = unique('gbv');
    const dir = configDir(p, {
      'main.xp': `database "${p}_db" {}
role "${p}_maker" {}
role "${p}_reader" {
  grant {
    database   = database.${p}_db
    schema     = "api"
    privileges = ["SELECT"]
    granted_by = role.${p}_maker
  }
}
`,
    });
    const r = await xp(['validate'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('main.xp:8:18: error: granted_by applies to a grant on a schema, a database or named objects');
  });
});

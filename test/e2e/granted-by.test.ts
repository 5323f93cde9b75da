// granted_by (issue 13): a creator's own default privileges, declared without those of xp's
// role. Through the CLI on every supported major: pg_default_acl read the way a DBA reads it
// (aclexplode: grantor, grantee, privilege), objects the creator creates later carry the
// privilege granted by it, drift (xp's role giving it too) shows and is healed, plan twice
// empty; granted_by on a form that does not take it refused at validate, located.
import { expect, it } from 'vitest';
import { configDir, expectOk, onEveryVersion, serverUrl, unique, urlFor, withClient, xp, xpIn } from './xp.js';

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

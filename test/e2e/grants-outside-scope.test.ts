// Grants outside a role's scope (docs/kinds/role.md, "Authoritative, by deltas"): a hand-made
// grant to a managed role on a schema its grants do not name, on a table there, or in a
// database they do not name, and a column or type grant anywhere, is shown by plan and revoked
// by apply (unless the role's grants are ignored: ignore_changes); through the CLI, checked
// in the catalog the way a DBA would (has_*_privilege, aclexplode).
import { expect, it } from 'vitest';
import { configDir, expectOk, unique, urlFor, withClient, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

onEachServer('grants outside the scope', { timeout: 300_000 }, () => {
  it('a hand-made grant on another schema, a table there and another database: planned, revoked, plan empty', async () => {
    const p = unique('osc');
    const db = `${p}_db`;
    const other = `${p}_other`;
    const app = `${p}_app`;
    const config = `database "${db}" {}
database "${other}" {}
schema "api" {
  database = database.${db}
}
schema "spare" {
  database = database.${db}
}
role "${app}" {
  grant {
    database   = database.${db}
    schema     = schema.api
    on         = "schema"
    privileges = ["USAGE"]
  }
}
`;
    const run = xpIn(configDir(p, { 'main.xp': config }), url());
    expectOk(await run(['apply', '--auto-approve']));
    const clean = await run(['plan', '--detailed-exitcode']);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);

    // by hand: USAGE on spare, SELECT on a table there, CONNECT and a schema in the other database
    await withClient(urlFor(url(), { database: db }), (c) =>
      c.query(`create table spare.t (a int); grant usage on schema spare to ${app}; grant select on spare.t to ${app}`),
    );
    await withClient(url(), (c) => c.query(`grant connect on database ${other} to ${app}`));
    await withClient(urlFor(url(), { database: other }), (c) => c.query(`create schema far; grant usage on schema far to ${app}`));
    const drift = await run(['plan', '--detailed-exitcode']);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toContain(`# role.${app} will be updated in-place`);
    for (const shown of [`- ${db}.spare (schema)`, `- ${db}.spare (tables)`, `- ${other} (database)`, `- ${other}.far (schema)`]) {
      expect(drift.stdout).toContain(shown);
    }
    expect(drift.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');

    expectOk(await run(['apply', '--auto-approve']));
    const here = await withClient(urlFor(url(), { database: db }), async (c) => {
      const { rows } = await c.query(
        `select has_schema_privilege($1, 'spare', 'USAGE') as spare, has_table_privilege($1, 'spare.t', 'SELECT') as t,
                has_schema_privilege($1, 'api', 'USAGE') as api`,
        [app],
      );
      return rows[0];
    });
    expect(here).toEqual({ spare: false, t: false, api: true });
    const there = await withClient(urlFor(url(), { database: other }), async (c) => {
      const { rows } = await c.query(
        `select has_schema_privilege($1, 'far', 'USAGE') as far,
                exists (select 1 from pg_database d, aclexplode(d.datacl) a where d.datname = $2 and a.grantee = $1::regrole) as connect`,
        [app, other],
      );
      return rows[0];
    });
    expect(there).toEqual({ far: false, connect: false });
    const healed = await run(['plan', '--detailed-exitcode']);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);
    await withClient(urlFor(url(), { database: other }), (c) => c.query('drop schema far'));
    await withClient(urlFor(url(), { database: db }), (c) => c.query('drop table spare.t'));
    expectOk(await run(['destroy', '--auto-approve']));
  });

  it('a hand-made column grant and type grants, in and out of the scope: planned, revoked, plan empty; ignored with ignore_changes', async () => {
    const p = unique('oct');
    const db = `${p}_db`;
    const app = `${p}_app`;
    const kept = `${p}_kept`;
    const grants = `  grant {
    database   = database.${db}
    schema     = schema.api
    on         = "schema"
    privileges = ["USAGE"]
  }
  grant {
    database   = database.${db}
    schema     = schema.api
    privileges = ["SELECT"]
  }`;
    const config = `database "${db}" {}
schema "api" {
  database = database.${db}
}
schema "spare" {
  database = database.${db}
}
role "${app}" {
${grants}
}
role "${kept}" {
${grants}
  lifecycle {
    ignore_changes = [grants]
  }
}
`;
    const run = xpIn(configDir(p, { 'main.xp': config }), url());
    expectOk(await run(['apply', '--auto-approve']));
    // by hand: UPDATE on a column of a table in its scope, USAGE on a type there and on a domain
    // in a schema its grants do not name (PUBLIC's USAGE revoked, so that has_type_privilege tells)
    const byHand = (role: string) =>
      `grant update (note) on api.orders to ${role}; grant usage on type api.mood to ${role}; grant usage on domain spare.email to ${role}`;
    await withClient(urlFor(url(), { database: db }), (c) =>
      c.query(`create table api.orders (id int, note text); create type api.mood as enum ('ok'); create domain spare.email as text;
               revoke usage on type api.mood from public; revoke usage on domain spare.email from public`),
    );
    expectOk(await run(['apply', '--auto-approve'])); // SELECT on the new table
    const clean = await run(['plan', '--detailed-exitcode']);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    await withClient(urlFor(url(), { database: db }), (c) => c.query(`${byHand(app)}; ${byHand(kept)}`));
    const held = (role: string) =>
      withClient(urlFor(url(), { database: db }), async (c) => {
        const { rows } = await c.query(
          `select has_column_privilege($1, 'api.orders', 'note', 'UPDATE') as note, has_type_privilege($1, 'api.mood', 'USAGE') as mood,
                  has_type_privilege($1, 'spare.email', 'USAGE') as email,
                  (select count(*)::int from pg_type t, aclexplode(t.typacl) a
                    where t.typnamespace in ('api'::regnamespace, 'spare'::regnamespace) and a.grantee = $1::regrole) as type_acl,
                  has_table_privilege($1, 'api.orders', 'SELECT') as orders`,
          [role],
        );
        return rows[0];
      });
    expect(await held(app)).toEqual({ note: true, mood: true, email: true, type_acl: 2, orders: true });
    const drift = await run(['plan', '--detailed-exitcode']);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toContain(`# role.${app} will be updated in-place`);
    for (const shown of [`- ${db}.api (tables: orders.note)`, `- ${db}.api (types: mood)`, `- ${db}.spare (types: email)`]) {
      expect(drift.stdout).toContain(shown);
    }
    // the role whose grants xp leaves alone: no change
    expect(drift.stdout).not.toContain(`role.${kept} will be`);
    expect(drift.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');

    expectOk(await run(['apply', '--auto-approve']));
    expect(await held(app)).toEqual({ note: false, mood: false, email: false, type_acl: 0, orders: true });
    // (its grants as the server has them: nothing granted on the table created after its apply either)
    expect(await held(kept)).toEqual({ note: true, mood: true, email: true, type_acl: 2, orders: false });
    const healed = await run(['plan', '--detailed-exitcode']);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);
    const again = await run(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    await withClient(urlFor(url(), { database: db }), (c) => c.query('drop table api.orders; drop type api.mood; drop domain spare.email'));
    expectOk(await run(['destroy', '--auto-approve']));
  });
});

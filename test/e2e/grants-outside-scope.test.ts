// Grants outside a role's scope (docs/kinds/role.md, "Authoritative, by deltas"): a hand-made
// grant to a managed role on a schema its grants do not name, on a table there, or in a
// database they do not name, is shown by plan and revoked by apply; through the CLI, checked
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
});

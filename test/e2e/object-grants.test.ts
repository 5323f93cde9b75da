// Object-level and column-level grants through the CLI (docs/kinds/role.md, "Grants on named
// objects"): applied, checked the way a DBA would (has_*_privilege, aclexplode), planned empty
// twice; drift made by hand on an object, a column and a type shows in the plan and is healed by
// apply and by xplane.reconcile_all(); a grant on a table that does not exist is refused by the plan.
import { expect, it } from 'vitest';
import { configDir, expectOk, onEachServer, serverUrl, unique, urlFor, withClient, writeConfig, xpIn } from './xp.js';

const url = serverUrl;
const sql = (text: string, args: unknown[] = []) => withClient(url(), (c) => c.query(text, args));

onEachServer('object-level and column-level grants', { timeout: 600_000 }, () => {
  it('named tables, a function, a type and a domain, columns: applied, drift healed by apply and reconcile_all', async () => {
    const p = unique('og');
    const db = `${p}_db`;
    const reader = `${p}_reader`;
    const base = `database "${db}" {}
schema "api" {
  database = database.${db}
}
`;
    const roleBlock = (extra = '') => `role "${reader}" {
  grant {
    database   = database.${db}
    schema     = schema.api.name
    on         = "schema"
    privileges = ["USAGE"]
  }
  grant {
    database   = database.${db}
    schema     = schema.api.name
    objects    = ["orders", "customers"]
    privileges = ["SELECT"]
  }
  grant {
    database   = database.${db}
    schema     = schema.api.name
    objects    = ["orders"]
    columns    = ["status"]
    privileges = ["UPDATE"]
  }
  grant {
    database   = database.${db}
    schema     = schema.api.name
    on         = "functions"
    objects    = ["total(int, text)"]
    privileges = ["EXECUTE"]
  }
  grant {
    database   = database.${db}
    schema     = schema.api.name
    on         = "types"
    objects    = ["mood", "email"]
    privileges = ["USAGE"]
  }
${extra}}
`;
    const dir = configDir(p, { 'main.xp': base });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const dbUrl = urlFor(url(), { database: db });
    await withClient(dbUrl, (c) =>
      c.query(`create table api.orders (id int, status text); create table api.customers (id int); create table api.secrets (id int);
               create function api.total(int, text) returns int language sql as 'select 1';
               revoke execute on function api.total(int, text) from public;
               create type api.mood as enum ('ok'); create domain api.email as text`),
    );
    writeConfig(dir, { 'main.xp': base + roleBlock() });
    expectOk(await run(['apply', '--auto-approve']));
    const again = await run(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);

    /** What the reader may do, the way a DBA checks it. */
    const can = () =>
      withClient(dbUrl, async (c) => {
        const { rows } = await c.query(
          `select has_table_privilege($1, 'api.orders', 'SELECT') as orders_select,
                  has_table_privilege($1, 'api.customers', 'SELECT') as customers_select,
                  has_table_privilege($1, 'api.secrets', 'SELECT') as secrets_select,
                  has_table_privilege($1, 'api.orders', 'UPDATE') as orders_update,
                  has_column_privilege($1, 'api.orders', 'status', 'UPDATE') as status_update,
                  has_column_privilege($1, 'api.orders', 'id', 'UPDATE') as id_update,
                  has_function_privilege($1, 'api.total(integer, text)', 'EXECUTE') as total_execute,
                  (select string_agg(t.typname || ':' || a.privilege_type, ',' order by t.typname)
                     from pg_type t, aclexplode(t.typacl) a
                    where t.typnamespace = 'api'::regnamespace and a.grantee = $1::regrole) as types,
                  (select string_agg(c.relname || ':' || a.privilege_type, ',' order by c.relname, a.privilege_type)
                     from pg_class c, aclexplode(c.relacl) a
                    where c.relnamespace = 'api'::regnamespace and a.grantee = $1::regrole) as tables`,
          [reader],
        );
        return rows[0];
      });
    const declared = {
      orders_select: true,
      customers_select: true,
      secrets_select: false,
      orders_update: false,
      status_update: true,
      id_update: false,
      total_execute: true,
      types: 'email:USAGE,mood:USAGE',
      tables: 'customers:SELECT,orders:SELECT',
    };
    expect(await can()).toEqual(declared);

    // drift by hand: an object's privilege revoked, one added, a column and a type changed,
    // and a grant on a table no block names (the whole-schema rule: revoked)
    const drift = () =>
      withClient(dbUrl, (c) =>
        c.query(`revoke select on api.customers from ${reader}; grant delete on api.orders to ${reader};
                 grant update (id) on api.orders to ${reader}; revoke usage on type api.mood from ${reader};
                 grant select on api.secrets to ${reader}`),
      );
    await drift();
    const shown = await run(['plan', '--detailed-exitcode']);
    expect(shown.code, shown.stdout + shown.stderr).toBe(2);
    expect(shown.stdout).toContain(`# role.${reader} will be updated in-place`);
    expect(shown.stdout).toContain(`${db}.api (tables: customers)`);
    expect(shown.stdout).toContain(`${db}.api (tables: orders.id)`);
    expect(shown.stdout).toContain(`${db}.api (types: mood)`);
    expectOk(await run(['apply', '--auto-approve']));
    expect(await can()).toEqual(declared);
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

    // the same drift, healed by reconcile_all
    await drift();
    await sql(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [p]);
    await sql(`select xplane.reconcile_all($1)`, [p]);
    expect(await can()).toEqual(declared);
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

    // a table that does not exist: the plan refuses it, naming it
    writeConfig(dir, {
      'main.xp':
        base +
        roleBlock(`  grant {
    database   = database.${db}
    schema     = schema.api.name
    objects    = ["invoices"]
    privileges = ["SELECT"]
  }
  grant {
    database   = database.${db}
    schema     = schema.api.name
    objects    = ["orders"]
    columns    = ["nope"]
    privileges = ["SELECT"]
  }
`),
    });
    const refused = await run(['plan']);
    expect(refused.code, refused.stdout + refused.stderr).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain(`grant.objects names table "invoices" in schema "api" of database "${db}", which is not on the server`);
    expect(refused.stdout + refused.stderr).toContain(`grant.columns names column "nope" of table "orders" in schema "api" of database "${db}", which is not on the server`);
    await withClient(dbUrl, (c) => c.query('alter table api.orders add column nope int'));
    await withClient(dbUrl, (c) => c.query('create table api.invoices (id int)'));
    expectOk(await run(['apply', '--auto-approve']));
    await withClient(dbUrl, async (c) => {
      const { rows } = await c.query(`select has_table_privilege($1, 'api.invoices', 'SELECT') as can`, [reader]);
      expect(rows[0].can).toBe(true);
    });
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

    expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']));
  });
});

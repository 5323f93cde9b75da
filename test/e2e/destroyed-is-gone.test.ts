// A resource reported destroyed is gone from the catalogs, whatever its history: here a
// service account whose first create failed half-way (the role was made, its grants waited for
// a schema) and that became healthy by hand, without an xp update — so it was never reconciled
// successfully. Checked through pg_roles after each way a resource is deleted.
import { expect, it } from 'vitest';
import { configDir, expectOk, planSummary, unique, withClient, writeConfig, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

const roleExists = (name: string) =>
  withClient(url(), async (c) => (await c.query(`select 1 from pg_catalog.pg_roles where rolname = $1`, [name])).rowCount === 1);

onEachServer('a resource reported destroyed is gone from the catalogs', { timeout: 300_000 }, () => {
  /** A service account whose first create failed half-way (its schema was missing), healthy since by hand. */
  async function halfCreatedAccount(p: string) {
    const dir = configDir(p, {
      'main.xp': `database "${p}_db" {}\nservice_account "${p}_app" {\n  database = database.${p}_db\n  schemas  = ["later"]\n}\n`,
    });
    const run = xpIn(dir, url());
    const first = await run(['apply', '--auto-approve']);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('dependency_not_ready');
    expect(await roleExists(`${p}_app`)).toBe(true);
    await withClient(url().replace(/\/[^/?]*(\?|$)/, `/${p}_db$1`), async (c) => {
      await c.query('create schema later');
      await c.query(`grant usage on schema later to ${p}_app`);
    });
    expect((await planSummary(run)).changed).toEqual([]);
    return { dir, run };
  }

  it('xp destroy drops a service account whose first create had failed', async () => {
    const p = unique('gone');
    const { run } = await halfCreatedAccount(p);
    const destroy = expectOk(await run(['destroy', '--auto-approve']));
    expect(destroy.stdout).toContain('Resources: 2 destroyed');
    expect(await roleExists(`${p}_app`)).toBe(false);
  });

  it('removing it from the configuration drops it too', async () => {
    const p = unique('gone');
    const { dir, run } = await halfCreatedAccount(p);
    writeConfig(dir, { 'main.xp': `database "${p}_db" {}\n` });
    const apply = expectOk(await run(['apply', '--auto-approve']));
    expect(apply.stdout).toContain('1 destroyed');
    expect(await roleExists(`${p}_app`)).toBe(false);
    expectOk(await run(['destroy', '--auto-approve']));
  });

  it('xplane.delete drops it too', async () => {
    const p = unique('gone');
    const { run } = await halfCreatedAccount(p);
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select xplane.delete('ServiceAccount', $1) as deleted`, [`${p}_app`]);
      expect(rows[0].deleted).toBe(true);
    });
    expect(await roleExists(`${p}_app`)).toBe(false);
    expectOk(await run(['destroy', '--auto-approve']));
  });

  it('the reconcile loop drops it too once it is marked deleted', async () => {
    const p = unique('gone');
    const { run } = await halfCreatedAccount(p);
    await withClient(url(), async (c) => {
      await c.query(`update xplane.managed_resources set deleted_at = now(), next_reconcile_at = now() where stack = $1 and name = $2`, [p, `${p}_app`]);
      await c.query(`select xplane.reconcile_all($1)`, [p]);
      const { rows } = await c.query(`select count(*)::int as n from xplane.managed_resources where stack = $1 and name = $2`, [p, `${p}_app`]);
      expect(rows[0].n).toBe(0);
    });
    expect(await roleExists(`${p}_app`)).toBe(false);
    expectOk(await run(['destroy', '--auto-approve']));
  });
});

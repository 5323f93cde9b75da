// Lifecycle settings changed on a resource that is already applied: the plan shows the change
// (an update), apply records it in xplane.managed_resources, and the record decides what
// happens once the resource is no longer declared.
import { expect, it } from 'vitest';
import { configDir, expectOk, planSummary, unique, withClient, writeConfig, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

async function recorded(name: string): Promise<{ deletion_policy: string; prevent_destroy: boolean; ignore_changes: string[] } | undefined> {
  return withClient(url(), async (c) => {
    const { rows } = await c.query(`select to_jsonb(m) as r from xplane.managed_resources m where name = $1`, [name]);
    const r = rows[0]?.r;
    return r && { deletion_policy: r.deletion_policy, prevent_destroy: r.prevent_destroy, ignore_changes: r.ignore_changes };
  });
}

const roleExists = (name: string) =>
  withClient(url(), async (c) => (await c.query(`select 1 from pg_catalog.pg_roles where rolname = $1`, [name])).rowCount === 1);

onEachServer('lifecycle settings changed on an existing resource', { timeout: 300_000 }, () => {
  it('deletion_policy = "orphan" added later is planned, recorded, and keeps the object when the block goes', async () => {
    const p = unique('lco');
    const dir = configDir(p, { 'main.xp': `role "${p}_kept" {\n  connection_limit = 4\n}\n` });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    expect(await recorded(`${p}_kept`)).toMatchObject({ deletion_policy: 'delete' });

    writeConfig(dir, { 'main.xp': `role "${p}_kept" {\n  connection_limit = 4\n  lifecycle {\n    deletion_policy = "orphan"\n  }\n}\n` });
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain(`# role.${p}_kept will be updated in-place`);
    expect(plan.stdout).toContain('~ lifecycle.deletion_policy = "delete" → "orphan"');
    expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expectOk(await run(['apply', '--auto-approve']));
    expect(await recorded(`${p}_kept`)).toMatchObject({ deletion_policy: 'orphan' });
    expect((await planSummary(run)).changed).toEqual([]);

    // The resource block goes: forgotten, left on the server.
    writeConfig(dir, { 'main.xp': '' });
    const forget = expectOk(await run(['apply', '--auto-approve']));
    expect(forget.stdout).toContain('0 to destroy, 1 to forget');
    expect(await roleExists(`${p}_kept`)).toBe(true);
    expect(await recorded(`${p}_kept`)).toBeUndefined();
    await withClient(url(), (c) => c.query(`drop role ${p}_kept`));
  });

  it('prevent_destroy added later is recorded and still refuses the drop once the block is gone', async () => {
    const p = unique('lcp');
    const dir = configDir(p, { 'main.xp': `role "${p}_r" {}\n` });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));

    writeConfig(dir, { 'main.xp': `role "${p}_r" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n` });
    const plan = expectOk(await run(['plan']));
    expect(plan.stdout).toContain('~ lifecycle.prevent_destroy = false → true');
    expectOk(await run(['apply', '--auto-approve']));
    expect(await recorded(`${p}_r`)).toMatchObject({ prevent_destroy: true });

    writeConfig(dir, { 'main.xp': '' });
    const refused = await run(['apply', '--auto-approve']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`role.${p}_r has lifecycle { prevent_destroy = true } (as last applied; it is no longer declared)`);
    expect(await roleExists(`${p}_r`)).toBe(true);

    // Declared again without it: the change is shown and recorded, then the drop goes through.
    writeConfig(dir, { 'main.xp': `role "${p}_r" {}\n` });
    expect((await planSummary(run)).changed).toEqual([
      `update role.${p}_r ${JSON.stringify([{ after: false, before: true, path: 'lifecycle.prevent_destroy' }])}`,
    ]);
    expectOk(await run(['apply', '--auto-approve']));
    writeConfig(dir, { 'main.xp': '' });
    expectOk(await run(['apply', '--auto-approve']));
    expect(await roleExists(`${p}_r`)).toBe(false);
  });

  it('ignore_changes added later is recorded, and the reconcile loop leaves those attributes alone', async () => {
    const p = unique('lci');
    const dir = configDir(p, { 'main.xp': `role "${p}_r" {\n  connection_limit = 5\n}\n` });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    writeConfig(dir, { 'main.xp': `role "${p}_r" {\n  connection_limit = 5\n  lifecycle {\n    ignore_changes = [connection_limit]\n  }\n}\n` });
    const plan = expectOk(await run(['plan']));
    expect(plan.stdout).toMatch(/~ lifecycle\.ignore_changes = \[\n\s+\+ "connection_limit",\n\s+\]/);
    expectOk(await run(['apply', '--auto-approve']));
    expect(await recorded(`${p}_r`)).toMatchObject({ ignore_changes: ['connection_limit'] });

    await withClient(url(), async (c) => {
      await c.query(`alter role ${p}_r connection limit 9`);
      await c.query(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [p]);
      await c.query(`select xplane.reconcile_all($1)`, [p]);
      const { rows } = await c.query(`select rolconnlimit from pg_catalog.pg_roles where rolname = $1`, [`${p}_r`]);
      expect(rows[0].rolconnlimit).toBe(9);
    });
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['destroy', '--auto-approve']));
    expect(await roleExists(`${p}_r`)).toBe(false);
  });
});

onEachServer('stack { mode }', { timeout: 300_000 }, () => {
  it('observe: apply records the mode, the reconcile loop only reports drift; enforce heals it again', async () => {
    const p = unique('mode');
    const dir = configDir(p, { 'main.xp': `stack "${p}" {\n  mode = "observe"\n}\n\nrole "${p}_r" {\n  connection_limit = 5\n}\n` });
    const run = xpIn(dir, url());
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(`~ stack "${p}": mode "enforce" → "observe"`);
    expectOk(await run(['apply', '--auto-approve']));
    const mode = async () => withClient(url(), async (c) => (await c.query(`select mode::text from xplane.stacks where name = $1`, [p])).rows[0]?.mode);
    expect(await mode()).toBe('observe');
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

    // drift: the loop sees it and leaves it; status says so
    const reconcile = () =>
      withClient(url(), async (c) => {
        await c.query(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [p]);
        await c.query(`select xplane.reconcile_all($1)`, [p]);
        return (await c.query(`select rolconnlimit from pg_catalog.pg_roles where rolname = $1`, [`${p}_r`])).rows[0].rolconnlimit as number;
      });
    await withClient(url(), (c) => c.query(`alter role ${p}_r connection limit 9`));
    expect(await reconcile()).toBe(9);
    const status = await run(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Drifted/);

    // back to enforce: planned (with the drift), applied, and from then on the loop heals
    writeConfig(dir, { 'main.xp': `stack "${p}" {}\n\nrole "${p}_r" {\n  connection_limit = 5\n}\n` });
    const back = expectOk(await run(['plan']));
    expect(back.stdout).toContain(`~ stack "${p}": mode "observe" → "enforce"`);
    expect(back.stdout).toContain('0 to add, 1 to change, 0 to destroy');
    expectOk(await run(['apply', '--auto-approve']));
    expect(await mode()).toBe('enforce');
    await withClient(url(), (c) => c.query(`alter role ${p}_r connection limit 9`));
    expect(await reconcile()).toBe(5);
    expectOk(await run(['destroy', '--auto-approve']));
  });
});

// Stacks own what they created, and only that; a failure stops what depends on it, lets the
// rest finish, and is reported with the provider's status code and message.
import { describe, expect, inject, it } from 'vitest';
import { configDir, expectOk, planSummary, unique, withClient, xpIn } from './xp.js';

const url = () => inject('databaseUrl');

describe('stacks and failures', { timeout: 300_000 }, () => {
  it('never plans deletions of another stack’s or unmanaged objects, and refuses to take them over', async () => {
    const p = unique('own');
    const a = configDir(`${p}_a`, { 'main.xp': `role "${p}_shared" {}\nrole "${p}_a_only" {}\n` });
    const b = configDir(`${p}_b`, { 'main.xp': `role "${p}_b_only" {}\n` });
    await withClient(url(), (c) => c.query(`create role ${p}_by_hand`));
    expectOk(await xpIn(a, url())(['apply', '--auto-approve']));
    expectOk(await xpIn(b, url())(['apply', '--auto-approve']));

    // b's plans and destroys never touch a's roles nor the hand-made one
    expect((await planSummary(xpIn(b, url()))).changed).toEqual([]);
    expectOk(await xpIn(b, url())(['destroy', '--auto-approve']));
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select rolname from pg_roles where rolname like $1 order by 1`, [`${p}%`]);
      expect(rows.map((r) => r.rolname)).toEqual([`${p}_a_only`, `${p}_by_hand`, `${p}_shared`]);
    });

    // b declaring a's role is refused, naming the owner stack
    const b2 = configDir(`${p}_b`, { 'main.xp': `role "${p}_shared" {}\n` });
    const conflict = await xpIn(b2, url())(['plan']);
    expect(conflict.code).toBe(1);
    expect(conflict.stdout + conflict.stderr).toContain(`managed by stack "${p}_a"`);

    // declaring the hand-made role adopts it (an update, not a create); a's destroy leaves it
    const a2 = `role "${p}_shared" {}\nrole "${p}_a_only" {}\nrole "${p}_by_hand" {\n  connection_limit = 3\n}\n`;
    const runA = xpIn(configDir(`${p}_a`, { 'main.xp': a2 }), url());
    const adopt = await planSummary(runA);
    expect(adopt).toMatchObject({ add: 0, change: 1, destroy: 0 });
    expectOk(await runA(['apply', '--auto-approve']));
    expectOk(await xpIn(a, url())(['destroy', '--auto-approve']));
    expectOk(await runA(['destroy', '--auto-approve']));
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select count(*)::int as n from pg_roles where rolname like $1`, [`${p}%`]);
      expect(rows[0].n).toBe(0);
    });
  });

  it('a failure stops its dependents, lets independent work finish, and exits 1 with the status code', async () => {
    const p = unique('fail');
    const dir = configDir(p, {
      'main.xp': `
database "${p}_db" {}
extension "nope" {
  name     = "${p}_no_such_extension"
  database = database.${p}_db
}
schema "${p}_after" {
  database   = database.${p}_db
  depends_on = [extension.nope]
}
role "${p}_independent" {}
`,
    });
    const run = xpIn(dir, url());
    const json = await run(['apply', '--auto-approve', '--json', '--target', 'extension.nope']);
    expect(json.code).toBe(1);
    const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; address?: string; statusCode?: string });
    expect(events[0]!.type).toBe('start');
    expect(events.at(-1)!.type).toBe('complete');
    expect(events.find((e) => e.type === 'resource_failed')).toMatchObject({ address: 'extension.nope' });
    const r = await run(['apply', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`extension\\.nope: Creation failed`));
    expect(r.stdout).toMatch(new RegExp(`schema\\.${p}_after: Not run — it depends on extension\\.nope`));
    expect(r.stdout).toMatch(new RegExp(`role\\.${p}_independent: Creation complete`));
    expect(r.stderr).toMatch(/extension\.nope/);
    expect(r.stderr).toMatch(/error|dependency_not_ready|invalid_spec/);
    expect(r.stderr).toContain(`${p}_no_such_extension`);
    // reported once: the skipped schema is not an error block of its own
    expect(r.stderr).not.toMatch(new RegExp(`schema\\.${p}_after: creation failed`));
    expectOk(await run(['destroy', '--auto-approve']));
  });
});

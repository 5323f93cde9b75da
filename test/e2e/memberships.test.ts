// Membership options through the CLI (`member_of`, `membership` blocks: admin on every
// version, inherit and set on PostgreSQL 16+), checked the way a DBA would (pg_auth_members):
// applied as declared, no perpetual diff, WITH ADMIN OPTION made by hand shown in `xp plan` and
// healed by apply and by xplane.reconcile_all(); on PostgreSQL < 16, inherit / set refused at
// plan, at the resource, before anything changes.
import { expect, it } from 'vitest';
import { configDir, expectOk, onEachServer, serverUrl, unique, urlFor, withClient, xpIn } from './xp.js';

const url = serverUrl;
const admin = (sql: string) => withClient(url(), (c) => c.query(sql));
const version = () => withClient(url(), async (c) => Number((await c.query<{ v: string }>(`select current_setting('server_version_num') as v`)).rows[0]!.v));

/** pg_auth_members of a member as a DBA reads it: group:admin/inherit/set (before 16: the member's INHERIT, SET always), one per grant. */
const edges = (member: string) =>
  withClient(url(), async (c) => {
    const { rows } = await c.query<{ e: string }>(
      `select format('%s:%s/%s/%s', g.rolname, m.admin_option,
                     coalesce((to_jsonb(m) ->> 'inherit_option')::boolean, r.rolinherit), coalesce((to_jsonb(m) ->> 'set_option')::boolean, true)) as e
         from pg_catalog.pg_auth_members m join pg_catalog.pg_roles g on g.oid = m.roleid join pg_catalog.pg_roles r on r.oid = m.member
        where r.rolname = $1 order by 1`,
      [member],
    );
    return rows.map((r) => r.e);
  });

/** A control database of the test's own, so that the provider installed there is this build's. */
async function ownControl(p: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${p}_control`;
  await admin(`create database ${name}`);
  await withClient(urlFor(url(), { database: name }), (c) => c.query('create extension dblink'));
  return { url: urlFor(url(), { database: name }), drop: async () => void (await admin(`drop database if exists ${name} with (force)`)) };
}

async function reconcile(controlUrl: string, stack: string): Promise<void> {
  await withClient(controlUrl, async (c) => {
    await c.query(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [stack]);
    await c.query(`select xplane.reconcile_all($1)`, [stack]);
  });
}

onEachServer('membership options', { timeout: 300_000 }, () => {
  it('applies admin (and inherit / set on 16+) as declared, plans empty twice, shows and heals WITH ADMIN OPTION by hand', async () => {
    const p = unique('mo');
    const v16 = (await version()) >= 160000;
    const options16 = `
  membership {
    role    = role.g3
    inherit = false
    set     = false
  }`;
    const config = (extra: string) => `
role "g1" { name = "${p}_g1" }
role "g2" { name = "${p}_g2" }
role "g3" { name = "${p}_g3" }
role "m" {
  name      = "${p}_m"
  member_of = [role.g1]
  membership {
    role  = role.g2
    admin = true
  }${extra}
}
service_account "app" {
  name     = "${p}_app"
  database = "postgres"
  membership {
    role  = role.g1
    admin = true
  }
}
`;
    const dir = configDir(p, { 'main.xp': config('') });
    const control = await ownControl(p);
    const run = xpIn(dir, control.url);
    try {
      if (!v16) {
        // PostgreSQL < 16 has no inherit / set options: refused at plan, at the resource, nothing created.
        const refused = configDir(p, { 'main.xp': config(options16) });
        const r = await xpIn(refused, control.url)(['plan']);
        expect(r.code, r.stdout + r.stderr).toBe(1);
        expect(r.stdout + r.stderr).toMatch(/main\.xp:5:1: role\.m: membership in "mo_[^"]*_g3": inherit = false, set = false: the inherit and set options of a membership need PostgreSQL 16 or later/);
        const applied = await xpIn(refused, control.url)(['apply', '--auto-approve']);
        expect(applied.code).not.toBe(0);
        expect(await edges(`${p}_m`)).toEqual([]);
      }
      const dir16 = v16 ? configDir(p, { 'main.xp': config(options16) }) : dir;
      const run16 = xpIn(dir16, control.url);
      expectOk(await run16(['apply', '--auto-approve']));
      const declared = [`${p}_g1:f/t/t`, `${p}_g2:t/t/t`, ...(v16 ? [`${p}_g3:f/f/f`] : [])];
      expect(await edges(`${p}_m`)).toEqual(declared);
      expect(await edges(`${p}_app`)).toEqual([`${p}_g1:t/t/t`]);
      for (let i = 0; i < 2; i++) {
        const again = await run16(['plan', '--detailed-exitcode']);
        expect(again.code, again.stdout + again.stderr).toBe(0);
      }

      // By hand: WITH ADMIN OPTION on g1, the declared one on g2 revoked (and on 16+: g3's SET back).
      const drift = async () => {
        await admin(`grant ${p}_g1 to ${p}_m with admin option`);
        await admin(`revoke admin option for ${p}_g2 from ${p}_m`);
        await admin(`revoke admin option for ${p}_g1 from ${p}_app`);
        if (v16) await admin(`grant ${p}_g3 to ${p}_m with set true`);
      };
      await drift();
      const plan = await run16(['plan', '--detailed-exitcode']);
      expect(plan.code, plan.stdout + plan.stderr).toBe(2);
      expect(plan.stdout).toMatch(/# role\.m will be updated in-place\n\s+# \(drifted: changed outside xp\)/);
      expect(plan.stdout).toMatch(new RegExp(`- \\{ admin = true, inherit = true, role = "${p}_g1", set = true \\}`));
      expect(plan.stdout).toMatch(new RegExp(`\\+ \\{ admin = true, inherit = true, role = "${p}_g2", set = true \\}`));
      expect(plan.stdout).toContain('Plan: 0 to add, 2 to change, 0 to destroy.');

      expectOk(await run16(['apply', '--auto-approve']));
      const healed = async () => {
        expect(await edges(`${p}_m`)).toEqual(declared);
        expect(await edges(`${p}_app`)).toEqual([`${p}_g1:t/t/t`]);
        const again = await run16(['plan', '--detailed-exitcode']);
        expect(again.code, again.stdout + again.stderr).toBe(0);
      };
      await healed();

      // The same drift, healed by the reconcile loop alone.
      await drift();
      await reconcile(control.url, p);
      await healed();
    } finally {
      expectOk(await run(['destroy', '--auto-approve']));
      await control.drop();
    }
  });
});

// Membership options through the CLI, on PostgreSQL 14 to 18 (`member_of`, `membership` blocks: admin on every
// version, inherit and set on PostgreSQL 16+), checked the way a DBA would (pg_auth_members):
// applied as declared, no perpetual diff, WITH ADMIN OPTION made by hand shown in `xp plan` and
// healed by apply and by xplane.reconcile_all(); on PostgreSQL < 16, inherit / set refused at
// plan, at the resource, before anything changes. A `member` block manages one membership of a
// role another stack declares, whose authoritative member_of then leaves it alone.
import { expect, it } from 'vitest';
import { configDir, expectOk, onEveryVersion, ownControl, serverUrl, unique, withClient, writeConfig, xpIn } from './xp.js';

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

async function reconcile(controlUrl: string, stack: string): Promise<void> {
  await withClient(controlUrl, async (c) => {
    await c.query(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [stack]);
    await c.query(`select xplane.reconcile_all($1)`, [stack]);
  });
}

onEveryVersion('membership options', { timeout: 300_000 }, () => {
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

  it('a member block manages one membership of a role another stack declares; that stack leaves it alone', async () => {
    const p = unique('mm');
    const control = await ownControl(p);
    const platform = configDir(`${p}_platform`, {
      'main.xp': `
stack "${p}_platform" {}
role "base" { name = "${p}_base" }
role "shared" {
  name      = "${p}_shared"
  member_of = [role.base]
}
`,
    });
    const reporting = (members: string) => `
stack "${p}_reporting" {}
role "readers" {
  name = "${p}_readers"${members}
}
`;
    const withMember = `
  member {
    role  = "${p}_shared"
    admin = true
  }`;
    const rep = configDir(`${p}_reporting`, { 'main.xp': reporting(withMember) });
    const runPlatform = xpIn(platform, control.url);
    const runReporting = xpIn(rep, control.url);
    try {
      expectOk(await runPlatform(['apply', '--auto-approve']));
      expectOk(await runReporting(['apply', '--auto-approve']));
      expect(await edges(`${p}_shared`)).toEqual([`${p}_base:f/t/t`, `${p}_readers:t/t/t`]);
      // neither stack sees a difference: platform's member_of does not revoke readers
      for (const run of [runPlatform, runReporting, runPlatform, runReporting]) {
        const again = await run(['plan', '--detailed-exitcode']);
        expect(again.code, again.stdout + again.stderr).toBe(0);
      }

      // by hand: the managed membership's admin option revoked, and a membership platform does not declare
      await admin(`revoke admin option for ${p}_readers from ${p}_shared`);
      await admin(`create role ${p}_extra; grant ${p}_extra to ${p}_shared`);
      const planRep = await runReporting(['plan', '--detailed-exitcode']);
      expect(planRep.code, planRep.stdout + planRep.stderr).toBe(2);
      expect(planRep.stdout).toMatch(/# role\.readers will be updated in-place\n\s+# \(drifted: changed outside xp\)/);
      expect(planRep.stdout).toMatch(/~ members/);
      const planPlat = await runPlatform(['plan', '--detailed-exitcode']);
      expect(planPlat.code, planPlat.stdout + planPlat.stderr).toBe(2);
      expect(planPlat.stdout).toMatch(new RegExp(`- "${p}_extra"`));
      expect(planPlat.stdout).not.toContain(`${p}_readers`);
      expectOk(await runReporting(['apply', '--auto-approve']));
      expectOk(await runPlatform(['apply', '--auto-approve']));
      expect(await edges(`${p}_shared`)).toEqual([`${p}_base:f/t/t`, `${p}_readers:t/t/t`]);

      // the member block removed: that membership only is revoked
      writeConfig(rep, { 'main.xp': reporting('') });
      const removed = await runReporting(['plan', '--detailed-exitcode']);
      expect(removed.code, removed.stdout + removed.stderr).toBe(2);
      expectOk(await runReporting(['apply', '--auto-approve']));
      expect(await edges(`${p}_shared`)).toEqual([`${p}_base:f/t/t`]);
      for (const run of [runPlatform, runReporting]) {
        const again = await run(['plan', '--detailed-exitcode']);
        expect(again.code, again.stdout + again.stderr).toBe(0);
      }
    } finally {
      expectOk(await runReporting(['destroy', '--auto-approve']));
      expectOk(await runPlatform(['destroy', '--auto-approve']));
      await admin(`drop role if exists ${p}_extra`);
      await control.drop();
    }
  });
});

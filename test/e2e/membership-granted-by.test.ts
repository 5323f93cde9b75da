// granted_by on a membership block (issue 13), through the CLI on every supported major,
// checked the way a DBA reads pg_auth_members (group, grantor, admin option): the membership is
// granted by the declared role alone (no grant of xp's role next to it); plan twice empty; the
// grantor's grant revoked and made again by xp's role by hand shows in `xp plan` and is healed
// by apply and by xplane.reconcile_all(); a bad value refused at validate, located.
import { expect, it } from 'vitest';
import { configDir, expectOk, onEveryVersion, ownControl, serverUrl, unique, withClient, xp, xpIn } from './xp.js';

const url = serverUrl;
const admin = (sql: string) => withClient(url(), (c) => c.query(sql));
const version = () => withClient(url(), async (c) => Number((await c.query<{ v: string }>(`select current_setting('server_version_num') as v`)).rows[0]!.v));

/** pg_auth_members of a member as a DBA reads it: `group by grantor[ admin]`, one line per grant. */
const grants = (member: string) =>
  withClient(url(), async (c) => {
    const { rows } = await c.query<{ e: string }>(
      `select g.rolname || ' by ' || pg_catalog.pg_get_userbyid(m.grantor) || case when m.admin_option then ' admin' else '' end as e
         from pg_catalog.pg_auth_members m join pg_catalog.pg_roles g on g.oid = m.roleid join pg_catalog.pg_roles r on r.oid = m.member
        where r.rolname = $1 order by 1`,
      [member],
    );
    return rows.map((r) => r.e);
  });

onEveryVersion('membership granted_by', { timeout: 300_000 }, () => {
  it('grants the membership as the declared role alone, plans empty twice, shows and heals a re-grant by hand', async () => {
    const p = unique('mgb');
    const v16 = (await version()) >= 160000;
    const dir = configDir(p, {
      'main.xp': `
role "readers" { name = "${p}_readers" }
role "lead" {
  name = "${p}_lead"
  membership {
    role  = role.readers
    admin = true                 # ADMIN OPTION: what PostgreSQL 16+ asks of a grantor
  }
}
role "third" {
  name = "${p} third"
  membership {
    role       = role.readers
    granted_by = role.lead       # GRANT readers TO "third" GRANTED BY lead
  }
}
service_account "app" {
  name     = "${p}_app"
  database = "postgres"
  membership {
    role       = role.readers
    admin      = true
    granted_by = role.lead
  }
}
`,
    });
    const control = await ownControl(p);
    const run = xpIn(dir, control.url);
    const [readers, lead, third, app] = [`${p}_readers`, `${p}_lead`, `${p} third`, `${p}_app`];
    try {
      expectOk(await run(['apply', '--auto-approve']));
      expect(await grants(third)).toEqual([`${readers} by ${lead}`]);
      expect(await grants(app)).toEqual([`${readers} by ${lead} admin`]);
      for (let i = 0; i < 2; i++) {
        const again = await run(['plan', '--detailed-exitcode']);
        expect(again.code, again.stdout + again.stderr).toBe(0);
      }

      // By hand: the grantor's grant revoked, the membership granted again by xp's role.
      const drift = async () => {
        await admin(`revoke "${readers}" from "${third}"${v16 ? ` granted by "${lead}"` : ''}; grant "${readers}" to "${third}"`);
        if (v16) await admin(`grant "${readers}" to "${app}"`);  // 16+: a second grant, by xp's role, next to the lead's
      };
      await drift();
      expect(await grants(third)).not.toEqual([`${readers} by ${lead}`]);
      const plan = await run(['plan', '--detailed-exitcode']);
      expect(plan.code, plan.stdout + plan.stderr).toBe(2);
      expect(plan.stdout).toMatch(/# role\.third will be updated in-place\n\s+# \(drifted: changed outside xp\)/);
      expect(plan.stdout).toContain(`granted_by = "${lead}"`);
      expect(plan.stdout).toContain(`Plan: 0 to add, ${v16 ? 2 : 1} to change, 0 to destroy.`);

      expectOk(await run(['apply', '--auto-approve']));
      const healed = async () => {
        expect(await grants(third)).toEqual([`${readers} by ${lead}`]);
        expect(await grants(app)).toEqual([`${readers} by ${lead} admin`]);
        const again = await run(['plan', '--detailed-exitcode']);
        expect(again.code, again.stdout + again.stderr).toBe(0);
      };
      await healed();

      // The same drift, healed by the reconcile loop alone.
      await drift();
      await withClient(control.url, async (c) => {
        await c.query(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [p]);
        await c.query(`select xplane.reconcile_all($1)`, [p]);
      });
      await healed();
    } finally {
      expectOk(await run(['destroy', '--auto-approve']));
      await control.drop();
    }
  });
});

it('a bad granted_by is refused at validate, located', async () => {
  const p = unique('mgv');
  const dir = configDir(p, {
    'main.xp': `role "g" { name = "${p}_g" }
role "m" {
  name = "${p}_m"
  membership {
    role       = role.g
    granted_by = ""
  }
}
role "n" {
  name = "${p}_n"
  member {
    role       = role.m
    granted_by = role.g
  }
}
`,
  });
  const r = await xp(['validate'], { cwd: dir });
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr + r.stdout).toContain('main.xp:6:18: error: granted_by: must not be empty');
  expect(r.stderr + r.stdout).toMatch(/main\.xp:13:5: error: [^\n]*granted_by/);
});

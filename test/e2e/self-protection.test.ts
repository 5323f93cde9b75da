// xp must never destroy itself: the role it connects as, the control database, schema xplane
// (and what holds dblink) are refused at plan time, with file:line and why, and again by the
// provider's SQL (psql, the reconcile loop). No remote statement waits unboundedly, and a
// signal cancels the server sessions xp started. Every xp run here is bounded: a hang is
// killed and reported as a failure, never left to hang the suite.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { collect, configDir, startXp, unique, urlFor, withClient, writeConfig, type XpResult, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

/** Run xp, killing it (SIGKILL) when it has not finished after `limitMs`: `killed` says so. */
async function bounded(args: string[], cwd: string, limitMs = 90_000): Promise<XpResult & { killed: boolean }> {
  const child = startXp(args, { cwd });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, limitMs);
  const r = await collect(child);
  clearTimeout(timer);
  return { ...r, killed };
}

/** Poll (bounded) until `check` holds. */
async function eventually(what: string, check: () => Promise<boolean>, tries = 600): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: still not the case after ${tries / 10} s`);
}

onEachServer('xp never destroys itself', { timeout: 300_000 }, () => {
  const admin = unique('xpself');
  const password = randomBytes(18).toString('base64url');
  const control = `${admin}_ctl`;
  let adminUrl: string;

  const exists = async (sql: string, params: unknown[]) =>
    withClient(url(), async (c) => (await c.query<{ n: number }>(`select count(*)::int as n from (${sql}) x`, params)).rows[0]!.n > 0);
  const schemaXplaneExists = () =>
    withClient(urlFor(url(), { database: control }), async (c) => (await c.query(`select 1 from pg_namespace where nspname = 'xplane'`)).rowCount === 1);
  /** Backends of this test's admin role still running a statement (xp's or its dblink's). */
  const busyBackends = () =>
    withClient(url(), async (c) =>
      (await c.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where usename = $1 and state = 'active'`, [admin])).rows[0]!.n,
    );

  beforeAll(async () => {
    await withClient(url(), async (c) => {
      await c.query(`create role ${pg.escapeIdentifier(admin)} login createdb createrole password ${pg.escapeLiteral(password)}`);
      await c.query(`create database ${pg.escapeIdentifier(control)} owner ${pg.escapeIdentifier(admin)}`);
    });
    await withClient(urlFor(url(), { database: control }), (c) => c.query('create extension dblink'));
    adminUrl = urlFor(url(), { user: admin, password, database: control });
  });

  afterAll(async () => {
    await withClient(url(), async (c) => {
      await c.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1 or datname = $2`, [admin, control]);
      await c.query(`drop database if exists ${pg.escapeIdentifier(control)} with (force)`);
      await c.query(`drop owned by ${pg.escapeIdentifier(admin)}`).catch(() => undefined);
      await c.query(`drop role if exists ${pg.escapeIdentifier(admin)}`).catch(() => undefined);
    });
  });

  it('refuses, at plan time and at apply, to drop the role it connects as or the control database', async () => {
    const stack = unique('self');
    const declared = `
role "me" {
  name       = "${admin}"
  login      = true
  createdb   = true
  createrole = true
}

database "control" {
  name  = "${control}"
  owner = "${admin}"
}
`;
    const dir = configDir(stack, { 'main.xp': declared });
    const run = (args: string[]) => bounded([...args, '--database-url', adminUrl, '--remote-lock-timeout', '5s'], dir);
    // Adopting them changes nothing: allowed.
    const adopted = await run(['apply', '--auto-approve']);
    expect(adopted.killed, adopted.stderr).toBe(false);
    expect(adopted.code, adopted.stdout + adopted.stderr).toBe(0);

    // Removing them from the configuration would drop them: refused with why, before anything runs.
    writeConfig(dir, { 'main.xp': '# nothing\n' });
    const plan = await run(['plan']);
    expect(plan.killed).toBe(false);
    expect(plan.code).toBe(1);
    const planOut = plan.stdout + plan.stderr;
    expect(planOut).toContain(`: refusing to drop role "${admin}"`);
    expect(planOut).toMatch(/xp connects as it/);
    expect(planOut).toContain(`: refusing to drop database "${control}"`);
    expect(planOut).toMatch(/control database/);

    const apply = await run(['apply', '--auto-approve']);
    expect(apply.killed, 'xp apply hung and was killed').toBe(false);
    expect(apply.code).toBe(1);
    expect(await schemaXplaneExists()).toBe(true);
    expect(await exists(`select 1 from pg_roles where rolname = $1 and rolcanlogin`, [admin])).toBe(true);

    // A change that strips it (declared again, without CREATEROLE; another owner for the
    // control database) is refused too, naming the file and line of the declaration.
    writeConfig(dir, { 'main.xp': declared.replace('createrole = true', 'createrole = false').replace(`owner = "${admin}"`, 'owner = "postgres"') });
    const strip = await run(['plan']);
    expect(strip.code).toBe(1);
    expect(strip.stdout + strip.stderr).toMatch(/main\.xp:2:\d+: role\.me: refusing to change createrole of role/);
    expect(strip.stdout + strip.stderr).toMatch(/main\.xp:9:\d+: database\.control: refusing to change owner of database/);

    // The provider refuses as well when called directly (psql, the reconcile loop).
    await withClient(adminUrl, async (c) => {
      await c.query(`set statement_timeout = '60s'`);
      const { rows } = await c.query<{ gone: boolean }>(`select xplane.delete('Role', $1) as gone`, [admin]);
      expect(rows[0]!.gone).toBe(false);
      const status = await c.query<{ ready_message: string }>(`select ready_message from xplane.resource_status where kind = 'Role' and name = $1`, [admin]);
      expect(status.rows[0]!.ready_message).toMatch(/refusing to drop role .* xp connects as it/);
      const db = await c.query<{ gone: boolean }>(`select xplane.delete('Database', $1) as gone`, [control]);
      expect(db.rows[0]!.gone).toBe(false);
    });
    expect(await schemaXplaneExists()).toBe(true);
    expect(await exists(`select 1 from pg_roles where rolname = $1 and rolcanlogin and rolcreaterole`, [admin])).toBe(true);
    expect(await busyBackends()).toBe(0);
  });

  /** Hold the advisory lock xp takes before changing role `name` (xplane.ddl_lock_prefix), in the control database. */
  async function holdRoleLock(name: string): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: urlFor(url(), { database: control }) });
    await c.connect();
    await c.query(`select pg_advisory_lock(7893101, hashtext($1))`, [`role:${name}`]);
    return c;
  }

  it('bounds every remote statement: one waiting for a lock gives up after --remote-lock-timeout, saying so', async () => {
    const stack = unique('lockwait');
    const role = `${stack}_r`;
    const dir = configDir(stack, { 'main.xp': `role "r" {\n  name    = "${role}"\n  comment = "one"\n}\n` });
    const run = (args: string[]) => bounded([...args, '--database-url', adminUrl], dir);
    expect((await run(['apply', '--auto-approve'])).code).toBe(0);
    writeConfig(dir, { 'main.xp': `role "r" {\n  name    = "${role}"\n  comment = "two"\n}\n` });
    const holder = await holdRoleLock(role);
    const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    try {
      const r = await run(['apply', '--auto-approve', '--remote-lock-timeout', '1s']);
      expect(r.killed, 'xp apply hung and was killed').toBe(false);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/remote statement in database .* gave up: .*lock timeout.* \(xplane\.remote_lock_timeout = 1000ms/);
      // … naming who holds the lock: the test's own session.
      expect(r.stdout + r.stderr).toContain(`the lock is held by pid ${holderPid} (role postgres`);
    } finally {
      await holder.end();
    }
    expect(await busyBackends()).toBe(0);
    // A bad bound is refused before anything runs.
    const bad = await run(['plan', '--remote-lock-timeout', '0s']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--remote-lock-timeout 0s: expected a duration greater than zero/);
    expect((await run(['apply', '--auto-approve'])).code).toBe(0);
    expect((await run(['destroy', '--auto-approve'])).code).toBe(0);
  });

  it('SIGTERM during a hung statement cancels the server sessions xp started and exits', async () => {
    const stack = unique('sigterm');
    const role = `${stack}_r`;
    const dir = configDir(stack, { 'main.xp': `role "r" {\n  name    = "${role}"\n  comment = "one"\n}\n` });
    const run = (args: string[]) => bounded([...args, '--database-url', adminUrl], dir);
    expect((await run(['apply', '--auto-approve'])).code).toBe(0);
    writeConfig(dir, { 'main.xp': `role "r" {\n  name    = "${role}"\n  comment = "two"\n}\n` });
    const holder = await holdRoleLock(role);
    try {
      const child = startXp(['apply', '--auto-approve', '--database-url', adminUrl, '--remote-lock-timeout', '10m'], { cwd: dir });
      let killed = false;
      const bound = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, 90_000);
      const done = collect(child);
      // The provider's dblink session waits for the lock the test holds.
      await eventually('a dblink session of xp waiting for the lock', async () => {
        if (child.exitCode !== null) throw new Error(`xp exited early:\n${(await done).stderr}`);
        return withClient(url(), async (c) =>
          (await c.query(`select 1 from pg_stat_activity where usename = $1 and application_name like 'xplane%' and wait_event_type = 'Lock'`, [admin])).rowCount! > 0,
        );
      });
      child.kill('SIGTERM');
      const r = await done;
      clearTimeout(bound);
      expect(killed, `xp ignored SIGTERM and was killed:\n${r.stderr}`).toBe(false);
      expect(r.code, r.stdout + r.stderr).toBe(130);
      expect(r.stderr).toMatch(/SIGTERM received/);
      expect(r.stderr).toMatch(/cancelled \d+ statements? xp had started on the server/);
      // Nothing it started is left running on the server.
      await eventually('the server sessions of xp gone idle or away', async () => (await busyBackends()) === 0);
    } finally {
      await holder.end();
    }
    expect((await run(['apply', '--auto-approve'])).code).toBe(0);
    expect((await run(['destroy', '--auto-approve'])).code).toBe(0);
  });
});

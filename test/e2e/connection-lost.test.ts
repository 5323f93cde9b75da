// The server goes away in the middle of an apply: xp stops at the first lost connection, marks
// everything not done "not run: connection lost", prints one error and exits 4; the next apply
// converges. xp's connections are terminated while its first batch waits on a lock the test
// holds, so the loss always lands mid-apply (no timing involved).
import { expect, it } from 'vitest';
import pg from 'pg';
import { collect, configDir, expectOk, planSummary, startXp, unique, withClient, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

/**
 * Resolves once one of xp's backends (its application_name carries its pid) waits on a lock.
 * Each look is its own session: pg_stat_activity is a snapshot per transaction.
 */
async function waitingBackends(xpPid: number, exited: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !exited(); i++) {
    const { rows } = await withClient(url(), (c) => c.query(
      `select count(*)::int as n from pg_catalog.pg_stat_activity where application_name like $1 and wait_event_type = 'Lock'`,
      [`%pid=${xpPid} %`],
    ));
    if (rows[0].n > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`xp (pid ${xpPid}) never waited on the lock`);
}

onEachServer('the connection is lost mid-apply', { timeout: 300_000 }, () => {
  it('stops at once, marks the rest not run, prints one error and exits 4; the next apply converges', async () => {
    const p = unique('cl');
    const n = 201;
    const roles = Array.from({ length: n }, (_, i) => `role "${p}_${i}" {}\n`).join('');
    const dir = configDir(p, { 'main.xp': roles });
    const run = xpIn(dir, url());
    expectOk(await run(['plan'])); // installs the provider when the server has none yet

    const blocker = new pg.Client({ connectionString: url() });
    await blocker.connect();
    let result;
    try {
      // The first batch's insert into managed_resources waits for this lock (reads do not).
      await blocker.query('begin');
      await blocker.query('lock table xplane.managed_resources in share mode');
      const child = startXp(['apply', '--auto-approve', '--database-url', url()], { cwd: dir });
      let exited = false;
      const done = collect(child).finally(() => (exited = true));
      await waitingBackends(child.pid!, () => exited).catch(async (err: Error) => {
        const r = await done;
        throw new Error(`${err.message}: xp exited ${r.code}\n${r.stdout}\n${r.stderr}`);
      });
      await withClient(url(), (c) =>
        c.query(`select pg_catalog.pg_terminate_backend(pid) from pg_catalog.pg_stat_activity where application_name like $1`, [`%pid=${child.pid} %`]),
      );
      result = await done;
    } finally {
      await blocker.query('rollback').catch(() => {});
      await blocker.end();
    }

    expect(result.code, result.stdout + result.stderr).toBe(4);
    // One error, not one per resource.
    expect(result.stderr.match(/Error:/g)).toHaveLength(1);
    expect(result.stderr).toMatch(/Error: the connection to the server was lost during the apply \((terminating connection due to administrator command|Connection terminated unexpectedly)\): 201 resources not run/);
    expect(result.stderr).toContain('run `xp apply` again');
    // Every resource is marked, those of the batch in flight too ("connection lost while it ran").
    expect(result.stdout.match(/: Not run — connection lost/g)).toHaveLength(n);
    expect(result.stdout).not.toMatch(/failed after/);
    expect(result.stdout).toContain('Interrupted: connection to the server lost: 201 not run');
    expect(result.stdout).toContain('Apply interrupted! Resources: 0 added, 0 changed, 0 destroyed, 201 not run.');

    // The next apply converges.
    expectOk(await run(['apply', '--auto-approve']));
    expect((await planSummary(run)).changed).toEqual([]);
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select count(*)::int as n from pg_catalog.pg_roles where rolname like $1`, [`${p}\\_%`]);
      expect(rows[0].n).toBe(n);
    });
    expectOk(await run(['destroy', '--auto-approve']));
  });
});

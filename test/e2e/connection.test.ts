// How xp finds its server (XP_DATABASE_URL, PG* variables), how many connections an apply
// opens, and `xp init --reconcile-every` with and without pg_cron.
import { describe, expect, inject, it } from 'vitest';
import { collect, configDir, expectOk, startXp, unique, urlFor, withClient, xp } from './xp.js';
import { missing, pg15 as pg15Server } from '../setup/requirements.js';

const url = () => inject('databaseUrl');

describe('connection', { timeout: 300_000 }, () => {
  it('uses XP_DATABASE_URL, then the PG* variables, when no --database-url is given', async () => {
    const p = unique('cn');
    const dir = configDir(p, { 'main.xp': `role "${p}_r" {}\n` });
    const viaEnv = await xp(['plan'], { cwd: dir, env: { XP_DATABASE_URL: url() } });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(viaEnv.stdout).toContain('Plan: 1 to add');
    const u = new URL(url());
    const viaPg = await xp(['plan'], {
      cwd: dir,
      env: { PGHOST: u.hostname, PGPORT: u.port, PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password), PGDATABASE: 'postgres' },
    });
    expect(viaPg.code, viaPg.stderr).toBe(0);
    expect(viaPg.stdout).toContain('Plan: 1 to add');
    const refused = await xp(['plan', '--database-url', urlFor(url(), { password: 'wrong' })], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: cannot connect to postgres:\/\/postgres:\*\*\*@/m);
    expect(refused.stderr).not.toContain('wrong');
  });

  it('opens one control connection, one for the stack lock, plus at most --parallelism for the apply', async () => {
    const p = unique('pool');
    const roles = Array.from({ length: 24 }, (_, i) => `role "${p}_r${i}" {}\n`).join('\n');
    const dir = configDir(p, { 'main.xp': roles });
    const child = startXp(['apply', '--auto-approve', '--parallelism', '2', '--database-url', url()], { cwd: dir });
    const done = collect(child);
    let peak = 0;
    let finished = false;
    void done.then(() => (finished = true));
    await withClient(url(), async (c) => {
      while (!finished) {
        const { rows } = await c.query(`select count(*)::int as n from pg_stat_activity where application_name like $1`, [`%pid=${child.pid} %`]);
        peak = Math.max(peak, rows[0].n);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    expectOk(await done);
    expect(peak).toBeGreaterThanOrEqual(1);
    expect(peak).toBeLessThanOrEqual(4);
    expectOk(await xp(['destroy', '--auto-approve', '--database-url', url()], { cwd: dir }));
  });

  it('init --reconcile-every says so where pg_cron is not available', async () => {
    const r = await xp(['init', '--reconcile-every', '30s', '--database-url', url()], { cwd: configDir(unique('nocron'), {}) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/xplane provider v\d/);
    expect(r.stderr).toContain('pg_cron is not available');
  });

  describe('with pg_cron', () => {
    if (missing(pg15Server)) return;
    const pg15 = process.env.XP_TEST_PG15_URL!;
    it('init --reconcile-every schedules reconcile_all() with pg_cron (PostgreSQL 15)', async () => {
      const db = unique('xp_cron');
      await withClient(pg15, (c) => c.query(`create database ${db}`));
      const control = urlFor(pg15, { database: db });
      try {
        const r = await xp(['init', '--reconcile-every', '30s', '--database-url', control], { cwd: configDir(unique('cron'), {}) });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/scheduled xplane\.reconcile_all\(\) every 30s with pg_cron \(job \d+\)/);
        const jobs = await withClient(pg15, (c) => c.query(`select schedule from cron.job where database = $1`, [db]));
        // '30 seconds', or every minute where this pg_cron has no second schedules
        expect(jobs.rows).toHaveLength(1);
      } finally {
        await withClient(control, (c) => c.query('select xplane.unschedule_reconcile()')).catch(() => {});
        await withClient(pg15, (c) => c.query(`select cron.unschedule(jobid) from cron.job where database = $1`, [db])).catch(() => {});
        await withClient(pg15, (c) => c.query(`drop database if exists ${db} with (force)`));
      }
    });
  });
});

// How xp finds its server (XP_DATABASE_URL, PG* variables), how many connections an apply
// opens, and `xp init --reconcile-every` with and without pg_cron.
import { describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REPO, configDir, expectOk, tempDir, unique, urlFor, withClient, xp } from './xp.js';
import { missing, pg15 as pg15Server } from '../setup/requirements.js';

const url = () => inject('databaseUrl');
const COUNTER = fileURLToPath(new URL('./connection-counter.mjs', import.meta.url));

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
    // the connections xp holds open at once, counted inside the process (connection-counter.mjs):
    // exact, where sampling pg_stat_activity could miss a short-lived one
    const file = join(tempDir('xp-conns-'), 'connections.json');
    const r = await xp(['apply', '--auto-approve', '--parallelism', '2', '--database-url', url()], {
      cwd: dir,
      env: { NODE_OPTIONS: `--import=${pathToFileURL(COUNTER).href}`, XP_CONNECTIONS_FILE: file, XP_CONNECTIONS_REPO: REPO },
    });
    expectOk(r);
    expect(r.stdout).toContain('24 added');
    const { peak } = JSON.parse(readFileSync(file, 'utf8')) as { peak: number };
    // the control connection and the stack lock's at least; the apply's at most 2 more
    expect(peak).toBeGreaterThanOrEqual(2);
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

// Smoke test of the benchmark's generators: the xp configuration, the Ansible playbook and
// the SQL script describe the same objects, and the SQL script applies cleanly on a real
// server, leaving exactly those objects in the catalog.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  ansiblePlaybook,
  benchState,
  countAnsible,
  countSql,
  countXp,
  expectedCounts,
  sqlReadScript,
  sqlScript,
  xpConfig,
} from '../../bench/generate.js';
import { catalogCounts } from '../../bench/catalog.js';
import { loadConfiguration } from '../../src/config/load.js';
import { missing, psql } from '../setup/requirements.js';

describe('bench generators', () => {
  const state = benchState({ n: 3 });
  const conn = { host: '127.0.0.1', port: 5432, user: 'postgres', password: 'secret' };

  it('write the same object counts for N=3 in all three artefacts', () => {
    const expected = expectedCounts(state);
    expect(expected.schemas).toBe(3);
    expect(countXp(xpConfig(state))).toEqual(expected);
    expect(countAnsible(ansiblePlaybook(state, conn))).toEqual(expected);
    expect(countSql(sqlScript(state))).toEqual(expected);
  });

  it('xp itself reads the generated configuration as the described objects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xp-bench-config-'));
    try {
      writeFileSync(join(dir, 'main.xp'), xpConfig(state));
      const { config, diagnostics } = await loadConfiguration(dir);
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const byKind = (kind: string) => config!.resources.filter((r) => r.kind === kind);
      expect(byKind('Database').map((r) => r.name).sort()).toEqual([state.appDatabase, state.otherDatabase].sort());
      expect(byKind('Extension').map((r) => r.name)).toEqual(['pgcrypto']);
      expect(byKind('Role').map((r) => r.name).sort()).toEqual(state.tenants.map((t) => `${t}_group`));
      expect(byKind('Schema').map((r) => r.name).sort()).toEqual(state.tenants);
      const accounts = byKind('ServiceAccount');
      expect(accounts.map((r) => r.name).sort()).toEqual(state.tenants.map((t) => `${t}_app`));
      for (const a of accounts) {
        const tenant = a.name.replace(/_app$/, '');
        expect(a.spec).toMatchObject({
          database: state.appDatabase,
          schemas: [tenant],
          member_of: [`${tenant}_group`],
          grants: [{ schema: tenant, on: 'tables', future: true }],
        });
        const [grant] = a.spec.grants as { privileges: string[] }[];
        expect([...grant!.privileges].sort()).toEqual(['INSERT', 'SELECT']);
        expect(a.spec.password).toBeDefined(); // fixed, so that the tools' results compare
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scale with N: N=25 counts 25 of each per-tenant object', () => {
    const big = benchState({ n: 25 });
    expect(countXp(xpConfig(big)).loginRoles).toBe(25);
    expect(countAnsible(ansiblePlaybook(big, conn)).defaultPrivileges).toBe(25);
    expect(countSql(sqlScript(big)).memberships).toBe(25);
  });

  it('refuse a tenant count that is not a positive integer', () => {
    expect(() => benchState({ n: 0 })).toThrow(/positive integer/);
    expect(() => benchState({ n: 1.5 })).toThrow(/positive integer/);
  });
});

describe('bench SQL script on a real server', () => {
  if (missing(psql)) return;
  const url = new URL(inject('databaseUrl'));
  const prefix = `xpbt${process.pid}_`;
  const state = benchState({ n: 3, prefix, owner: decodeURIComponent(url.username) });
  const dir = mkdtempSync(join(tmpdir(), 'xp-bench-test-'));

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      for (const db of [state.appDatabase, state.otherDatabase]) {
        await client.query(`drop database if exists ${client.escapeIdentifier(db)} with (force)`);
      }
      for (const t of state.tenants) {
        for (const role of [`${t}_app`, `${t}_group`]) await client.query(`drop role if exists ${client.escapeIdentifier(role)}`);
      }
    } finally {
      await client.end();
    }
  });

  it('applies cleanly with psql -f and leaves exactly the described objects', async () => {
    const file = join(dir, 'bench.sql');
    writeFileSync(file, sqlScript(state));
    const run = spawnSync('psql', ['-X', '-q', '-d', url.toString(), '-f', file], {
      encoding: 'utf8',
      env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
    });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    const { tableGrants, ...observable } = expectedCounts(state);
    expect(tableGrants).toBe(3); // not observable: the schemas hold no tables
    expect(await catalogCounts(url.toString(), state)).toEqual(observable);

    // the read-back script (the lower bound of a plan) runs on the result and sees every tenant
    const readFile = join(dir, 'read.sql');
    writeFileSync(readFile, sqlReadScript(state));
    const read = spawnSync('psql', ['-X', '-q', '-A', '-d', url.toString(), '-f', readFile], {
      encoding: 'utf8',
      env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
    });
    expect(read.stderr).toBe('');
    expect(read.status).toBe(0);
    for (const t of state.tenants) {
      expect(read.stdout).toContain(`${t}_app|t|`); // a LOGIN role
      expect(read.stdout).toContain(`${t}_app=U/`); // USAGE in the schema's ACL
    }
  });
});

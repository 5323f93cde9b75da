// Installing the provider: fresh, twice, concurrently, from psql, upgrading from the
// previous version, and refusing a downgrade.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import {
  bundledDigest,
  bundledVersion,
  compareVersions,
  connectionFromUrl,
  installFiles,
  installProvider,
  installedProvider,
  installedVersion,
  ProviderInstallError,
  SQL_DIR,
  upgradePath,
} from '../../src/provider/install.js';
import { connect, uniqueName, withDatabase } from './harness.js';
import { missing, psql } from '../setup/requirements.js';
import { ensureProvider } from '../../src/state/provider.js';
import { parseDatabaseUrl } from '../../src/state/connection.js';

const serverUrl = inject('databaseUrl');
const sqlDir = process.env.XP_TEST_SQL_DIR || SQL_DIR;
const previous = fileURLToPath(new URL('./fixtures/xplane-0.1.0/', import.meta.url));
const created: string[] = [];

async function freshDatabase(): Promise<string> {
  const admin = await connect(serverUrl);
  const name = uniqueName('xp_install');
  await admin.query(`create database ${pg.escapeIdentifier(name)}`);
  await admin.end();
  created.push(name);
  return withDatabase(serverUrl, name);
}

/** What an install leaves in the catalogs: functions, columns, enum labels, views. */
async function fingerprint(client: pg.Client): Promise<unknown> {
  const { rows } = await client.query(`
    select jsonb_build_object(
      'functions', (select jsonb_agg(p.oid::regprocedure::text || ' → ' || pg_get_function_result(p.oid) order by p.oid::regprocedure::text)
                      from pg_proc p where p.pronamespace = 'xplane'::regnamespace
                       and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')),
      'columns', (select jsonb_agg(format('%s.%s %s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull) order by c.relname, a.attname)
                    from pg_attribute a join pg_class c on c.oid = a.attrelid
                   where c.relnamespace = 'xplane'::regnamespace and c.relkind in ('r', 'v') and a.attnum > 0 and not a.attisdropped),
      'enums', (select jsonb_agg(format('%s.%s', t.typname, e.enumlabel) order by t.typname, e.enumsortorder)
                  from pg_enum e join pg_type t on t.oid = e.enumtypid where t.typnamespace = 'xplane'::regnamespace),
      'indexes', (select jsonb_agg(indexrelid::regclass::text order by indexrelid::regclass::text) from pg_index i join pg_class c on c.oid = i.indrelid
                   where c.relnamespace = 'xplane'::regnamespace)) as f`);
  return rows[0].f;
}

afterAll(async () => {
  const admin = await connect(serverUrl);
  for (const name of created) await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  await admin.end();
});

describe('installProvider', () => {
  it('installs afresh, then again as a no-op upgrade to the same version', async () => {
    const client = await connect(await freshDatabase());
    try {
      expect(await installedVersion(client)).toBeNull();
      expect(await installProvider(client, { sqlDir })).toEqual({ from: null, to: bundledVersion(sqlDir) });
      const first = await fingerprint(client);
      expect(await installProvider(client, { sqlDir })).toEqual({ from: bundledVersion(sqlDir), to: bundledVersion(sqlDir) });
      expect(await fingerprint(client)).toEqual(first);
    } finally {
      await client.end();
    }
  });

  it('serialises concurrent installs', async () => {
    const url = await freshDatabase();
    const clients = await Promise.all([connect(url), connect(url), connect(url)]);
    try {
      const results = await Promise.all(clients.map((c) => installProvider(c, { sqlDir })));
      expect(results.map((r) => r.to)).toEqual([bundledVersion(sqlDir), bundledVersion(sqlDir), bundledVersion(sqlDir)]);
      expect(results.filter((r) => r.from === null)).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it('upgrades from the previous version (0.1.0) to what a fresh install gives, keeping the data', async () => {
    const client = await connect(await freshDatabase());
    const fresh = await connect(await freshDatabase());
    try {
      expect(await installProvider(client, { sqlDir: previous })).toEqual({ from: null, to: '0.1.0' });
      const { rows } = await client.query(
        `insert into xplane.managed_resources (kind, name, spec, generation, observed_generation)
         values ('Database', 'kept', '{"comment": "from 0.1.0"}', 3, 2) returning id`,
      );
      await client.query(`insert into xplane.conditions (resource_id, type, status, reason) values ($1, 'Ready', 'True', 'Available')`, [
        rows[0].id,
      ]);
      // Before 0.6.0 a comment not declared was recorded as null; from 0.6.0 null means "no
      // comment" and an undeclared one is left out, so the upgrade drops the recorded nulls
      // (else reconcile would go on clearing comments made by hand). "" (removes) stays.
      await client.query(
        `insert into xplane.managed_resources (kind, name, spec) values
           ('Database', 'unset_db', '{"owner": "o", "comment": null}'), ('Schema', 'unset_schema', '{"database": "d", "comment": null}'),
           ('Role', 'unset_role', '{"comment": null}'), ('Role', 'no_comment', '{"comment": ""}')`,
      );
      expect(await installProvider(client, { sqlDir })).toEqual({ from: '0.1.0', to: bundledVersion(sqlDir) });
      const unset = await client.query(`select name, spec from xplane.managed_resources where name <> 'kept' order by name`);
      expect(unset.rows).toEqual([
        { name: 'no_comment', spec: { comment: '' } },
        { name: 'unset_db', spec: { owner: 'o' } },
        { name: 'unset_role', spec: {} },
        { name: 'unset_schema', spec: { database: 'd' } },
      ]);
      await installProvider(fresh, { sqlDir });
      expect(await fingerprint(client)).toEqual(await fingerprint(fresh));
      const kept = await client.query(
        `select r.spec, c.observed_generation from xplane.managed_resources r join xplane.conditions c on c.resource_id = r.id where r.name = 'kept'`,
      );
      expect(kept.rows).toEqual([{ spec: { comment: 'from 0.1.0' }, observed_generation: '2' }]);
    } finally {
      await client.end();
      await fresh.end();
    }
  });

  it('refuses to downgrade, saying which versions', async () => {
    const client = await connect(await freshDatabase());
    try {
      await installProvider(client, { sqlDir });
      await client.query(`insert into xplane.schema_version (version) values ('99.0.0')`);
      const err = await installProvider(client, { sqlDir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderInstallError);
      expect((err as Error).message).toMatch(/refusing to downgrade the provider installed in database .* from 99\.0\.0 to \d+\.\d+\.\d+/);
      expect((err as ProviderInstallError).hint).toMatch(/at least 99\.0\.0/);
      expect(await installedVersion(client)).toBe('99.0.0');
    } finally {
      await client.end();
    }
  });
});

describe('the same version from other files', () => {
  it('is installed again by xp (a stale development build of a function never stays)', async () => {
    const url = await freshDatabase();
    // A copy of sql/ whose one function differs: same version, other SQL.
    const other = join(mkdtempSync(join(tmpdir(), 'xp-sql-')), 'sql');
    cpSync(sqlDir, other, { recursive: true });
    const file = join(other, '025_common.sql');
    // … and a function this build does not have (another signature, or one since removed)
    writeFileSync(
      file,
      readFileSync(file, 'utf8').concat("\ncomment on schema xplane is 'stale';\ncreate function xplane.missing_names(p integer) returns integer language sql as 'select 1';\n"),
    );
    expect(bundledDigest(other)).not.toBe(bundledDigest(sqlDir));
    const client = await connect(url);
    try {
      await installProvider(client, { sqlDir: other });
      expect(await installedProvider(client)).toEqual({ version: bundledVersion(sqlDir), digest: bundledDigest(other) });
      const session = { control: client, target: { params: parseDatabaseUrl(url) } };
      expect(await ensureProvider(session, [])).toBe(`reinstalled the xplane provider v${bundledVersion(sqlDir)} (its SQL differs from this xp's)`);
      expect(await installedProvider(client)).toEqual({ version: bundledVersion(sqlDir), digest: bundledDigest(sqlDir) });
      const { rows } = await client.query(`select obj_description('xplane'::regnamespace, 'pg_namespace') as c`);
      expect(rows[0].c).not.toBe('stale');
      // the other build's function is gone: the functions are a fresh install's
      const fresh = await connect(await freshDatabase());
      try {
        await installProvider(fresh, { sqlDir });
        expect(await fingerprint(client)).toEqual(await fingerprint(fresh));
      } finally {
        await fresh.end();
      }
      // current: nothing to do
      expect(await ensureProvider(session, [])).toBeNull();
    } finally {
      await client.end();
    }
  });
});

describe('sql/install.sql (psql)', () => {
  it('lists exactly the numbered files and upgrade migrations, in order', () => {
    const text = readFileSync(join(sqlDir, 'install.sql'), 'utf8');
    const listed = [...text.matchAll(/^\\ir (\S+)$/gm)].map((m) => m[1]);
    const upgrades = listed.filter((f) => f.startsWith('updates/'));
    expect(listed).toEqual([installFiles(sqlDir)[0], ...upgrades, ...installFiles(sqlDir).slice(1)]);
  });

  describe('with psql', () => {
    if (missing(psql)) return;
    it('installs with psql -f sql/install.sql, twice', async () => {
      const url = await freshDatabase();
      for (let i = 0; i < 2; i++) {
        execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', join(sqlDir, 'install.sql')], { stdio: 'pipe' });
      }
      const client = await connect(url);
      try {
        expect(await installedVersion(client)).toBe(bundledVersion(sqlDir));
      } finally {
        await client.end();
      }
    });
  });
});

describe('install helpers', () => {
  it('follows the upgrade chain, and says when a step is missing', () => {
    expect(upgradePath('0.1.0', '0.6.0', SQL_DIR)).toEqual([
      'updates/xplane--0.1.0--0.2.0.sql',
      'updates/xplane--0.2.0--0.3.0.sql',
      'updates/xplane--0.3.0--0.4.0.sql',
      'updates/xplane--0.4.0--0.5.0.sql',
      'updates/xplane--0.5.0--0.6.0.sql',
    ]);
    expect(upgradePath('0.4.0', '0.5.0', SQL_DIR)).toEqual(['updates/xplane--0.4.0--0.5.0.sql']);
    expect(upgradePath('0.5.0', '0.6.0', SQL_DIR)).toEqual(['updates/xplane--0.5.0--0.6.0.sql']);
    expect(upgradePath('0.6.0', '0.7.0', SQL_DIR)).toEqual(['updates/xplane--0.6.0--0.7.0.sql']);
    expect(upgradePath('0.7.0', '0.7.0', SQL_DIR)).toEqual([]);
    expect(() => upgradePath('0.0.9', '0.6.0', SQL_DIR)).toThrow(/no upgrade path for the xplane provider from 0\.0\.9 to 0\.6\.0/);
  });

  it('compares versions numerically', () => {
    expect(compareVersions('0.10.0', '0.9.0')).toBeGreaterThan(0);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
  });

  it('reads a provider connection from a URL, decoding what is escaped', () => {
    expect(connectionFromUrl('postgres://xp%20admin:p%40ss%3Aw@db.example:6543/ctl?sslmode=require')).toEqual({
      host: 'db.example',
      port: 6543,
      user: 'xp admin',
      password: 'p@ss:w',
      dbname: 'ctl',
      sslmode: 'require',
    });
  });
});

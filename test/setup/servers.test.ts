// The module that starts every server of the tests and the benchmark (src/server/cluster.ts):
// a temporary server takes its settings, answers on 127.0.0.1, and leaves nothing behind; the
// test run's PostgreSQL 18 finds pgTAP through extension_control_path (global-setup.ts).
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { embeddedBinaries, portFree, temporaryServer } from '../../src/server/cluster.js';
import { missing, pgtap, pgtapSources } from './requirements.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('temporaryServer', () => {
  it('starts a cluster with the given settings and stop() removes it', async () => {
    const server = await temporaryServer({ bins: await embeddedBinaries(), settings: ['max_connections = 37', "application_name = 'xp-cluster-test'"] });
    try {
      expect(existsSync(`${server.root}/data/PG_VERSION`)).toBe(true);
      const [row] = await query<{ max: string; app: string; listen: string }>(
        server.url,
        "select current_setting('max_connections') as max, current_setting('listen_addresses') as listen, current_setting('application_name') as app",
      );
      expect(row).toEqual({ max: '37', listen: '127.0.0.1', app: 'xp-cluster-test' });
      expect(await portFree(server.port)).toBe(false);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.root)).toBe(false);
    expect(await portFree(server.port)).toBe(true);
  });
});

describe('the test run\'s PostgreSQL 18', () => {
  if (missing(pgtap)) return;
  it('has Debian\'s pgTAP on its extension path (nothing copied into the package)', async () => {
    const url = inject('databaseUrl');
    const [path] = await query<{ setting: string }>(url, "select setting from pg_settings where name = 'extension_control_path'");
    expect(path?.setting).toBe(`$system:${dirname(pgtapSources().at(-1)!)}`);
    const available = await query(url, "select 1 from pg_available_extensions where name = 'pgtap'");
    expect(available).toHaveLength(1);
  });
});

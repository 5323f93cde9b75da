// Test fixtures for the in-database provider: servers to run against, fresh databases with
// the provider installed, and pgTAP (the embedded server finds Debian's package: global-setup.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MATRIX_MAJORS, missing, pg15, pgMajor, type Requirement } from '../setup/requirements.js';
import { connectionFromUrl, installProvider, upsertProviderConfig } from '../../src/provider/install.js';

export interface ServerTarget {
  label: string;
  /** Superuser URL, or null when the server is not available. */
  url: string | null;
  /** What is missing when url is null (default: the system PostgreSQL 15). */
  requirement?: Requirement;
}

/** The servers provider suites run against: the embedded PostgreSQL 18 and the system PostgreSQL 15. */
export function serverTargets(embeddedUrl: string): ServerTarget[] {
  return [
    { label: 'embedded PostgreSQL 18', url: embeddedUrl },
    { label: 'PostgreSQL 15', url: process.env.XP_TEST_PG15_URL || null },
  ];
}

/**
 * Inside a suite's describe: when the target server is missing (only PostgreSQL 15 can be),
 * registers a failing test in CI and a skipped one that says so elsewhere (requirements.ts), and
 * returns true, so that the suite returns before registering its own tests.
 */
export function missingServer(target: ServerTarget): boolean {
  return target.url ? false : missing(target.requirement ?? pg15);
}

/** Every supported major, oldest first: the version matrix (PostgreSQL 14 to 18). */
export function versionTargets(embeddedUrl: string): ServerTarget[] {
  const [pg18, system15] = serverTargets(embeddedUrl);
  const byMajor = new Map<number, ServerTarget>([
    [18, pg18!],
    [15, system15!],
    ...MATRIX_MAJORS.map((major): [number, ServerTarget] => [major, { label: `PostgreSQL ${major}`, url: process.env[`XP_TEST_PG${major}_URL`] || null, requirement: pgMajor(major) }]),
  ]);
  return [...byMajor].sort((a, b) => a[0] - b[0]).map(([, target]) => target);
}

/** The same server URL, logged in as another user. */
export function asUser(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/**
 * Checks that pgTAP can be created on the server behind `admin`: installed with the server
 * (PostgreSQL 15 from apt with postgresql-15-pgtap), or on its extension_control_path (the test
 * run's PostgreSQL 18: test/setup/global-setup.ts points it at Debian's package).
 */
export async function ensurePgtap(admin: pg.Client): Promise<void> {
  const { rowCount } = await admin.query("select 1 from pg_available_extensions where name = 'pgtap'");
  if (rowCount) return;
  const { rows } = await admin.query<{ path: string }>(
    "select coalesce((select setting from pg_settings where name = 'extension_control_path'), '$system') as path",
  );
  throw new Error(
    `pgTAP is not available on this server (extension_control_path = '${rows[0]!.path}'): ` +
      'apt-get install postgresql-15-pgtap, whose directory the test setup puts on the PostgreSQL 18 server\'s extension path',
  );
}

export interface ProviderDatabase {
  name: string;
  url: string;
  client: pg.Client;
  drop(): Promise<void>;
}

/**
 * A fresh control database with the provider installed and the `default` provider config
 * pointing at it. With `template` (see providerTemplate), a copy of a database where pgTAP
 * and the provider are already installed: much faster than installing each time.
 */
export async function providerDatabase(
  serverUrl: string,
  prefix: string,
  opts: { pgtap?: boolean; template?: string } = {},
): Promise<ProviderDatabase> {
  const admin = await connect(serverUrl);
  const name = uniqueName(prefix);
  try {
    await admin.query(
      `create database ${pg.escapeIdentifier(name)}${opts.template ? ` template ${pg.escapeIdentifier(opts.template)}` : ''}`,
    );
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const client = await connect(url);
  if (!opts.template) {
    if (opts.pgtap) await client.query('create extension if not exists pgtap');
    // XP_TEST_SQL_DIR: install from another copy of sql/ (e.g. without work in progress).
    await installProvider(client, { sqlDir: process.env.XP_TEST_SQL_DIR || undefined });
  }
  await upsertProviderConfig(client, 'default', connectionFromUrl(url));
  return {
    name,
    url,
    client,
    async drop() {
      await client.end().catch(() => undefined);
      await dropDatabase(serverUrl, name);
    },
  };
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const a = await connect(serverUrl);
  try {
    await a.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  } finally {
    await a.end();
  }
}

/** A template database with pgTAP and the provider installed (and no provider config), to copy per test. */
export async function providerTemplate(serverUrl: string, prefix: string): Promise<string> {
  const db = await providerDatabase(serverUrl, prefix, { pgtap: true });
  await db.client.query('delete from xplane.provider_configs');
  await db.client.end();
  return db.name;
}

export interface TapResult {
  planned: number | null;
  passed: number;
  failures: string[];
}

/** Parses pgTAP output lines: the plan, ok / not ok, and the diagnostics after a failure. */
export function parseTap(lines: string[]): TapResult {
  let planned: number | null = null;
  let passed = 0;
  const failures: string[] = [];
  let current: string[] | null = null;
  for (const line of lines.flatMap((l) => l.split('\n'))) {
    const plan = /^1\.\.(\d+)/.exec(line);
    if (plan) {
      planned = Number(plan[1]);
      continue;
    }
    if (/^ok \d+/.test(line)) {
      passed++;
      current = null;
    } else if (/^not ok \d+/.test(line)) {
      if (/# TODO/.test(line)) {
        passed++;
        current = null;
        continue;
      }
      current = [line];
      failures.push('');
    } else if (line.startsWith('#') && current) {
      current.push(line);
    }
    if (current) failures[failures.length - 1] = current.join('\n');
  }
  return { planned, passed, failures };
}

/** Runs one pgTAP file (plain SQL, no psql meta-commands) and returns its TAP lines. */
export async function runTapFile(client: pg.Client, sql: string): Promise<string[]> {
  let res: pg.QueryResult | pg.QueryResult[];
  try {
    res = (await client.query(sql)) as unknown as pg.QueryResult | pg.QueryResult[];
  } catch (err) {
    // A statement raised (outside a throws_ok): say which line, and where it came from.
    const e = err as { message: string; position?: string; where?: string };
    const line = e.position ? sql.slice(0, Number(e.position)).split('\n').length : null;
    throw new Error(`${e.message}${line ? ` (line ${line})` : ''}${e.where ? `\n${e.where}` : ''}`);
  }
  const results = Array.isArray(res) ? res : [res];
  const lines: string[] = [];
  for (const r of results) {
    for (const row of r.rows ?? []) {
      const first = Object.values(row as Record<string, unknown>)[0];
      if (typeof first === 'string') lines.push(first);
    }
  }
  return lines;
}

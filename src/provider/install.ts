// Installs or upgrades the in-database provider (schema `xplane`, from `sql/`) into the
// control database the client is connected to. Same order as `sql/install.sql` (psql):
// 000_schema.sql (lock, version guard), the upgrade migrations on the path from the
// installed version, then every other numbered file. All files are idempotent, and the
// whole install is one transaction under an advisory lock.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { queryWithSecret } from '../secrets/secret-input.js';

/** `sql/` of this package (the same from `src/provider/` and from `dist/provider/`). */
export const SQL_DIR = fileURLToPath(new URL('../../sql/', import.meta.url));

export type Queryable = Pick<pg.Client, 'query'>;

export interface InstallOptions {
  /** Where the install files are (default: this package's `sql/`). */
  sqlDir?: string;
}

export interface InstallResult {
  /** The version installed before, or null on a fresh install. */
  from: string | null;
  /** The version installed now. */
  to: string;
}

/** A provider connection: how dblink reaches the managed server (see provider_configs). */
export interface ProviderConnection {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  dbname?: string;
  sslmode?: string;
}

export class ProviderInstallError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ProviderInstallError';
  }
}

const NUMBERED = /^(\d{3})_[a-z0-9_]+\.sql$/;
const UPGRADE = /^xplane--(\d+\.\d+\.\d+)--(\d+\.\d+\.\d+)\.sql$/;

/** The numbered install files, in the order they run. */
export function installFiles(sqlDir = SQL_DIR): string[] {
  return readdirSync(sqlDir)
    .filter((f) => NUMBERED.test(f))
    .sort();
}

/** The version the files in `sqlDir` install (written once, in 000_schema.sql). */
export function bundledVersion(sqlDir = SQL_DIR): string {
  const text = readFileSync(join(sqlDir, '000_schema.sql'), 'utf8');
  const m = /set_config\('xplane\.installing_version', '(\d+\.\d+\.\d+)'/.exec(text);
  if (!m?.[1]) throw new Error(`000_schema.sql in ${sqlDir} does not set xplane.installing_version`);
  return m[1];
}

const digests = new Map<string, string>();

/**
 * The sha256 of every install file in `sqlDir` (numbered files and upgrade steps, names and
 * contents), recorded with the version: a provider of the same version built from other SQL
 * (a development build) is installed again, never left stale.
 */
export function bundledDigest(sqlDir = SQL_DIR): string {
  let digest = digests.get(sqlDir);
  if (digest === undefined) {
    const hash = createHash('sha256');
    const updates = join(sqlDir, 'updates');
    const steps = existsSync(updates) ? readdirSync(updates).filter((f) => UPGRADE.test(f)).sort() : [];
    const files = [...installFiles(sqlDir).map((f) => ({ dir: sqlDir, file: f })), ...steps.map((f) => ({ dir: updates, file: f }))];
    for (const { dir, file } of files) hash.update(`${file}\0`).update(readFileSync(join(dir, file))).update('\0');
    digest = hash.digest('hex');
    digests.set(sqlDir, digest);
  }
  return digest;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The upgrade migrations leading from `from` to `to`, in order (throws when there is no path). */
export function upgradePath(from: string, to: string, sqlDir = SQL_DIR): string[] {
  const steps = new Map<string, { to: string; file: string }>();
  let files: string[] = [];
  try {
    files = readdirSync(join(sqlDir, 'updates'));
  } catch {
    files = [];
  }
  for (const f of files) {
    const [, from, to] = UPGRADE.exec(f) ?? [];
    if (from && to) steps.set(from, { to, file: join('updates', f) });
  }
  const path: string[] = [];
  let at = from;
  while (compareVersions(at, to) < 0) {
    const step = steps.get(at);
    if (!step) {
      throw new ProviderInstallError(
        `no upgrade path for the xplane provider from ${from} to ${to} (missing sql/updates/xplane--${at}--….sql)`,
        'Upgrade through the xp releases in between, or drop schema xplane and install afresh.',
      );
    }
    path.push(step.file);
    at = step.to;
  }
  return path;
}

/** The version installed in the connected database, or null when the provider is absent. */
export async function installedVersion(client: Queryable): Promise<string | null> {
  return (await installedProvider(client))?.version ?? null;
}

/** The version installed and the digest of its files (null: installed with psql), or null when absent. */
export async function installedProvider(client: Queryable): Promise<{ version: string; digest: string | null } | null> {
  const present = await client.query<{ t: string | null }>(`select pg_catalog.to_regclass('xplane.schema_version')::text as t`);
  if (!present.rows[0]?.t) return null;
  // `digest` arrived with 0.6.0's files: to_jsonb reads it where it exists, null before.
  const { rows } = await client.query<{ v: string; d: string | null }>(
    `select version as v, to_jsonb(s) ->> 'digest' as d from xplane.schema_version s
      order by pg_catalog.string_to_array(version, '.')::int[] desc limit 1`,
  );
  return rows[0] ? { version: rows[0].v, digest: rows[0].d } : null;
}

async function runFile(client: Queryable, sqlDir: string, file: string): Promise<void> {
  const text = readFileSync(join(sqlDir, file), 'utf8');
  try {
    await client.query(text);
  } catch (err) {
    const e = err as { message?: string; hint?: string; code?: string };
    if (e.code === '55000' && /refusing to downgrade/.test(e.message ?? '')) {
      throw new ProviderInstallError(e.message ?? 'refusing to downgrade', e.hint);
    }
    throw new ProviderInstallError(`installing the xplane provider failed in sql/${file}: ${e.message}`, e.hint);
  }
}

/**
 * Installs the provider into the connected database, or upgrades it from the installed
 * version, idempotently. Refuses to downgrade. Runs in one transaction.
 */
export async function installProvider(client: Queryable, opts: InstallOptions = {}): Promise<InstallResult> {
  const sqlDir = opts.sqlDir ?? SQL_DIR;
  const files = installFiles(sqlDir);
  if (files[0] !== '000_schema.sql') throw new Error(`${sqlDir} has no 000_schema.sql`);
  const to = bundledVersion(sqlDir);
  await client.query('begin');
  try {
    await client.query(`select pg_catalog.set_config('xplane.installing_digest', $1, true)`, [bundledDigest(sqlDir)]);
    // 000 takes the install lock and refuses a downgrade before anything changes.
    await runFile(client, sqlDir, files[0]);
    const from = await installedVersion(client);
    if (from !== null && compareVersions(from, to) < 0) {
      for (const step of upgradePath(from, to, sqlDir)) await runFile(client, sqlDir, step);
    }
    for (const file of files.slice(1)) await runFile(client, sqlDir, file);
    await client.query('commit');
    return { from, to };
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

/**
 * Creates or replaces the provider config `name` (how dblink reaches the managed server). The
 * connection (its password) travels as COPY data, which no server log records.
 */
export async function upsertProviderConfig(
  client: Queryable,
  name: string,
  connection: ProviderConnection,
): Promise<void> {
  const clean = Object.fromEntries(Object.entries(connection).filter(([, v]) => v !== undefined && v !== null));
  await queryWithSecret(client, clean, 'select xplane.upsert_provider_config($1, xplane.secret_input())', [name]);
}

/** A provider connection from a PostgreSQL URL (what the CLI is connected with). */
export function connectionFromUrl(url: string): ProviderConnection {
  const u = new URL(url);
  const conn: ProviderConnection = {
    host: decodeURIComponent(u.hostname) || undefined,
    port: u.port ? Number(u.port) : undefined,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    dbname: u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : undefined,
  };
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) conn.sslmode = sslmode;
  return conn;
}

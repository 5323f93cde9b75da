// The provider in the control database: installed on first use, upgraded when this xp bundles
// a newer version (never downgraded), and its `default` provider config kept equal to the
// connection xp uses, so that dblink loops back with the same credentials.
import type pg from 'pg';
import type { ProviderBlock } from '../model/types.js';
import { bundledDigest, bundledVersion, compareVersions, installProvider, installedProvider, ProviderInstallError, upsertProviderConfig } from '../provider/install.js';
import { parseDatabaseUrl, type ConnectionParams } from './connection.js';

export { ProviderInstallError };

interface SessionLike {
  control: pg.Client;
  target: { params: ConnectionParams };
}

function asConnection(p: ConnectionParams): Record<string, string | number> {
  return {
    host: p.host,
    port: p.port,
    user: p.user,
    password: p.password,
    dbname: p.dbname,
    ...(p.sslmode ? { sslmode: p.sslmode } : {}),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a, Object.keys((a ?? {})).sort()) === JSON.stringify(b, Object.keys((b ?? {})).sort());

/**
 * Install or upgrade when needed, then make the provider configs match: `default` is the
 * connection xp uses; each `provider "name" { url = … }` block is one more config.
 * Returns a line saying what was done, or null when nothing was.
 */
export async function ensureProvider(session: SessionLike, providers: ProviderBlock[], force = false): Promise<string | null> {
  const client = session.control;
  // installedVersion's query names xplane.schema_version, which fails to parse before the first install.
  const { rows: present } = await client.query<{ p: boolean }>(`select pg_catalog.to_regclass('xplane.schema_version') is not null as p`);
  const installed = present[0]?.p ? await installedProvider(client) : null;
  const bundled = bundledVersion();
  // The same version from other files (a development build, or an install by psql): again.
  const stale = installed !== null && compareVersions(installed.version, bundled) === 0 && installed.digest !== bundledDigest();
  let done: string | null = null;
  if (force || installed === null || compareVersions(installed.version, bundled) < 0 || stale) {
    const r = await installProvider(client);
    done =
      r.from === null
        ? `installed the xplane provider v${r.to}`
        : r.from !== r.to
          ? `upgraded the xplane provider v${r.from} → v${r.to}`
          : stale && !force
            ? `reinstalled the xplane provider v${r.to} (its SQL differs from this xp's)`
            : `the xplane provider v${r.to} is installed and current`;
  }
  const wanted = new Map<string, Record<string, string | number>>();
  wanted.set('default', asConnection(session.target.params));
  // A provider block without a url ("the default connection") still names a provider config.
  for (const p of providers) {
    if (p.name !== 'default') wanted.set(p.name, p.url ? asConnection(parseDatabaseUrl(p.url)) : asConnection(session.target.params));
  }
  const { rows } = await client.query<{ name: string; connection: Record<string, unknown> }>(
    'select name, connection from xplane.provider_configs where name = any($1::text[])',
    [[...wanted.keys()]],
  );
  const current = new Map(rows.map((r) => [r.name, r.connection]));
  for (const [name, conn] of wanted) {
    if (!same(current.get(name), conn)) await upsertProviderConfig(client, name, conn);
  }
  return done;
}

/** `--reconcile-every`: a pg_cron job running xplane.reconcile_all(); null + reason where pg_cron is missing. */
export async function scheduleReconcile(client: pg.Client, every: string): Promise<{ jobId: number | null; reason?: string }> {
  const { rows } = await client.query<{ available: boolean; installed: boolean }>(
    `select exists (select 1 from pg_catalog.pg_available_extensions where name = 'pg_cron') as available,
            exists (select 1 from pg_catalog.pg_extension where extname = 'pg_cron') as installed`,
  );
  if (!rows[0]?.available) return { jobId: null, reason: 'pg_cron is not available on this server (not installed)' };
  try {
    const r = await client.query<{ id: string }>('select xplane.schedule_reconcile($1) as id', [every]);
    return { jobId: Number(r.rows[0]?.id) };
  } catch (err) {
    const e = err as { message: string; hint?: string };
    return { jobId: null, reason: `${e.message}${e.hint ? ` (${e.hint})` : ''}` };
  }
}

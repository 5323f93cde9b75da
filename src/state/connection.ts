// Which PostgreSQL xp talks to, decided once per command, in this order:
//   --database-url  >  XP_DATABASE_URL  >  provider "default" block (or the only provider
//   block with a url)  >  standard PG* variables  >  the embedded server under .xp/.
// The connection reaches the *control database*, where schema xplane lives; objects in other
// databases are reached by the provider itself (dblink), never by extra client connections.
import pg from 'pg';
import { ensureServer, type StartResult } from '../server/embedded.js';
import type { ProviderBlock } from '../model/types.js';

export type ConnectionSource = '--database-url' | 'XP_DATABASE_URL' | 'provider block' | 'PG* variables' | 'embedded server';

/** What provider_configs.connection holds: enough for dblink to loop back. */
export interface ConnectionParams {
  host: string;
  port: number;
  user: string;
  password: string;
  dbname: string;
  sslmode?: string;
}

export interface ConnectionTarget {
  source: ConnectionSource;
  params: ConnectionParams;
  /** For messages: the URL with its password masked. */
  display: string;
  /** Set when the embedded server was used. */
  embedded?: StartResult;
}

export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

const PG_VARS = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGPASSWORD', 'PGSERVICE'];

export function parseDatabaseUrl(url: string, env: NodeJS.ProcessEnv = {}): ConnectionParams {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConnectionError(`not a PostgreSQL URL: ${redactUrl(url)}`, 'Expected postgres://user:password@host:port/database');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new ConnectionError(`not a PostgreSQL URL (scheme ${u.protocol}): ${redactUrl(url)}`, 'Expected postgres://user:password@host:port/database');
  const sslmode = u.searchParams.get('sslmode') ?? undefined;
  return {
    host: decodeURIComponent(u.hostname.replace(/^\[|\]$/g, '')) || u.searchParams.get('host') || env.PGHOST || 'localhost',
    port: Number(u.port || env.PGPORT || 5432),
    user: decodeURIComponent(u.username) || env.PGUSER || 'postgres',
    password: decodeURIComponent(u.password) || env.PGPASSWORD || '',
    dbname: decodeURIComponent(u.pathname.replace(/^\//, '')) || env.PGDATABASE || 'postgres',
    ...(sslmode ? { sslmode } : {}),
  };
}

export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

export function displayParams(p: ConnectionParams): string {
  const host = p.host.includes(':') ? `[${p.host}]` : p.host;
  return `postgres://${encodeURIComponent(p.user)}${p.password ? ':***' : ''}@${host}:${p.port}/${encodeURIComponent(p.dbname)}`;
}

function fromPgEnv(env: NodeJS.ProcessEnv): ConnectionParams {
  return {
    host: env.PGHOST || env.PGHOSTADDR || 'localhost',
    port: Number(env.PGPORT || 5432),
    user: env.PGUSER || env.USER || 'postgres',
    password: env.PGPASSWORD || '',
    dbname: env.PGDATABASE || env.PGUSER || 'postgres',
    ...(env.PGSSLMODE ? { sslmode: env.PGSSLMODE } : {}),
  };
}

export interface ResolveOptions {
  databaseUrl?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  providers?: ProviderBlock[];
  /** Start the embedded server when nothing else is configured (default true). */
  allowEmbedded?: boolean;
}

/** The connection a command uses, without connecting (except to start the embedded server). */
export async function resolveConnection(opts: ResolveOptions): Promise<ConnectionTarget> {
  const { env } = opts;
  if (opts.databaseUrl) {
    const params = parseDatabaseUrl(opts.databaseUrl, env);
    return { source: '--database-url', params, display: displayParams(params) };
  }
  if (env.XP_DATABASE_URL) {
    const params = parseDatabaseUrl(env.XP_DATABASE_URL, env);
    return { source: 'XP_DATABASE_URL', params, display: displayParams(params) };
  }
  const withUrl = (opts.providers ?? []).filter((p) => p.url);
  const block = withUrl.find((p) => p.name === 'default') ?? (withUrl.length === 1 ? withUrl[0] : undefined);
  if (block?.url) {
    const params = parseDatabaseUrl(block.url, env);
    return { source: 'provider block', params, display: displayParams(params) };
  }
  if (PG_VARS.some((v) => env[v])) {
    const params = fromPgEnv(env);
    return { source: 'PG* variables', params, display: displayParams(params) };
  }
  if (opts.allowEmbedded === false)
    throw new ConnectionError('no database connection configured', 'Pass --database-url, set XP_DATABASE_URL or PG* variables.');
  const embedded = await ensureServer(opts.cwd);
  const params = parseDatabaseUrl(embedded.url);
  return { source: 'embedded server', params, display: displayParams(params), embedded };
}

/**
 * Session settings sent at connection time (`-c name=value`): xp's own `xplane.*` settings
 * (the bounds of remote statements). Names and values are xp's, checked before they get here.
 */
export type SessionSettings = Readonly<Record<string, string>>;

export function clientConfig(p: ConnectionParams, applicationName: string, database = p.dbname, settings: SessionSettings = {}): pg.ClientConfig {
  const options = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  return {
    ...(options ? { options } : {}),
    host: p.host,
    port: p.port,
    user: p.user,
    password: p.password,
    database,
    application_name: applicationName.slice(0, 63),
    connectionTimeoutMillis: 15_000,
    ...(p.sslmode && p.sslmode !== 'disable' ? { ssl: p.sslmode === 'require' ? { rejectUnauthorized: false } : true } : {}),
  };
}

/** Open one client; a refused connection becomes a ConnectionError with a useful message. */
export async function connect(p: ConnectionParams, applicationName: string, database = p.dbname, settings: SessionSettings = {}): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(p, applicationName, database, settings));
  // A dropped connection surfaces on the next query; do not crash on the 'error' event.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new ConnectionError(`cannot connect to ${displayParams({ ...p, dbname: database })}: ${(err as Error).message}`);
  }
  return client;
}

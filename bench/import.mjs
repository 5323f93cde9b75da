// `xp import` of the benchmark's state (bench/generate.js: N tenants, 8 objects each, written
// by its psql script) on a fresh server: whole-process wall time of `xp import` (the first run
// also installs the provider in the control database; the next ones find it installed), and
// the number of statements the import sent to the server (pg_stat_statements: calls on the
// control connection and, through dblink, in each database), which must not grow with N.
// Then the round trip of the last import (issue 13): its plan against the same server adopts
// every object with no attribute change, and after that apply `xp plan --detailed-exitcode`
// exits 0 (no changes); with --exact the configuration is applied to a
// second fresh server, whose normalised dump (bench/catalog.js) must equal the source's.
//   npm run build && node bench/import.mjs --tenants 1000 --runs 3 [--exact] [--profile] [--out FILE.json]
// --profile also writes a CPU profile summary of the last run (bench/profile.js).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dumpDifference, normalisedDump } from './catalog.js';
import { benchState, sqlScript } from './generate.js';
import { summariseCpuProfile } from './profile.js';
import { freshServer, libpqEnv, PG_BIN, psqlQuery } from './server.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const tenants = Number(arg('tenants', '1000'));
// Tables per tenant schema, created after the script (so the default privileges grant them):
// the bench state has none, and a catalog read whose cost grows with the tables shows only with some.
const tables = Number(arg('tables', '0'));
const runs = Number(arg('runs', '3'));
const profile = process.argv.includes('--profile');
const exact = process.argv.includes('--exact');
const outFile = arg('out', undefined);
const xp = resolve(new URL('../bin/xp.js', import.meta.url).pathname);

const server = await freshServer({ statStatements: true });
const work = mkdtempSync(join(tmpdir(), 'xp-bench-import-'));
try {
  const s = benchState({ n: tenants });
  const script = join(work, 'bench.sql');
  let sql = sqlScript(s);
  if (tables > 0) {
    const creates = s.tenants.flatMap((t) => Array.from({ length: tables }, (_, k) => `CREATE TABLE "${t}".items_${k} (id int);`));
    sql += ['\\connect ' + s.appDatabase, 'BEGIN;', ...creates, 'COMMIT;', ''].join('\n');
  }
  writeFileSync(script, sql);
  const load = spawnSync(join(PG_BIN, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres', '-f', script], { encoding: 'utf8', env: libpqEnv(server) });
  if (load.status !== 0) throw new Error(`psql: ${load.stderr}`);
  psqlQuery(server, 'postgres', 'create extension if not exists pg_stat_statements');
  const objects = 8 * tenants + 3 + tables * tenants;

  const times = [];
  const statements = [];
  const cpu = [];
  const serverMs = [];
  let lines = 0;
  for (let r = 0; r < runs; r++) {
    const out = join(work, `out-${r}`);
    psqlQuery(server, 'postgres', 'select pg_stat_statements_reset()');
    const prof = join(work, `prof-${r}`);
    const args = [...(profile && r === runs - 1 ? ['--cpu-prof', '--cpu-prof-dir', prof] : []), xp, 'import', out, '--database-url', server.url];
    const t0 = process.hrtime.bigint();
    // /usr/bin/time: the CPU time of xp's process, which a busy machine inflates less than wall time
    const res = spawnSync('/usr/bin/time', ['-f', 'XP_CPU %U %S', process.execPath, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.status !== 0) throw new Error(`xp import exited ${res.status}: ${res.stderr}`);
    times.push(ms);
    const [, user, sys] = /XP_CPU ([\d.]+) ([\d.]+)/.exec(res.stderr) ?? [];
    cpu.push(Math.round((Number(user) + Number(sys)) * 1000));
    // Statements the run sent (the reset and this count excluded): control connection and dblink.
    const calls = Number(
      psqlQuery(server, 'postgres', `select coalesce(sum(calls), 0) from pg_stat_statements where query not ilike '%pg_stat_statements%' and toplevel`),
    );
    statements.push(calls);
    serverMs.push(Math.round(Number(psqlQuery(server, 'postgres', `select coalesce(sum(total_exec_time), 0) from pg_stat_statements where query not ilike '%pg_stat_statements%' and toplevel and dbid = (select oid from pg_database where datname = 'postgres')`))));
    const top = psqlQuery(
      server,
      'postgres',
      `select string_agg(format('%s ms  %s calls  %s', round(total_exec_time), calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 90)), E'\\n' order by total_exec_time desc)
         from (select * from pg_stat_statements where query not ilike '%pg_stat_statements%' order by total_exec_time desc limit 6) t`,
    );
    if (profile) process.stderr.write(top + '\n');
    lines = readFileSync(join(out, 'main.xp'), 'utf8').split('\n').length;
    process.stderr.write(`run ${r + 1}: ${(ms / 1000).toFixed(2)} s wall, xp CPU ${(cpu[r] / 1000).toFixed(2)} s, server ${(serverMs[r] / 1000).toFixed(2)} s, ${calls} top-level statements, ${lines} lines written\n`);
    if (profile && r === runs - 1) {
      const file = readdirSync(prof).find((f) => f.endsWith('.cpuprofile'));
      process.stderr.write(JSON.stringify(summariseCpuProfile(join(prof, file), resolve(xp, '../..')), null, 2) + '\n');
    }
  }
  // the round trip of the last import: its plan against the source is empty …
  const last = join(work, `out-${runs - 1}`);
  const xpRun = (/** @type {string[]} */ args, /** @type {string} */ url) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [xp, ...args, '--database-url', url], { cwd: last, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 256 * 1024 * 1024 });
    return { ...r, ms: Math.round(Number(process.hrtime.bigint() - t0) / 1e6) };
  };
  // (the objects are not yet managed by a stack: the plan adopts each, changing no attribute;
  // once that apply has recorded them, the plan has no changes at all)
  const adopting = xpRun(['plan', '--json'], server.url);
  if (adopting.status !== 0) throw new Error(`xp plan of the import exited ${adopting.status}: ${adopting.stderr}`);
  const resources = /** @type {{ resources: Array<{ action: string, changes: unknown[] }> }} */ (JSON.parse(adopting.stdout)).resources;
  const adoption = { resources: resources.length, withAttributeChanges: resources.filter((r) => r.changes.length > 0).length, planMs: adopting.ms };
  const adopted = xpRun(['apply', '--auto-approve'], server.url);
  if (adopted.status !== 0) throw new Error(`xp apply of the import on its source exited ${adopted.status}: ${adopted.stderr}`);
  const plan = xpRun(['plan', '--detailed-exitcode'], server.url);
  process.stderr.write(
    `plan of the import: ${adoption.resources} adopted, ${adoption.withAttributeChanges} with attribute changes (${(adoption.planMs / 1000).toFixed(1)} s); ` +
      `after that apply (${(adopted.ms / 1000).toFixed(1)} s): plan exit ${plan.status} (0: no changes) in ${(plan.ms / 1000).toFixed(1)} s\n`,
  );
  if (plan.status !== 0) process.stderr.write(`${plan.stdout.slice(-4000)}\n${plan.stderr}\n`);
  // … and, with --exact, applied to a fresh server it gives the same normalised dump
  /** @type {Record<string, unknown> | undefined} */
  let exactResult;
  if (exact) {
    const target = await freshServer();
    try {
      const applied = xpRun(['apply', '--auto-approve'], target.url);
      if (applied.status !== 0) throw new Error(`xp apply of the import on a fresh server exited ${applied.status}: ${applied.stderr}`);
      const replan = xpRun(['plan', '--detailed-exitcode'], target.url);
      const diff = dumpDifference(normalisedDump(server, s).text, normalisedDump(target, s).text);
      exactResult = { applyMs: applied.ms, planExitCodeOnFreshServer: replan.status, dumpLinesOnlyInSource: diff.onlyA.length, dumpLinesOnlyInFreshServer: diff.onlyB.length };
      process.stderr.write(`on a fresh server: apply ${(applied.ms / 1000).toFixed(1)} s, plan exit ${replan.status}, dump difference ${diff.onlyA.length} + ${diff.onlyB.length} lines\n`);
      for (const l of [...diff.onlyA.slice(0, 10).map((x) => `- ${x}`), ...diff.onlyB.slice(0, 10).map((x) => `+ ${x}`)]) process.stderr.write(`${l}\n`);
    } finally {
      await target.destroy();
    }
  }
  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    const m = Math.floor(v.length / 2);
    return Math.round(v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2);
  };
  const result = {
    what: 'xp import, whole process wall time',
    tenants,
    tablesPerTenant: tables,
    objects,
    server: `PostgreSQL ${server.version} (fresh, system binaries)`,
    runs: times.map((t) => Math.round(t)),
    firstRunInstallsProvider: true,
    medianMsOfLaterRuns: runs > 1 ? median(times.slice(1)) : null,
    medianMs: median(times),
    topLevelStatements: statements,
    xpCpuMs: cpu,
    serverExecMs: serverMs,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    cores: cpus().length,
    linesWritten: lines,
    planOfImport: { ...adoption, adoptionApplyMs: adopted.ms, planExitCodeAfter: plan.status, planAfterMs: plan.ms },
    ...(exactResult ? { roundTripOnFreshServer: exactResult } : {}),
    node: process.version,
    date: new Date().toISOString(),
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  if (outFile) writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
} finally {
  await server.destroy();
  rmSync(work, { recursive: true, force: true });
}

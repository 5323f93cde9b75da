#!/usr/bin/env node
// Benchmark of `xp validate` (parse + evaluate + graph, no database) on generated
// configurations of N tenants. Per tenant: a schema, a group role, and a service account with
// a grant block (3 resources). Written out as explicit blocks (500 tenants per file) so that
// the parser does the full work, not a for_each.
//
//   npm run build && node bench/validate.mjs [N ...]      (default: 10 1000 10000)
//
// Prints a Markdown table (wall and CPU time of the whole command, peak RSS) for bench/VALIDATE.md.
// CPU time is reported beside wall time because a shared machine's wall time mostly measures
// the neighbours.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// `--generate N` only writes the configuration and prints its directory (for profiling)
const generateOnly = process.argv[2] === '--generate';
const sizes = process.argv.slice(generateOnly ? 3 : 2).map(Number);
const runs = Number(process.env.XP_BENCH_RUNS ?? 3);

function tenantBlocks(i) {
  const t = `t${String(i).padStart(5, '0')}`;
  return `schema "${t}" {
  database = database.saas
  owner    = role.saas_owner
}

role "${t}-users" {
  member_of = [role.readonly]
}

service_account "${t}-app" {
  database         = database.saas
  schemas          = [schema.${t}]
  member_of        = [role.${t}-users]
  connection_limit = 20

  grant {
    schema     = schema.${t}
    on         = "tables"
    privileges = ["SELECT", "INSERT", "UPDATE", "DELETE"]
    future     = true
  }
}
`;
}

function generate(n) {
  const dir = mkdtempSync(join(tmpdir(), `xp-bench-validate-${n}-`));
  writeFileSync(
    join(dir, 'main.xp'),
    `stack "bench" {}\n\nrole "saas_owner" {}\n\nrole "readonly" {}\n\ndatabase "saas" {\n  owner = role.saas_owner\n}\n`,
  );
  const perFile = 500;
  for (let start = 0; start < n; start += perFile) {
    let text = '';
    for (let i = start; i < Math.min(n, start + perFile); i++) text += tenantBlocks(i) + '\n';
    writeFileSync(join(dir, `tenants-${String(start / perFile).padStart(3, '0')}.xp`), text);
  }
  return dir;
}

function runOnce(dir) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', join(root, 'bench/validate-rss.mjs'), join(root, 'bin/xp.js'), 'validate', dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`xp validate failed (${r.status}):\n${r.stdout}\n${r.stderr.slice(0, 2000)}`);
  const m = /XP_BENCH (\{.*\})/.exec(r.stderr);
  const report = m ? JSON.parse(m[1]) : { maxRssKb: NaN, cpuMs: NaN };
  return { ms, cpuMs: report.cpuMs, rssMb: report.maxRssKb / 1024, out: r.stdout.trim() };
}

if (generateOnly) {
  for (const n of sizes) console.log(generate(n));
  process.exit(0);
}

const rows = [];
for (const n of sizes.length ? sizes : [10, 1000, 10000]) {
  const dir = generate(n);
  try {
    const results = Array.from({ length: runs }, () => runOnce(dir));
    const best = results.reduce((a, b) => (a.ms <= b.ms ? a : b));
    const cpu = Math.min(...results.map((r) => r.cpuMs));
    const rss = Math.max(...results.map((r) => r.rssMb));
    rows.push(
      `| ${n.toLocaleString('en-US')} | ${(3 * n + 3).toLocaleString('en-US')} | ${best.ms.toFixed(0)} ms | ${cpu.toFixed(0)} ms | ${rss.toFixed(0)} MB |`,
    );
    console.error(`N=${n}: wall ${results.map((r) => r.ms.toFixed(0)).join(', ')} ms; cpu ${results.map((r) => r.cpuMs.toFixed(0)).join(', ')} ms; ${best.out}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`| tenants | resources | wall time (best of ${runs}) | CPU time, user + sys (best of ${runs}) | peak RSS (max) |`);
console.log('|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);

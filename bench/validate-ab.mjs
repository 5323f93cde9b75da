#!/usr/bin/env node
// A/B of `xp validate` between two builds on the same generated configuration, runs
// alternated (base, head, base, head…) so that both see the same machine load. Reports the
// median CPU time (user + sys) and peak RSS of the whole command, and its wall time (shown for
// reference: a shared machine's wall time mostly measures the neighbours).
//
//   # a build of the base commit beside this one:
//   base=$(mktemp -d) && git archive BASE_COMMIT | tar -x -C "$base" && ln -s "$PWD/node_modules" "$base/" \
//     && (cd "$base" && npx tsc -p .)
//   npm run build && node bench/validate-ab.mjs "$base" [N=10000] [runs=7]
import { spawnSync, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './report.js';

const head = fileURLToPath(new URL('..', import.meta.url));
const base = resolve(process.argv[2] ?? '');
const n = Number(process.argv[3] ?? 10000);
const runs = Number(process.argv[4] ?? 7);
if (!process.argv[2]) throw new Error('usage: node bench/validate-ab.mjs BASE_DIR [N] [runs]');
const dir = execFileSync(process.execPath, [join(head, 'bench/validate.mjs'), '--generate', String(n)], { encoding: 'utf8' }).trim();

function runOnce(root) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', join(head, 'bench/validate-rss.mjs'), join(root, 'bin/xp.js'), 'validate', dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`xp validate (${root}) failed (${r.status}):\n${r.stdout}\n${r.stderr.slice(0, 2000)}`);
  const { cpuMs, maxRssKb } = JSON.parse(/XP_BENCH (\{.*\})/.exec(r.stderr)[1]);
  return { cpuMs, wallMs, rssMb: maxRssKb / 1024 };
}

const results = { base: [], head: [] };
for (let i = 0; i < runs; i++) {
  results.base.push(runOnce(base));
  results.head.push(runOnce(head));
  process.stderr.write(`run ${i + 1}: base ${results.base[i].cpuMs.toFixed(0)} ms, head ${results.head[i].cpuMs.toFixed(0)} ms\n`);
}
rmSync(dir, { recursive: true, force: true });

console.log(`${n.toLocaleString('en-US')} tenants, ${runs} alternated runs each\n`);
console.log('| build | CPU time, user + sys (median) | CPU time (min–max) | wall time (median) | peak RSS (median) |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, rs] of Object.entries(results)) {
  const cpu = rs.map((r) => r.cpuMs);
  console.log(
    `| ${name} | ${median(cpu).toFixed(0)} ms | ${Math.min(...cpu).toFixed(0)}–${Math.max(...cpu).toFixed(0)} ms | ${median(rs.map((r) => r.wallMs)).toFixed(0)} ms | ${median(rs.map((r) => r.rssMb)).toFixed(0)} MB |`,
  );
}

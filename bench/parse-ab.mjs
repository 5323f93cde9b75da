#!/usr/bin/env node
// A/B of the parse stage (lex, parse, CST → AST) between two builds: each run is a fresh
// process that parses every file of one generated configuration once and reports the CPU
// time (user + sys, garbage collection included) of that alone; runs alternate between the
// builds (base, head, base…) so that both see the same machine load; medians. (One process
// for both builds would share chevrotain's JIT feedback between them.) A base build: see
// bench/validate-ab.mjs.
//
//   npm run build && node bench/parse-ab.mjs BASE_DIR [N=10000] [runs=9]
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './report.js';

const self = fileURLToPath(import.meta.url);
const head = fileURLToPath(new URL('..', import.meta.url));

if (process.argv[2] === '--child') {
  const [root, dir] = process.argv.slice(3);
  const { parse } = await import(join(root, 'dist/dsl/index.js'));
  const { configurationFileNames } = await import(join(head, 'dist/config/files.js'));
  const files = configurationFileNames(dir).map((f) => [join(dir, f), readFileSync(join(dir, f), 'utf8')]);
  const before = process.cpuUsage();
  let diagnostics = 0;
  const asts = files.map(([path, text]) => {
    const r = parse(path, text);
    diagnostics += r.diagnostics.length;
    return r.ast;
  });
  const used = process.cpuUsage(before);
  if (diagnostics > 0 || asts.length !== files.length) throw new Error(`${diagnostics} diagnostics`);
  console.log(JSON.stringify({ cpuMs: (used.user + used.system) / 1000, heapMb: process.memoryUsage().heapUsed / 1e6 }));
  process.exit(0);
}

if (!process.argv[2]) throw new Error('usage: node bench/parse-ab.mjs BASE_DIR [N] [runs]');
const base = resolve(process.argv[2]);
const n = Number(process.argv[3] ?? 10000);
const runs = Number(process.argv[4] ?? 9);
const dir = execFileSync(process.execPath, [join(head, 'bench/validate.mjs'), '--generate', String(n)], { encoding: 'utf8' }).trim();
const results = { base: [], head: [] };
for (let i = 0; i < runs; i++) {
  for (const [name, root] of [
    ['base', base],
    ['head', head],
  ]) {
    results[name].push(JSON.parse(execFileSync(process.execPath, [self, '--child', root, dir], { encoding: 'utf8' })));
  }
  process.stderr.write(`run ${i + 1}: base ${results.base[i].cpuMs.toFixed(0)} ms, head ${results.head[i].cpuMs.toFixed(0)} ms\n`);
}
rmSync(dir, { recursive: true, force: true });

console.log(`parse stage of ${n.toLocaleString('en-US')} tenants, ${runs} alternated processes each\n`);
console.log('| build | parse, CPU (median) | min–max | heap after (median) |');
console.log('|---|---:|---:|---:|');
for (const [name, rs] of Object.entries(results)) {
  const cpu = rs.map((r) => r.cpuMs);
  console.log(`| ${name} | ${median(cpu).toFixed(0)} ms | ${Math.min(...cpu).toFixed(0)}–${Math.max(...cpu).toFixed(0)} ms | ${median(rs.map((r) => r.heapMb)).toFixed(0)} MB |`);
}

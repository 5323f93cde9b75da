#!/usr/bin/env node
// A/B of the parse stage (lex, parse, CST → AST) between two builds, in one process: every
// file of a generated configuration parsed by each build in turn, runs alternated, CPU time
// (user + sys, garbage collection included) per pass, medians. Steadier than whole commands on
// a loaded machine. A base build: see bench/validate-ab.mjs.
//
//   npm run build && node --expose-gc bench/parse-ab.mjs BASE_DIR [N=10000] [runs=7]
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const head = fileURLToPath(new URL('..', import.meta.url));
if (!process.argv[2]) throw new Error('usage: node --expose-gc bench/parse-ab.mjs BASE_DIR [N] [runs]');
const base = resolve(process.argv[2]);
const n = Number(process.argv[3] ?? 10000);
const runs = Number(process.argv[4] ?? 7);
const dir = execFileSync(process.execPath, [join(head, 'bench/validate.mjs'), '--generate', String(n)], { encoding: 'utf8' }).trim();
const { configurationFileNames } = await import(join(head, 'dist/config/files.js'));
const files = configurationFileNames(dir).map((f) => [join(dir, f), readFileSync(join(dir, f), 'utf8')]);
rmSync(dir, { recursive: true, force: true });

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const builds = {};
for (const [name, root] of [
  ['base', base],
  ['head', head],
]) {
  builds[name] = { parse: (await import(join(root, 'dist/dsl/index.js'))).parse, times: [] };
}
for (let i = 0; i < runs; i++) {
  for (const b of Object.values(builds)) {
    globalThis.gc?.();
    const c = cpu();
    let errors = 0;
    for (const [path, text] of files) errors += b.parse(path, text).diagnostics.length;
    b.times.push(cpu() - c);
    if (errors) throw new Error(`${errors} diagnostics`);
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`parse of ${n.toLocaleString('en-US')} tenants (${files.length} files), ${runs} alternated passes each\n`);
console.log('| build | parse, CPU (median) | min–max |');
console.log('|---|---:|---:|');
for (const [name, b] of Object.entries(builds)) {
  console.log(`| ${name} | ${median(b.times).toFixed(0)} ms | ${Math.min(...b.times).toFixed(0)}–${Math.max(...b.times).toFixed(0)} ms |`);
}

#!/usr/bin/env node
// Where `xp validate` spends its main thread, by stage, from a CPU profile of the command
// (`node --cpu-prof`): startup and module loading, reading the files, parsing, evaluation, the
// graph and the output. A sample belongs to the stage whose function is on its stack; a
// garbage-collection sample belongs to the stage that was running (the last one sampled), so
// each stage shows the collection its allocations caused. Background threads (parallel
// scavenging, concurrent marking, the optimising compiler) are not in the profile: compare
// with the process's CPU time (bench/validate-ab.mjs).
//
//   dir=$(node bench/validate.mjs --generate 10000)
//   node --cpu-prof --cpu-prof-dir=prof bin/xp.js validate "$dir" && node bench/validate-split.mjs prof/*.cpuprofile
import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stageOf = (id) => {
  let names = [];
  for (let x = id; x !== undefined; x = parent.get(x)) { const f = byId.get(x).callFrame; names.push(f.functionName + '@' + f.url.replace(/.*\//, '')); }
  const has = (s) => names.some((n) => n.startsWith(s));
  if (has('loadConfiguration@')) {
    if (has('buildGraph@')) return 'graph';
    if (has('evaluate@')) return 'evaluate';
    if (has('fastParse@') || has('parse@index')) return 'parse';
    if (has('decodeSource@') || has('readFileSync@') || has('parseFiles@')) return 'read';
    return 'load (other)';
  }
  if (has('run@validate')) return 'output';
  return 'startup + modules';
};
const t = new Map(); const gc = new Map(); let cur = 'startup + modules'; let total = 0;
p.samples.forEach((id, i) => {
  const us = p.timeDeltas[i] ?? 0; total += us;
  const name = byId.get(id).callFrame.functionName;
  if (name === '(garbage collector)') { gc.set(cur, (gc.get(cur) ?? 0) + us); return; }
  if (name === '(idle)' || name === '(program)') { t.set(name, (t.get(name) ?? 0) + us); return; }
  cur = stageOf(id); t.set(cur, (t.get(cur) ?? 0) + us);
});
console.log('| stage | JS and runtime | GC (main thread) | total | share |');
console.log('|---|---:|---:|---:|---:|');
const stages = ['startup + modules', 'read', 'parse', 'evaluate', 'graph', 'load (other)', 'output', '(program)', '(idle)'];
for (const s of stages) { const a = (t.get(s) ?? 0) / 1000, g = (gc.get(s) ?? 0) / 1000; if (a + g > 0) console.log(`| ${s} | ${a.toFixed(0)} ms | ${g.toFixed(0)} ms | ${(a + g).toFixed(0)} ms | ${((a + g) / total * 100000).toFixed(0)} % |`); }
console.log(`| total (main thread, wall) | | ${([...gc.values()].reduce((a, b) => a + b, 0) / 1000).toFixed(0)} ms | ${(total / 1000).toFixed(0)} ms | |`);

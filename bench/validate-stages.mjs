#!/usr/bin/env node
// Where `xp validate` spends its time: CPU time and heap of each stage (parse, evaluate,
// graph) on one generated configuration, in one process.
//
//   npm run build && node --expose-gc bench/validate-stages.mjs [N]     (default 10000)
import { readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const n = Number(process.argv[2] ?? 10000);
const dir = execFileSync(process.execPath, [join(root, 'bench/validate.mjs'), '--generate', String(n)], { encoding: 'utf8' }).trim();

const cpuAt = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const heapMb = () => (process.memoryUsage().heapUsed / 1e6).toFixed(0);
let cpu = cpuAt();
const rows = [];
const lap = (stage) => {
  const now = cpuAt();
  rows.push(`| ${stage} | ${(now - cpu).toFixed(0)} ms | ${heapMb()} MB |`);
  globalThis.gc?.();
  cpu = cpuAt(); // the forced collection is not counted
};

const { parse } = await import(join(root, 'dist/dsl/index.js'));
const { evaluate } = await import(join(root, 'dist/config/evaluate.js'));
const { buildGraph } = await import(join(root, 'dist/graph/index.js'));
const { configurationFileNames } = await import(join(root, 'dist/config/files.js'));
lap('load modules');
const files = configurationFileNames(dir).map((f) => parse(join(dir, f), readFileSync(join(dir, f), 'utf8')).ast);
lap('parse');
const { config } = evaluate(files, { dir, defaultStack: 'bench', variables: [], env: {} });
lap('evaluate');
buildGraph(config.resources);
lap('graph');
rmSync(dir, { recursive: true, force: true });

console.log(`${n.toLocaleString('en-US')} tenants, ${config.resources.length.toLocaleString('en-US')} resources\n`);
console.log('| stage | CPU time | heap used after |');
console.log('|---|---:|---:|');
for (const r of rows) console.log(r);
console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

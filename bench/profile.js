// @ts-check
// Where a node process spent its time, from a V8 CPU profile (`node --cpu-prof`): idle
// (waiting for the server or the disk), garbage collection, and the rest by source file and
// by function, self time.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * @param {string} path a .cpuprofile file
 * @param {string} root paths are shown relative to this directory
 */
export function summariseCpuProfile(path, root) {
  /** @type {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number } }[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }} */
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<string, number>} */
  const files = new Map();
  /** @type {Map<string, number>} */
  const functions = new Map();
  let idle = 0;
  let gc = 0;
  let program = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    const name = frame?.functionName ?? '';
    if (name === '(idle)') return void (idle += us);
    if (name === '(garbage collector)') return void (gc += us);
    if (name === '(program)') return void (program += us);
    const url = frame?.url ? shorten(frame.url, root) : '(native)';
    files.set(url, (files.get(url) ?? 0) + us);
    const fn = `${name || '(anonymous)'} ${url}:${(frame?.lineNumber ?? 0) + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  });
  const top = (/** @type {Map<string, number>} */ m, /** @type {number} */ k) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10 }));
  const ms = (/** @type {number} */ us) => Math.round(us / 100) / 10;
  const busy = [...files.values()].reduce((a, b) => a + b, 0);
  return {
    totalMs: ms(profile.endTime - profile.startTime),
    idleMs: ms(idle),
    gcMs: ms(gc),
    programMs: ms(program),
    javascriptMs: ms(busy),
    topFiles: top(files, 8),
    topFunctions: top(functions, 10),
  };
}

/** Group node_modules by package, our files by path. @param {string} url @param {string} root */
function shorten(url, root) {
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return `node_modules/${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  return path.startsWith('/') ? relative(root, path) : path;
}

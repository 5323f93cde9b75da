// `xp fmt [dir|file] [--check] [--diff]`: rewrite *.xp files in the canonical layout. A
// directory's files and those of the local modules it calls (docs/language.md, Modules).
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { CommandIO, ParsedArgs } from './command.js';
import { ExitError } from './errors.js';
import { configurationFileNames } from '../../config/files.js';
import { formatSource } from '../../dsl/format.js';
import { formatDiagnostics, parse } from '../../dsl/index.js';
import { decodeSource } from '../../dsl/source.js';

/** Exit codes of `xp fmt` (the `--check` one follows `terraform fmt -check`). */
export const FmtExit = { ok: 0, errors: 1, wouldChange: 3 } as const;

export interface FmtOptions {
  /** Directories or files; each directory's *.xp files. */
  targets: string[];
  check: boolean;
  diff: boolean;
}

export async function run(args: ParsedArgs, io: CommandIO): Promise<number> {
  return runFmt(
    { targets: args.positionals.length > 0 ? args.positionals : ['.'], check: Boolean(args.flags.check), diff: Boolean(args.flags.diff) },
    io,
  );
}

export async function runFmt(opts: FmtOptions, io: CommandIO): Promise<number> {
  const files: string[] = [];
  for (const target of opts.targets) {
    const found = await xpFiles(resolve(io.cwd, target));
    if (found.length === 0) io.stderr.write(`No .xp files in ${target}\n`);
    files.push(...found.filter((f) => !files.includes(f)));
  }
  let errors = false;
  let changed = false;
  for (const file of files) {
    const shown = relative(io.cwd, file) || basename(file);
    const decoded = decodeSource(shown, await readFile(file));
    const text = decoded.text;
    const result = decoded.ok ? formatSource(shown, text) : { output: undefined, diagnostics: [decoded.diagnostic] };
    if (result.output === undefined) {
      errors = true;
      io.stderr.write(formatDiagnostics(result.diagnostics, { [shown]: text }, { color: io.color }));
      continue;
    }
    if (result.output === text) continue;
    changed = true;
    io.stdout.write(`${shown}\n`);
    if (opts.diff) io.stdout.write(unifiedDiff(shown, text, result.output));
    if (!opts.check) await writeFile(file, result.output);
  }
  if (errors) return FmtExit.errors;
  return opts.check && changed ? FmtExit.wouldChange : FmtExit.ok;
}

async function xpFiles(target: string): Promise<string[]> {
  let info;
  try {
    info = await stat(target);
  } catch {
    throw new ExitError(`no such file or directory: ${target}`, FmtExit.errors);
  }
  if (info.isFile()) return [target];
  return directoryFiles(target, target, new Set());
}

/** A directory's *.xp files, then those of the modules they call (local sources inside `root`), once each. */
function directoryFiles(dir: string, root: string, seen: Set<string>): string[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const files = configurationFileNames(dir).map((n) => join(dir, n));
  const out = [...files];
  for (const file of files) {
    for (const source of moduleSources(file)) {
      const sub = resolve(dir, source);
      const rel = relative(root, sub);
      if (rel.startsWith('..') || isAbsolute(rel) || !isDirectory(sub)) continue;
      out.push(...directoryFiles(sub, root, seen));
    }
  }
  return out;
}

/** The local `source` of each module block of a file (none when it does not parse: fmt reports that). */
function moduleSources(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  if (!/\bmodule\b/.test(text)) return [];
  const out: string[] = [];
  for (const block of parse(file, text).ast.body.blocks) {
    if (block.type !== 'module') continue;
    const source = block.body.attributes.find((a) => a.name === 'source')?.value;
    if (source?.kind === 'Template' && source.parts.every((p) => typeof p === 'string')) {
      const path = source.parts.join('');
      if (path.startsWith('./') || path.startsWith('../')) out.push(path);
    }
  }
  return out;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `diff -u` of two texts, three lines of context. */
export function unifiedDiff(name: string, before: string, after: string): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = lineDiff(a, b);
  const context = 3;
  const out = [`--- a/${name}`, `+++ b/${name}`];
  // group the edit script into hunks
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i]!.op === ' ') i++;
    if (i >= ops.length) break;
    let start = Math.max(0, i - context);
    let end = i;
    // extend while changes are within 2*context of each other
    for (;;) {
      while (end < ops.length && ops[end]!.op !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next]!.op === ' ') next++;
      if (next < ops.length && next - end <= 2 * context) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + context);
    const hunk = ops.slice(start, stop);
    const aStart = hunk[0]!.a;
    const bStart = hunk[0]!.b;
    const aLen = hunk.filter((o) => o.op !== '+').length;
    const bLen = hunk.filter((o) => o.op !== '-').length;
    out.push(`@@ -${aLen === 0 ? aStart : aStart + 1},${aLen} +${bLen === 0 ? bStart : bStart + 1},${bLen} @@`);
    for (const o of hunk) out.push(o.op + o.text);
    i = stop;
    start = stop;
  }
  return out.join('\n') + '\n';
}

function splitLines(s: string): string[] {
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

interface DiffOp {
  op: ' ' | '-' | '+';
  text: string;
  /** Lines of a / b before this one. */
  a: number;
  b: number;
}

/** An edit script: common prefix and suffix, and an LCS table for the middle. */
function lineDiff(a: string[], b: string[]): DiffOp[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const ops: DiffOp[] = [];
  let ai = 0;
  let bi = 0;
  const push = (op: DiffOp['op'], text: string) => {
    ops.push({ op, text, a: ai, b: bi });
    if (op !== '+') ai++;
    if (op !== '-') bi++;
  };
  for (let k = 0; k < pre; k++) push(' ', a[k]!);
  if (am.length * bm.length > 4_000_000) {
    // too large to compare line by line: show the middle as replaced
    for (const l of am) push('-', l);
    for (const l of bm) push('+', l);
  } else {
    const n = am.length;
    const m = bm.length;
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let x = n - 1; x >= 0; x--) {
      for (let y = m - 1; y >= 0; y--) {
        lcs[x]![y] = am[x] === bm[y] ? lcs[x + 1]![y + 1]! + 1 : Math.max(lcs[x + 1]![y]!, lcs[x]![y + 1]!);
      }
    }
    let x = 0;
    let y = 0;
    while (x < n || y < m) {
      if (x < n && y < m && am[x] === bm[y]) {
        push(' ', am[x++]!);
        y++;
      } else if (x < n && (y >= m || lcs[x + 1]![y]! >= lcs[x]![y + 1]!)) push('-', am[x++]!);
      else push('+', bm[y++]!);
    }
  }
  for (let k = a.length - suf; k < a.length; k++) push(' ', a[k]!);
  return ops;
}

// The import graph of src/, read from the sources: every relative import of every .ts/.tsx
// file (`import`, `import type`, `export … from`, `import('…')` in code or in a type), resolved
// to the file it names. TypeScript's own scanner finds them (ts.preProcessFile: comments and
// strings are not imports). Used by imports.test.ts to refuse cycles between files and between
// folders.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** A directed graph: node → the nodes it imports (every node is a key). */
export type ImportGraph = Map<string, Set<string>>;

/** The relative module specifiers a source text imports (package imports left out). */
export function relativeImports(text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/** The file a relative specifier names (`./x.js` → x.ts, x.tsx, x.d.ts or x/index.ts), or undefined. */
export function resolveImport(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier).replace(/\.(js|jsx)$/, '');
  return [`${base}.ts`, `${base}.tsx`, `${base}.d.ts`, join(base, 'index.ts'), join(base, 'index.tsx')].find((f) => existsSync(f));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** Paths relative to `root`, with `/` as the separator. */
const rel = (root: string, path: string) => relative(root, path).split(sep).join('/');

/**
 * The file graph under `root` (paths relative to it), and the imports that name no file
 * (each a defect of the code or of this resolver: the test refuses them).
 */
export function importGraph(root: string): { files: ImportGraph; unresolved: string[] } {
  const files: ImportGraph = new Map();
  const unresolved: string[] = [];
  for (const file of sourceFiles(root).sort()) {
    const targets = new Set<string>();
    for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
      const target = resolveImport(file, spec);
      if (target === undefined) unresolved.push(`${rel(root, file)}: ${spec}`);
      else targets.add(rel(root, target));
    }
    files.set(rel(root, file), targets);
  }
  return { files, unresolved };
}

/** A file's folder, relative to the root ('.' for the root itself): src/cli and src/cli/commands are two folders. */
export const folderOf = (file: string): string => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.');

/** The folder graph: an edge when a file of one folder imports a file of another. */
export function folderGraph(files: ImportGraph): ImportGraph {
  const folders: ImportGraph = new Map();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    const edges = folders.get(from) ?? new Set<string>();
    folders.set(from, edges);
    for (const t of targets) if (folderOf(t) !== from) edges.add(folderOf(t));
  }
  for (const edges of [...folders.values()]) for (const t of edges) if (!folders.has(t)) folders.set(t, new Set());
  return folders;
}

/**
 * The strongly connected components with a cycle (two members or more, or one that imports
 * itself), each sorted, in a stable order (Tarjan's algorithm).
 */
export function cycles(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const members: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      members.push(w);
    } while (w !== v);
    if (members.length > 1 || graph.get(v)?.has(v)) found.push(members.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** One cycle through the first member of a component, as `a → b → … → a` (for the message). */
export function cyclePath(graph: ImportGraph, members: string[]): string {
  const inside = new Set(members);
  const start = members[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start].join(' → ');
      }
      if (!previous.has(w) && w !== start) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return members.join(' ↔ ');
}

/** The imports that make a folder edge (for the message): `a/x.ts → b/y.ts`. */
export function folderEdgeImports(files: ImportGraph, from: string, to: string): string[] {
  return [...files].flatMap(([file, targets]) => (folderOf(file) === from ? [...targets].filter((t) => folderOf(t) === to).map((t) => `${file} → ${t}`) : []));
}

// The dependency graph of a configuration, for validation and drawing: an edge from each
// dependency to each resource that refers to it (or names it in depends_on). A cycle is a
// diagnostic naming every resource on it (graphlib finds them); `xp graph` draws the rest as
// DOT or Mermaid. The order of apply and destroy is not kept here: the walker derives it from
// the plan's dependsOn (src/apply/walk.ts), the one place that runs steps in order.
import { Graph, alg } from '@dagrejs/graphlib';
import type { Diagnostic, SourceRange } from '../dsl/diagnostics.js';
import type { ResourceInstance } from '../model/types.js';

export interface ResourceGraph {
  /** What each address depends on / what depends on it (sorted addresses). */
  dependencies(address: string): readonly string[];
  dependents(address: string): readonly string[];
  /** Every address, dependencies before dependents (stable: by depth, then address): the order drawn. */
  order: string[];
}

export interface GraphResult {
  graph?: ResourceGraph;
  diagnostics: Diagnostic[];
}

const where = (r: SourceRange) => `${r.file}:${r.start.line}:${r.start.column}`;

function toGraphlib(resources: readonly ResourceInstance[], dependents: Map<string, string[]>): Graph {
  const g = new Graph({ directed: true });
  for (const r of resources) g.setNode(r.address, r);
  for (const [from, tos] of dependents) for (const to of tos) g.setEdge(from, to);
  return g;
}

export function buildGraph(resources: readonly ResourceInstance[]): GraphResult {
  // resources by position: the work below is on indices, not on maps keyed by address
  const n = resources.length;
  const indexOf = new Map<string, number>();
  for (let i = 0; i < n; i++) indexOf.set(resources[i]!.address, i);
  const dependencies: string[][] = new Array<string[]>(n);
  const dependentsOf: number[][] = new Array<number[]>(n);
  for (let i = 0; i < n; i++) dependentsOf[i] = [];
  for (let i = 0; i < n; i++) {
    // a dependency that is not in the configuration failed to evaluate (already reported)
    // dependsOn is sorted and de-duplicated by evaluation; check rather than redo it
    // (plain loops: this runs for every edge)
    const own = resources[i]!.dependsOn;
    let deps: string[] = [];
    let sorted = true;
    for (let k = 0; k < own.length; k++) {
      const d = own[k]!;
      if (!indexOf.has(d)) continue;
      if (deps.length > 0 && !(deps[deps.length - 1]! < d)) sorted = false;
      deps.push(d);
    }
    if (!sorted) deps = [...new Set(deps)].sort();
    dependencies[i] = deps;
    for (let k = 0; k < deps.length; k++) dependentsOf[indexOf.get(deps[k]!)!]!.push(i);
  }
  const byAddress = (a: number, b: number) => {
    const x = resources[a]!.address;
    const y = resources[b]!.address;
    return x < y ? -1 : x > y ? 1 : 0;
  };

  const order = topologicalOrder(dependencies, dependentsOf, byAddress).map((i) => resources[i]!.address);
  // what depends on each resource, as sorted addresses: made when asked (validate never asks)
  const dependents = new Map<number, string[]>();
  const dependentsAt = (i: number): string[] => {
    let list = dependents.get(i);
    if (!list) dependents.set(i, (list = dependentsOf[i]!.map((j) => resources[j]!.address).sort()));
    return list;
  };
  if (order.length < n) {
    // Kahn's algorithm left nodes behind: there is a cycle; graphlib names its members
    const all = new Map<string, string[]>();
    for (let i = 0; i < n; i++) all.set(resources[i]!.address, dependentsAt(i));
    return { diagnostics: findCycleDiagnostics(toGraphlib(resources, all)) };
  }
  return {
    graph: {
      dependencies: (a) => {
        const i = indexOf.get(a);
        return i === undefined ? [] : dependencies[i]!;
      },
      dependents: (a) => {
        const i = indexOf.get(a);
        return i === undefined ? [] : dependentsAt(i);
      },
      order,
    },
    diagnostics: [],
  };
}

/** Kahn's algorithm on indices, one depth at a time, each sorted by address; short of some
 * nodes when there is a cycle. */
function topologicalOrder(dependencies: string[][], dependentsOf: number[][], byAddress: (a: number, b: number) => number): number[] {
  const n = dependencies.length;
  const indegree = new Int32Array(n);
  let current: number[] = [];
  for (let i = 0; i < n; i++) {
    indegree[i] = dependencies[i]!.length;
    if (indegree[i] === 0) current.push(i);
  }
  current.sort(byAddress);
  const order: number[] = [];
  while (current.length > 0) {
    for (const v of current) order.push(v);
    const next: number[] = [];
    for (const v of current) {
      for (const w of dependentsOf[v]!) {
        if (--indegree[w]! === 0) next.push(w);
      }
    }
    current = next.sort(byAddress);
  }
  return order;
}

function findCycleDiagnostics(g: Graph): Diagnostic[] {
  const sccs = alg.findCycles(g).map((c) => [...c].sort());
  sccs.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  return sccs.map((members) => {
    const path = cyclePath(g, members);
    const label = (v: string) => g.node(v) as ResourceInstance;
    const first = label(members[0]!);
    const list = members.map((v) => `${v} (${where(label(v).range)})`).join(', ');
    return {
      severity: 'error' as const,
      message:
        members.length === 1
          ? `${members[0]} depends on itself`
          : `dependency cycle between ${members.length} resources: ${path.join(' → ')}`,
      range: first.range,
      hint: `on the cycle: ${list}; remove a reference or a depends_on to break it`,
    };
  });
}

/** The shortest cycle through the first member, following dependency order (A needs B → A → B). */
function cyclePath(g: Graph, members: string[]): string[] {
  const inScc = new Set(members);
  const start = members[0]!;
  // walk from a resource to what it depends on (predecessors), so the path reads "needs"
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of (g.predecessors(v) ?? []).filter((x) => inScc.has(x)).sort()) {
      if (w === start) {
        const path = [v];
        let cur = v;
        while (cur !== start) {
          cur = prev.get(cur)!;
          path.unshift(cur);
        }
        return [...path, start];
      }
      if (!seen.has(w)) {
        seen.add(w);
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...members, start];
}

/** The graph as Graphviz DOT. */
export function toDot(graph: ResourceGraph): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = ['digraph xp {', '  rankdir = "LR";', '  node [shape = box, fontname = "Helvetica"];'];
  for (const v of graph.order) lines.push(`  ${q(v)};`);
  for (const v of graph.order) for (const w of graph.dependents(v)) lines.push(`  ${q(v)} -> ${q(w)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** The graph as a Mermaid flowchart (ids are positions; labels are addresses). */
export function toMermaid(graph: ResourceGraph): string {
  const id = new Map(graph.order.map((v, i) => [v, `n${i}`]));
  const lines = ['flowchart LR'];
  for (const v of graph.order) lines.push(`  ${id.get(v)}["${v.replace(/"/g, '#quot;')}"]`);
  for (const v of graph.order) for (const w of graph.dependents(v)) lines.push(`  ${id.get(v)} --> ${id.get(w)}`);
  return lines.join('\n') + '\n';
}

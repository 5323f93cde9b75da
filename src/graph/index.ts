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
  const dependencies: (readonly string[])[] = new Array<readonly string[]>(n);
  // what depends on each resource, as compressed rows: those of i are
  // dependentIndex[dependentStart[i] .. dependentStart[i + 1]) (a list per resource cost more
  // memory than the graph's whole content, and the collector copies it)
  const dependentStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    // a dependency that is not in the configuration failed to evaluate (already reported)
    // dependsOn is sorted and de-duplicated by evaluation; check rather than redo it, and keep
    // it as it is when nothing is left out (plain loops: this runs for every edge)
    const own = resources[i]!.dependsOn;
    let kept = 0;
    let sorted = true;
    for (let k = 0; k < own.length; k++) {
      if (!indexOf.has(own[k]!)) continue;
      if (k > 0 && !(own[k - 1]! < own[k]!)) sorted = false;
      kept++;
    }
    let deps: readonly string[] = own;
    if (kept < own.length || !sorted) deps = [...new Set(own.filter((d) => indexOf.has(d)))].sort();
    dependencies[i] = deps;
    for (let k = 0; k < deps.length; k++) dependentStart[indexOf.get(deps[k]!)! + 1]!++;
  }
  for (let i = 0; i < n; i++) dependentStart[i + 1]! += dependentStart[i]!;
  const dependentIndex = new Int32Array(dependentStart[n]!);
  const fill = dependentStart.slice(0, n);
  for (let i = 0; i < n; i++) {
    const deps = dependencies[i]!;
    for (let k = 0; k < deps.length; k++) dependentIndex[fill[indexOf.get(deps[k]!)!]!++] = i;
  }
  const byAddress = (a: number, b: number) => {
    const x = resources[a]!.address;
    const y = resources[b]!.address;
    return x < y ? -1 : x > y ? 1 : 0;
  };

  const order = topologicalOrder(dependencies, dependentStart, dependentIndex, byAddress).map((i) => resources[i]!.address);
  // what depends on each resource, as sorted addresses: made when asked (validate never asks)
  const dependents = new Map<number, string[]>();
  const dependentsAt = (i: number): string[] => {
    let list = dependents.get(i);
    if (!list) dependents.set(i, (list = Array.from(dependentIndex.subarray(dependentStart[i], dependentStart[i + 1]), (j) => resources[j]!.address).sort()));
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
function topologicalOrder(
  dependencies: readonly (readonly string[])[],
  dependentStart: Int32Array,
  dependentIndex: Int32Array,
  byAddress: (a: number, b: number) => number,
): number[] {
  const n = dependencies.length;
  const indegree = new Int32Array(n);
  let current: number[] = [];
  for (let i = 0; i < n; i++) {
    indegree[i] = dependencies[i]!.length;
    if (indegree[i] === 0) current.push(i);
  }
  current.sort(byAddress);
  const order: number[] = [];
  // indexed loops: this runs once, mostly before it is optimised, and for-of allocates an
  // iterator result per step until then
  while (current.length > 0) {
    const next: number[] = [];
    for (let k = 0; k < current.length; k++) {
      const v = current[k]!;
      order.push(v);
      for (let x = dependentStart[v]!; x < dependentStart[v + 1]!; x++) {
        const w = dependentIndex[x]!;
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

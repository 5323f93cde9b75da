// The live apply view's state, and the pure reducer that turns ApplyEvents into it.
// Nothing here renders: src/tui/components.tsx draws a state, src/tui/live.tsx feeds events.
//
// Events are applied in batches (one batch per frame): `applyEvents` copies the state once per
// batch, not once per event, so a 2,000-resource run costs O(resources) per frame at most.
import type { ApplyEvent, PlannedStep, ResourceAction } from '../apply/events.js';
import { addressType } from '../model/address.js';

export type RowStatus = 'waiting' | 'running' | 'done' | 'failed' | 'skipped';

export interface ResourceRow {
  address: string;
  kind: string;
  action: ResourceAction;
  dependsOn: string[];
  /** Graph level: 0 for steps that wait on nothing, else 1 + the deepest step waited on. */
  level: number;
  status: RowStatus;
  startedAt?: number;
  /** Set when finished (done/failed). */
  elapsedMs?: number;
  /** The provider's status code (done/failed). */
  statusCode?: string;
  message?: string;
  /** For a skipped row: the failed step it depended on. */
  upstream?: string;
  /** For a row not run for another reason (the connection was lost). */
  reason?: string;
}

export type StatusCounts = Record<RowStatus, number> & { total: number };

export interface KindGroup {
  kind: string;
  /** Lowest graph level of the kind's steps: groups are listed in walk order. */
  level: number;
  counts: StatusCounts;
}

/** The finished history, in the order things finished: what the view prints once and lets scroll away. */
export type LogItem = { type: 'row'; address: string } | { type: 'group'; kind: string; at: number };

type Complete = Extract<ApplyEvent, { type: 'complete' }>;

export interface ApplyState {
  operation: 'apply' | 'destroy';
  startedAt: number;
  /** The clock of the last frame (drives spinners and elapsed times). */
  now: number;
  rows: ReadonlyMap<string, ResourceRow>;
  /** Addresses in plan order. */
  order: readonly string[];
  /** Running addresses, in the order they started. */
  running: readonly string[];
  groups: readonly KindGroup[];
  counts: StatusCounts;
  log: readonly LogItem[];
  /** Failed addresses, in the order they failed. */
  failures: readonly string[];
  interrupted?: string;
  complete?: Complete;
}

export function emptyCounts(): StatusCounts {
  return { total: 0, waiting: 0, running: 0, done: 0, failed: 0, skipped: 0 };
}

export function initialState(now = 0, operation: 'apply' | 'destroy' = 'apply'): ApplyState {
  return {
    operation,
    startedAt: now,
    now,
    rows: new Map(),
    order: [],
    running: [],
    groups: [],
    counts: emptyCounts(),
    log: [],
    failures: [],
  };
}

/** Graph levels of the planned steps (dependencies outside the plan are ignored; a cycle cannot hang it). */
export function graphLevels(steps: readonly PlannedStep[]): Map<string, number> {
  const byAddress = new Map(steps.map((s) => [s.address, s]));
  const levels = new Map<string, number>();
  const visiting = new Set<string>();
  const level = (address: string): number => {
    const known = levels.get(address);
    if (known !== undefined) return known;
    const step = byAddress.get(address);
    if (!step || visiting.has(address)) return -1;
    visiting.add(address);
    let l = 0;
    for (const d of step.dependsOn) l = Math.max(l, level(d) + 1);
    visiting.delete(address);
    levels.set(address, l);
    return l;
  };
  for (const s of steps) level(s.address);
  return levels;
}

/** A mutable copy of the parts of the state a batch changes; copied once per batch. */
interface Draft {
  state: ApplyState;
  rows: Map<string, ResourceRow>;
  running: string[];
  groups: Map<string, KindGroup>;
  counts: StatusCounts;
  log: LogItem[];
  failures: string[];
  order: string[];
}

function draftOf(state: ApplyState): Draft {
  return {
    state: { ...state },
    rows: new Map(state.rows),
    running: [...state.running],
    groups: new Map(state.groups.map((g) => [g.kind, { ...g, counts: { ...g.counts } }])),
    counts: { ...state.counts },
    log: [...state.log],
    failures: [...state.failures],
    order: [...state.order],
  };
}

function kindOfAddress(address: string): string {
  const type = addressType(address);
  return type
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function groupFor(d: Draft, kind: string, level: number): KindGroup {
  let g = d.groups.get(kind);
  if (!g) {
    g = { kind, level, counts: emptyCounts() };
    d.groups.set(kind, g);
  }
  return g;
}

/** A row the plan did not announce (or a run without `start`): add it, waiting, so its events land somewhere. */
function rowFor(d: Draft, address: string, action: ResourceAction): ResourceRow {
  const known = d.rows.get(address);
  if (known) return known;
  const row: ResourceRow = { address, kind: kindOfAddress(address), action, dependsOn: [], level: 0, status: 'waiting' };
  d.rows.set(address, row);
  d.order.push(address);
  const g = groupFor(d, row.kind, 0);
  g.counts.total++;
  g.counts.waiting++;
  d.counts.total++;
  d.counts.waiting++;
  return row;
}

function move(d: Draft, row: ResourceRow, to: RowStatus, patch: Partial<ResourceRow>, at: number): void {
  const from = row.status;
  const g = d.groups.get(row.kind)!;
  d.counts[from]--;
  d.counts[to]++;
  g.counts[from]--;
  g.counts[to]++;
  d.rows.set(row.address, { ...row, ...patch, status: to });
  if (from === 'running') d.running.splice(d.running.indexOf(row.address), 1);
  if (to === 'running') d.running.push(row.address);
  const finished = to === 'done' || to === 'failed' || to === 'skipped';
  if (finished && (from === 'waiting' || from === 'running')) {
    d.log.push({ type: 'row', address: row.address });
    if (g.counts.waiting === 0 && g.counts.running === 0) d.log.push({ type: 'group', kind: g.kind, at });
  }
  if (to === 'failed' && from !== 'failed') d.failures.push(row.address);
}

function applyOne(d: Draft, e: ApplyEvent): void {
  switch (e.type) {
    case 'start': {
      const levels = graphLevels(e.steps);
      d.state.operation = e.operation;
      d.state.startedAt = e.at;
      for (const s of e.steps) {
        if (d.rows.has(s.address)) continue;
        const level = levels.get(s.address) ?? 0;
        d.rows.set(s.address, { address: s.address, kind: s.kind, action: s.action, dependsOn: s.dependsOn, level, status: 'waiting' });
        d.order.push(s.address);
        const g = groupFor(d, s.kind, level);
        g.level = Math.min(g.level, level);
        g.counts.total++;
        g.counts.waiting++;
        d.counts.total++;
        d.counts.waiting++;
      }
      return;
    }
    case 'resource_start':
    case 'resource_progress': {
      const row = rowFor(d, e.address, e.action);
      if (row.status === 'waiting') move(d, row, 'running', { action: e.action, startedAt: e.type === 'resource_start' ? e.at : e.at - e.elapsedMs }, e.at);
      return;
    }
    case 'resource_done':
    case 'resource_failed': {
      const row = rowFor(d, e.address, e.action);
      move(d, row, e.type === 'resource_done' ? 'done' : 'failed', { action: e.action, elapsedMs: e.elapsedMs, statusCode: e.statusCode, message: e.message, startedAt: row.startedAt ?? e.at - e.elapsedMs }, e.at);
      return;
    }
    case 'resource_skipped': {
      const row = rowFor(d, e.address, e.action);
      move(d, row, 'skipped', { upstream: e.upstream }, e.at);
      return;
    }
    case 'resource_not_run': {
      const row = rowFor(d, e.address, e.action);
      move(d, row, 'skipped', { reason: e.reason }, e.at);
      return;
    }
    case 'interrupted':
      d.state.interrupted = e.reason;
      return;
    case 'complete':
      d.state.complete = e;
      d.state.now = Math.max(d.state.now, e.at);
      return;
  }
}

/** Apply a batch of events (one frame's worth) and move the clock to `now`. Pure: the input state is not touched. */
export function applyEvents(state: ApplyState, events: readonly ApplyEvent[], now?: number): ApplyState {
  if (events.length === 0 && (now === undefined || now === state.now)) return state;
  const d = draftOf(state);
  for (const e of events) {
    applyOne(d, e);
    d.state.now = Math.max(d.state.now, e.at);
  }
  if (now !== undefined) d.state.now = Math.max(d.state.now, now);
  // Kinds in walk order: a destroy walks the graph from its leaves.
  const direction = d.state.operation === 'destroy' ? -1 : 1;
  const groups = [...d.groups.values()].sort((a, b) => direction * (a.level - b.level));
  return { ...d.state, rows: d.rows, running: d.running, groups, counts: d.counts, log: d.log, failures: d.failures, order: d.order };
}

/** One event at a time (the reducer in its textbook form). */
export function reduce(state: ApplyState, event: ApplyEvent): ApplyState {
  return applyEvents(state, [event]);
}

const unfinished = (r: ResourceRow | undefined) => r !== undefined && (r.status === 'waiting' || r.status === 'running');

/**
 * The steps a waiting row still waits on (not yet finished). A create or update waits on what
 * it depends on; a delete runs the other way round: it waits on the deletes of what depends on it.
 */
export function waitingOn(state: ApplyState, row: ResourceRow): string[] {
  if (row.action === 'delete') {
    const out: string[] = [];
    for (const a of state.order) {
      const other = state.rows.get(a)!;
      if (other.action === 'delete' && unfinished(other) && other.dependsOn.includes(row.address)) out.push(a);
    }
    return out;
  }
  return row.dependsOn.filter((d) => unfinished(state.rows.get(d)));
}

/** Elapsed time of a row: final for finished rows, live (to `state.now`) for running ones. */
export function rowElapsed(state: ApplyState, row: ResourceRow): number | undefined {
  if (row.elapsedMs !== undefined) return row.elapsedMs;
  if (row.startedAt !== undefined) return Math.max(0, state.now - row.startedAt);
  return undefined;
}

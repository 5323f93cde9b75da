// Which lines the live part of the view shows: a pure function of the state and the room on
// screen. Finished rows are not here (they go to <Static> once); the live part lists what is
// running and waiting, grouped by kind in walk order, and never grows taller than the terminal
// (Ink redraws the whole screen, with flicker, once its output is taller than the terminal).
import type { ApplyState, LogItem, ResourceRow, StatusCounts } from './state.js';

export type LiveLine =
  | { type: 'group'; kind: string; counts: StatusCounts }
  | { type: 'row'; row: ResourceRow }
  | { type: 'more'; kind: string; running: number; waiting: number };

/** Above this many steps, finished rows are collapsed into one line per kind. */
export const DEFAULT_COLLAPSE_ABOVE = 50;

export function isCollapsed(state: ApplyState, collapseAbove = DEFAULT_COLLAPSE_ABOVE): boolean {
  return state.counts.total > collapseAbove;
}

/**
 * The finished history to print once (and let scroll away). Short runs: every finished row.
 * Long runs: failed rows, and one line per kind when the kind is finished.
 */
export function staticItems(state: ApplyState, collapsed: boolean): LogItem[] {
  if (!collapsed) return state.log.filter((i) => i.type === 'row');
  return state.log.filter((i) => i.type === 'group' || state.rows.get(i.address)?.status === 'failed');
}

interface OpenGroup {
  kind: string;
  counts: StatusCounts;
  running: ResourceRow[];
  waiting: ResourceRow[];
}

/**
 * The live lines, at most `budget` of them. Each kind with unfinished steps gets a header;
 * then its running rows, then (short runs only) its waiting rows; what does not fit is
 * counted on a "… N more" line of its kind.
 */
export function liveLines(state: ApplyState, budget: number, collapsed: boolean): LiveLine[] {
  const open: OpenGroup[] = state.groups
    .filter((g) => g.counts.waiting + g.counts.running > 0)
    .map((g) => ({ kind: g.kind, counts: g.counts, running: [], waiting: [] }));
  if (open.length === 0) return [];
  const byKind = new Map(open.map((g) => [g.kind, g]));
  for (const a of state.running) {
    const row = state.rows.get(a)!;
    byKind.get(row.kind)?.running.push(row);
  }
  if (!collapsed) {
    for (const a of state.order) {
      const row = state.rows.get(a)!;
      if (row.status === 'waiting') byKind.get(row.kind)?.waiting.push(row);
    }
  }
  const full = open.reduce((n, g) => n + 1 + g.running.length + g.waiting.length, 0);
  let room = full <= budget ? Infinity : Math.max(0, budget - 2 * open.length);
  const lines: LiveLine[] = [];
  for (const g of open.slice(0, Math.max(1, Math.floor(budget / 2)))) {
    lines.push({ type: 'group', kind: g.kind, counts: g.counts });
    const running = g.running.slice(0, room);
    room -= running.length;
    const waiting = g.waiting.slice(0, room);
    room -= waiting.length;
    for (const row of [...running, ...waiting]) lines.push({ type: 'row', row });
    const hiddenRunning = g.running.length - running.length;
    const hiddenWaiting = (collapsed ? g.counts.waiting : g.waiting.length) - waiting.length;
    if (hiddenRunning > 0 || (hiddenWaiting > 0 && !collapsed)) {
      lines.push({ type: 'more', kind: g.kind, running: hiddenRunning, waiting: hiddenWaiting });
    }
  }
  return lines;
}

// Text for the kubectl-like commands: `xp status` (kubectl get), `xp describe` (kubectl
// describe), `xp events` (kubectl events). Pure functions of rows and a clock; colour only
// through the chalk instance given (none with --no-color / NO_COLOR).
import type { ChalkInstance } from 'chalk';
import { formatAge, type Condition, type ConditionStatus, type ResourceDescription, type ResourceEvent, type ResourceStatus } from './model.js';

export interface TextOptions {
  c: ChalkInstance;
  /** The clock ages are computed against (ms since the epoch). */
  now: number;
  /** Truncate lines to this many columns (terminals); none when undefined (pipes). */
  width?: number;
}

interface Column {
  header: string;
  /** Minimum width (streams print rows before all rows are known). */
  min?: number;
  paint?: (text: string) => string;
}

/** Columns padded to their widest cell, three spaces apart, as kubectl does; the last column is not padded. */
export function table(columns: Column[], rows: string[][], o: Pick<TextOptions, 'c' | 'width'>, header = true): string {
  const widths = columns.map((col, i) => Math.max(col.min ?? 0, col.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[], paint: boolean) => {
    const text = cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i]!);
        const p = columns[i]!.paint;
        return paint && p ? p(padded) : padded;
      })
      .join('   ')
      .trimEnd();
    return truncate(text, o.width);
  };
  const out = header ? [o.c.bold(line(columns.map((c) => c.header), false))] : [];
  for (const r of rows) out.push(line(r, true));
  return out.map((l) => `${l}\n`).join('');
}

/** Cut a line to `width` visible columns (colour sequences do not count), ending with `…`. */
export function truncate(text: string, width: number | undefined): string {
  if (width === undefined) return text;
  // eslint-disable-next-line no-control-regex
  const visible = text.replace(/\u001b\[[0-9;]*m/g, '');
  if (visible.length <= width) return text;
  let out = '';
  let seen = 0;
  // eslint-disable-next-line no-control-regex
  for (const part of text.split(/(\u001b\[[0-9;]*m)/)) {
    if (part.startsWith('\u001b[')) {
      out += part;
      continue;
    }
    const room = width - 1 - seen;
    if (room <= 0) continue;
    out += part.slice(0, room);
    seen += Math.min(part.length, room);
  }
  return `${out}…${text.includes('\u001b[') ? '\u001b[0m' : ''}`;
}

export function paintCondition(c: ChalkInstance, status: string): string {
  const s = status.trim() as ConditionStatus;
  return s === 'True' ? c.green(status) : s === 'False' ? c.red(status) : c.yellow(status);
}

/** REASON column: the reason, and the message when something is not True. */
function reasonText(r: ResourceStatus): string {
  if (r.deleting) return `Deleting${r.message ? `: ${oneLine(r.message)}` : ''}`;
  const healthy = r.synced === 'True' && r.ready === 'True';
  return healthy || !r.message ? r.reason : `${r.reason}: ${oneLine(r.message)}`;
}

function oneLine(s: string): string {
  return s.trim().replace(/\s*\n\s*/g, ' ');
}

/** `xp status`: one line per resource, kubectl get style. */
export function statusTable(rows: ResourceStatus[], o: TextOptions): string {
  if (rows.length === 0) return '';
  const showStack = new Set(rows.map((r) => r.stack)).size > 1;
  const columns: Column[] = [
    ...(showStack ? [{ header: 'STACK' }] : []),
    { header: 'NAME' },
    { header: 'KIND' },
    { header: 'DATABASE' },
    // As wide as "Unknown" always, so that lines printed while watching line up with the table.
    { header: 'SYNCED', min: 7, paint: (t) => paintCondition(o.c, t) },
    { header: 'READY', min: 7, paint: (t) => paintCondition(o.c, t) },
    { header: 'AGE' },
    { header: 'REASON' },
  ];
  return table(
    columns,
    rows.map((r) => [
      ...(showStack ? [r.stack] : []),
      r.address,
      r.kind,
      r.database || '-',
      r.synced,
      r.ready,
      formatAge(o.now - Date.parse(r.createdAt)),
      reasonText(r),
    ]),
    o,
  );
}

/** Columns of the event stream; fixed minimum widths so that followed events line up. */
const eventColumns = (c: ChalkInstance): Column[] => [
  { header: 'AGE', min: 4 },
  { header: 'TYPE', min: 7, paint: (t) => (t.trim() === 'Warning' ? c.yellow(t) : t) },
  { header: 'REASON', min: 16 },
  { header: 'OBJECT', min: 24 },
  { header: 'MESSAGE' },
];

function eventCells(e: ResourceEvent, now: number): string[] {
  return [formatAge(now - Date.parse(e.createdAt)), e.type, e.reason, e.address, oneLine(e.message)];
}

/** `xp events`: the event stream, oldest first. `header` false for rows appended while following. */
export function eventsTable(events: ResourceEvent[], o: TextOptions, header = true): string {
  if (events.length === 0) return '';
  return table(eventColumns(o.c), events.map((e) => eventCells(e, o.now)), o, header);
}

const SENSITIVE_KEY = /password|verifier|secret/i;

/** A JSON value as indented YAML-like lines (what kubectl describe shows for a spec). */
export function yamlish(value: unknown, indent = 2): string[] {
  const pad = ' '.repeat(indent);
  const scalar = (v: unknown): string =>
    v === null || v === undefined ? '<none>' : typeof v === 'string' ? (v === '' ? '""' : v) : JSON.stringify(v);
  const isScalarList = (v: unknown[]) => v.every((x) => x === null || typeof x !== 'object');
  if (value === null || typeof value !== 'object') return [`${pad}${scalar(value)}`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    if (isScalarList(value)) return [`${pad}[${value.map(scalar).join(', ')}]`];
    const out: string[] = [];
    for (const item of value) {
      const lines = yamlish(item, indent + 2);
      out.push(`${pad}- ${lines[0]!.trimStart()}`, ...lines.slice(1));
    }
    return out;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return [`${pad}{}`];
  const out: string[] = [];
  for (const [k, v] of entries) {
    if (SENSITIVE_KEY.test(k)) out.push(`${pad}${k}: (sensitive)`);
    else if (v !== null && typeof v === 'object' && !(Array.isArray(v) && (v.length === 0 || isScalarList(v))) && Object.keys(v).length > 0)
      out.push(`${pad}${k}:`, ...yamlish(v, indent + 2));
    else out.push(`${pad}${k}: ${yamlish(v, 0)[0]}`);
  }
  return out;
}

function when(iso: string | null, now: number): string {
  if (!iso) return '<none>';
  const t = Date.parse(iso);
  const rel = t > now ? `in ${formatAge(t - now)}` : `${formatAge(now - t)} ago`;
  return `${new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')} (${rel})`;
}

/** `xp describe ADDR`: kubectl describe of one resource. */
export function describeText(d: ResourceDescription, o: TextOptions): string {
  const r = d.resource;
  const c = o.c;
  const field = (label: string, value: string) => `${c.bold(`${label}:`.padEnd(20))}${value}`;
  const lines: string[] = [
    field('Name', r.address),
    field('Kind', r.kind),
    field('PostgreSQL name', r.name),
    ...(r.database ? [field('Database', r.database)] : []),
    field('Stack', r.stack),
    field('Provider config', r.providerConfig),
    field('Deletion policy', r.deletionPolicy),
    ...(r.finalizers.length > 0 ? [field('Finalizers', r.finalizers.join(', '))] : []),
    field('Generation', `${r.generation} (observed ${r.observedGeneration})`),
    field('Created', when(r.createdAt, o.now)),
    field('Last reconciled', when(r.lastReconciledAt, o.now)),
    field('Next reconcile', when(r.nextReconcileAt, o.now)),
    ...(r.failureCount > 0 ? [field('Failures', `${r.failureCount}${r.lastFailureClass ? ` (${r.lastFailureClass})` : ''}`)] : []),
    ...(r.deleting ? [field('Deleting', 'requested, not finished')] : []),
    c.bold('Spec:'),
    ...yamlish(r.spec),
    c.bold('Observed:'),
    ...(r.observed === null || r.observed === undefined ? ['  <none>'] : yamlish(r.observed)),
  ];
  if (r.lastAction || r.statusCode) {
    const op = r.lastOperation ? `, ${r.lastOperation}` : '';
    const msg = r.lastOperationMessage ? ` — ${oneLine(r.lastOperationMessage)}` : '';
    lines.push(field('Last action', `${r.lastAction ?? 'reconcile'}: ${r.statusCode ?? 'unknown'}${op}${msg}`));
  }
  lines.push(c.bold('Conditions:'));
  if (d.conditions.length === 0) lines.push('  <none>');
  else lines.push(...indent(conditionsTable(d.conditions, o)));
  lines.push(c.bold('Events:'));
  if (d.events.length === 0) lines.push('  <none>');
  else lines.push(...indent(eventsTable(d.events, { ...o, width: o.width === undefined ? undefined : o.width - 2 })));
  return lines.map((l) => `${truncate(l, o.width)}\n`).join('');
}

function indent(text: string): string[] {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`);
}

function conditionsTable(conditions: Condition[], o: TextOptions): string {
  return table(
    [{ header: 'TYPE' }, { header: 'STATUS', paint: (t) => paintCondition(o.c, t) }, { header: 'REASON' }, { header: 'LAST TRANSITION' }, { header: 'MESSAGE' }],
    conditions.map((k) => [k.type, k.status, k.reason, `${formatAge(o.now - Date.parse(k.lastTransition))} ago`, oneLine(k.message)]),
    { ...o, width: o.width === undefined ? undefined : o.width - 2 },
  );
}

// The plan as people read it, Terraform style: `+` create, `~` update in place with
// attribute-level `old → new`, `-` destroy, `-/+` replace; unchanged attributes collapsed;
// a key listing only the actions present; the summary line. Colour is an option (the CLI
// decides it from --no-color / NO_COLOR / the TTY); this module never looks at the process.
import { Chalk, type ChalkInstance } from 'chalk';
import { describeDataLoss } from '../plan/data-loss.js';
import { grantKey } from '../plan/diff.js';
import { ACTION_SYMBOL, type AttributeChange, type ElementChange, type Json, type Plan, type PlanAction, type PlanError, type ResourcePlan } from '../plan/types.js';
import { resourcePart } from '../model/address.js';

export interface PlanTextOptions {
  color: boolean;
  /** Print the refusals after the plan (default true). */
  errors?: boolean;
}

interface Style {
  create: (s: string) => string;
  update: (s: string) => string;
  delete: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
  warning: (s: string) => string;
  error: (s: string) => string;
}

function style(color: boolean): Style {
  const c: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  return {
    create: c.green,
    update: c.yellow,
    delete: c.red,
    dim: c.dim,
    bold: c.bold,
    warning: c.bold.yellow,
    error: c.bold.red,
  };
}

type Sym = '+' | '~' | '-' | ' ';

function paint(s: Style, sym: Sym | '-/+', text: string = sym): string {
  switch (sym) {
    case '+':
      return s.create(text);
    case '~':
      return s.update(text);
    case '-':
      return s.delete(text);
    case '-/+':
      return `${s.delete('-')}/${s.create('+')}`;
    default:
      return text;
  }
}

// ---------------------------------------------------------------------------------------
// Values, HCL-like.

const SIMPLE_WORD = /^[A-Z][A-Z_ ]*$/;

function scalar(v: Json, bare = false): string {
  if (typeof v === 'string') return bare && SIMPLE_WORD.test(v) ? v : JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map((x) => scalar(x, bare)).join(', ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return keys.length === 0 ? '{}' : `{ ${keys.map((k) => `${k} = ${scalar(v[k]!, bare)}`).join(', ')} }`;
  }
  return String(v);
}

/** Privilege keywords are shown bare (`SELECT`), names quoted (`"app"`). */
const bareFor = (path: string) => path === 'privileges';

function masked(c: AttributeChange, side: 'before' | 'after'): string | undefined {
  // A value not known yet reveals nothing, even a sensitive one (a password generated at apply).
  if (side === 'after' && c.unknown) return '(known after apply)';
  if (c.sensitive) return '(sensitive)';
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Lines.

class Lines {
  readonly out: string[] = [];
  constructor(readonly s: Style) {}
  push(line: string): void {
    this.out.push(line);
  }
  /** `indent` spaces, the coloured symbol, a space, the text. */
  attr(indent: number, sym: Sym, text: string, suffix = ''): void {
    this.out.push(`${' '.repeat(indent)}${paint(this.s, sym)} ${text}${suffix}`);
  }
  comment(indent: number, text: string): void {
    this.out.push(`${' '.repeat(indent)}${this.s.dim(text)}`);
  }
}

function elementHeader(e: ElementChange): string {
  return e.key;
}

/** A multi-line value (a list of objects, a non-empty object) shown entirely with one symbol. */
function isBlockValue(v: Json | undefined): boolean {
  if (Array.isArray(v)) return v.some((x) => x !== null && typeof x === 'object');
  return v !== null && typeof v === 'object' && v !== undefined && Object.keys(v).length > 0;
}

function keyWidth(keys: string[]): number {
  return Math.max(0, ...keys.map((k) => k.length));
}

/** Every field of a value with one symbol (create / delete of an attribute or element). */
function wholeValue(l: Lines, indent: number, sym: Sym, key: string, width: number, v: Json): void {
  const name = key.padEnd(width);
  if (!isBlockValue(v)) {
    l.attr(indent, sym, `${name} = ${scalar(v, bareFor(key))}`);
    return;
  }
  if (Array.isArray(v)) {
    l.attr(indent, sym, `${name} = [`);
    for (const el of v) {
      if (el !== null && typeof el === 'object' && !Array.isArray(el)) objectBlock(l, indent + 4, sym, grantLikeKey(el), el);
      else l.attr(indent + 4, sym, `${scalar(el)},`);
    }
    l.push(`${' '.repeat(indent + 2)}]`);
    return;
  }
  const obj = v as { [k: string]: Json };
  l.attr(indent, sym, `${name} = {`);
  const keys = Object.keys(obj).sort();
  const w = keyWidth(keys);
  for (const k of keys) wholeValue(l, indent + 4, sym, k, w, obj[k]!);
  l.push(`${' '.repeat(indent + 2)}}`);
}

/** An element of a keyed list, as a block `key { … }` of its non-identity fields. */
function objectBlock(l: Lines, indent: number, sym: Sym, header: string, obj: { [k: string]: Json }, skip: readonly string[] = IDENTITY): void {
  l.attr(indent, sym, `${header} {`);
  const keys = Object.keys(obj)
    .filter((k) => !skip.includes(k))
    .sort();
  const w = keyWidth(keys);
  for (const k of keys) wholeValue(l, indent + 4, sym, k, w, obj[k]!);
  l.push(`${' '.repeat(indent + 2)}}`);
}

const IDENTITY = ['database', 'schema', 'on'];

/** The same key the planner gives a grant (database.schema (on)). */
function grantLikeKey(g: { [k: string]: Json }): string {
  return 'on' in g || 'privileges' in g ? grantKey(g) : '';
}

function changeLine(l: Lines, indent: number, c: AttributeChange, width: number, action: PlanAction): void {
  const s = l.s;
  const name = c.path.padEnd(width);
  const forces = c.forcesReplacement ? ` ${s.delete('# forces replacement')}` : '';
  const hasBefore = c.before !== undefined || (c.sensitive && action !== 'create');
  const hasAfter = c.after !== undefined || c.unknown || (c.sensitive && action !== 'delete');

  // Created or deleted attribute (whole value).
  if (!hasBefore || action === 'create') {
    const m = masked(c, 'after');
    if (m !== undefined || !isBlockValue(c.after)) l.attr(indent, '+', `${name} = ${m ?? scalar(c.after ?? null, bareFor(c.path))}`, forces);
    else wholeValue(l, indent, '+', c.path, width, c.after!);
    return;
  }
  if (!hasAfter || action === 'delete') {
    const m = masked(c, 'before');
    if (m !== undefined || !isBlockValue(c.before)) l.attr(indent, '-', `${name} = ${m ?? scalar(c.before ?? null, bareFor(c.path))}`, forces);
    else wholeValue(l, indent, '-', c.path, width, c.before!);
    return;
  }

  if (c.sensitive) {
    l.attr(indent, '~', `${name} = (sensitive)${c.unknown ? ' → (known after apply)' : ''}`, forces);
    return;
  }
  if (c.unknown) {
    l.attr(indent, '~', `${name} = ${scalar(c.before ?? null, bareFor(c.path))} → (known after apply)`, forces);
    return;
  }
  if (c.set) {
    const bare = bareFor(c.path);
    l.attr(indent, '~', `${name} = [`, forces);
    for (const x of c.set.added) l.attr(indent + 4, '+', `${scalar(x, bare)},`);
    for (const x of c.set.removed) l.attr(indent + 4, '-', `${scalar(x, bare)},`);
    const kept = Array.isArray(c.after) ? c.after.length - c.set.added.length : 0;
    if (kept > 0) l.comment(indent + 6, `# (${kept} unchanged element${kept === 1 ? '' : 's'} hidden)`);
    l.push(`${' '.repeat(indent + 2)}]`);
    return;
  }
  if (c.elements) {
    const isList = Array.isArray(c.after);
    l.attr(indent, '~', `${name} = ${isList ? '[' : '{'}`, forces);
    const keyed = isList ? [] : c.elements;
    const w = keyWidth(keyed.map((e) => e.key));
    for (const e of c.elements) elementLines(l, indent + 4, e, isList, w);
    const total = isList ? (c.after as Json[]).length : Object.keys(c.after as object).length;
    const kept = total - c.elements.filter((e) => e.action !== 'delete').length;
    if (kept > 0) l.comment(indent + 6, `# (${kept} unchanged element${kept === 1 ? '' : 's'} hidden)`);
    l.push(`${' '.repeat(indent + 2)}${isList ? ']' : '}'}`);
    return;
  }
  const renamed = c.renamed ? ` ${s.dim('(renamed in place)')}` : '';
  l.attr(indent, '~', `${name} = ${scalar(c.before!, bareFor(c.path))} → ${scalar(c.after!, bareFor(c.path))}`, forces || renamed);
}

function elementLines(l: Lines, indent: number, e: ElementChange, isList: boolean, width: number): void {
  const sym: Sym = e.action === 'create' ? '+' : e.action === 'delete' ? '-' : '~';
  if (!isList) {
    // A map entry: `key = value`.
    const name = e.key.padEnd(width);
    if (e.action === 'update') l.attr(indent, '~', `${name} = ${scalar(e.before ?? null)} → ${scalar(e.after ?? null)}`);
    else l.attr(indent, sym, `${name} = ${scalar((e.action === 'create' ? e.after : e.before) ?? null)}`);
    return;
  }
  if (e.action !== 'update') {
    const v = (e.action === 'create' ? e.after : e.before) ?? null;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) objectBlock(l, indent, sym, elementHeader(e), v);
    else l.attr(indent, sym, `${scalar(v)},`);
    return;
  }
  l.attr(indent, '~', `${elementHeader(e)} {`);
  const changes = e.changes ?? [];
  const w = keyWidth(changes.map((c) => c.path));
  for (const c of changes) changeLine(l, indent + 4, c, w, 'update');
  l.push(`${' '.repeat(indent + 2)}}`);
}

// ---------------------------------------------------------------------------------------
// Resources.

const HEADLINE: Record<PlanAction, string> = {
  create: 'will be created',
  update: 'will be updated in-place',
  replace: 'must be replaced',
  delete: 'will be destroyed',
  'no-op': 'is unchanged',
  import: 'will be imported',
};

function headline(r: ResourcePlan): string {
  if (r.action === 'delete' && r.orphan) return 'will be forgotten (deletion_policy = "orphan": left on the server)';
  // Terraform's words for a move that changes nothing else
  if (r.movedFrom !== undefined && r.changes.length === 0 && r.action === 'update') return `has moved to ${r.address}`;
  return HEADLINE[r.action];
}

/** `schema.tenant["acme"]` → `schema "tenant"` (in a module too: `module.t["a"].schema.tenant`). */
function blockHeader(r: ResourcePlan): string {
  const own = resourcePart(r.address);
  const rest = own.startsWith(`${r.type}.`) ? own.slice(r.type.length + 1) : own;
  const label = rest.replace(/\[.*$/, '');
  return `${r.type} ${JSON.stringify(label)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function resourceLines(l: Lines, r: ResourcePlan): void {
  const s = l.s;
  const moveOnly = r.movedFrom !== undefined && r.changes.length === 0 && r.action === 'update';
  l.push(s.bold(`  # ${moveOnly ? r.movedFrom : r.address} ${headline(r)}`));
  if (r.movedFrom !== undefined && !moveOnly) l.comment(2, `# (moved from ${r.movedFrom})`);
  // An orphan's headline already says it is forgotten; its reason says why it goes.
  const reason = r.orphan ? r.reason?.split(';')[0] : r.reason;
  if (reason) l.comment(2, `# (${reason})`);
  if (r.dataLoss) {
    const d = r.dataLoss;
    const allowed = d.allowed ? ' — allowed by --allow-data-loss' : ' — refused without --allow-data-loss';
    l.push(s.error(`  # WARNING: DATA LOSS: this drops ${describeDataLoss(d)}${allowed}`));
  }
  const symbol = r.action === 'delete' && r.orphan ? '-' : ACTION_SYMBOL[r.action];
  l.push(`${' '.repeat(3 - symbol.length)}${paint(s, symbol as Sym | '-/+', symbol)} ${blockHeader(r)} {`);
  // An import changes nothing: its object is named by its id, as Terraform shows it.
  if (r.action === 'import') l.attr(6, ' ', `id = ${scalar(r.importId ?? r.name)}`);
  const w = keyWidth(r.changes.map((c) => c.path));
  for (const c of r.changes) changeLine(l, 6, c, w, r.action);
  if (r.unchanged > 0 && (r.action === 'update' || r.action === 'replace')) {
    l.comment(8, `# (${plural(r.unchanged, 'unchanged attribute')} hidden)`);
  }
  l.push('    }');
}

const KEY_TEXT: Record<Exclude<PlanAction, 'no-op' | 'import'>, string> = {
  create: 'create',
  update: 'update in-place',
  replace: 'destroy and then create replacement',
  delete: 'destroy',
};

export function summaryLine(plan: Plan): string {
  const { add, change, destroy, forget } = plan.summary;
  const forgotten = forget > 0 ? `, ${forget} to forget` : '';
  const imported = plan.summary.import ? `${plan.summary.import} to import, ` : '';
  return `Plan: ${imported}${add} to add, ${change} to change, ${destroy} to destroy${forgotten}.`;
}

/** The refusals, each in a Terraform-style box. */
export function renderPlanErrors(errors: readonly PlanError[], options: { color: boolean }): string {
  const s = style(options.color);
  const out: string[] = [];
  for (const e of errors) {
    out.push(s.error('╷'), `${s.error('│')} ${s.error('Error:')} ${s.bold(e.message)}`);
    if (e.hint) out.push(s.error('│'), `${s.error('│')} ${e.hint}`);
    out.push(s.error('╵'));
  }
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

export function renderPlanText(plan: Plan, options: PlanTextOptions): string {
  const s = style(options.color);
  const l = new Lines(s);
  const changed = plan.resources.filter((r) => r.action !== 'no-op');

  if (plan.options.targets.length > 0) {
    l.push(s.warning('Warning: resource targeting is in effect'));
    l.push(`Only ${plan.options.targets.join(', ')} and what ${plan.operation === 'destroy' ? 'depends on them' : 'they depend on'} were planned;`);
    l.push('the plan may be incomplete. Use --target for exceptional situations only.');
    l.push('');
  }

  if (plan.stackMode) {
    const { before, after } = plan.stackMode;
    l.push(`${paint(s, '~', '~')} stack "${plan.stack}": mode ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
    l.push(s.dim(after === 'observe' ? '    (the reconcile loop will only report drift, not correct it)' : '    (the reconcile loop will correct drift)'));
    l.push('');
  }

  if (changed.length === 0 && plan.stackMode) {
    l.push(`${s.bold('Plan:')} 0 to add, 0 to change, 0 to destroy; the stack's mode changes.`);
  } else if (changed.length === 0) {
    if (plan.operation === 'destroy') l.push(`${s.bold('No changes.')} No objects need to be destroyed.`);
    else {
      l.push(`${s.bold('No changes.')} Your infrastructure matches the configuration.`);
      l.push('');
      l.push('xp compared the server against your configuration and found no differences, so no changes are needed.');
    }
  } else {
    const present = new Set(changed.map((r) => r.action));
    // an import has no symbol (as in Terraform): a plan of imports only has no legend
    if ([...present].some((a) => a !== 'import')) l.push('Resource actions are indicated with the following symbols:');
    for (const a of ['create', 'update', 'replace', 'delete'] as const) {
      if (!present.has(a)) continue;
      const sym = ACTION_SYMBOL[a];
      l.push(`${' '.repeat(Math.max(0, 3 - sym.length)) + paint(s, sym as Sym | '-/+', sym)} ${KEY_TEXT[a]}`);
    }
    if (changed.some((r) => r.orphan)) l.push(s.dim('    (an orphaned resource is only forgotten: it stays on the server)'));
    if ([...present].some((a) => a !== 'import')) l.push('');
    l.push('xp will perform the following actions:');
    for (const r of changed) {
      l.push('');
      resourceLines(l, r);
    }
    l.push('');
    l.push(`${s.bold(summaryLine(plan).slice(0, 5))}${summaryLine(plan).slice(5)}`);
    const losing = changed.filter((r) => r.dataLoss);
    if (losing.length > 0) {
      l.push('');
      l.push(s.error(`WARNING: this plan destroys data in ${losing.map((r) => r.address).join(', ')}.`));
    }
  }
  for (const note of plan.notes ?? []) {
    l.push('');
    l.push(`${s.warning('Note:')} ${note}`);
  }
  let text = l.out.join('\n') + '\n';
  if ((options.errors ?? true) && plan.errors.length > 0) text += '\n' + renderPlanErrors(plan.errors, options);
  return text;
}

// Attribute-level differences between a normalised desired spec and an observed one.
// Pure: both sides come from the SQL provider in the same shape (normalize_spec / observe).
// How each key is compared (shape, observed, immutable, …) is the kinds registry's
// (src/kinds, specKeyRules): the planner keeps no table of its own.
import type { KindName, Lifecycle, Value } from '../model/types.js';
import { kinds, specKeyRules, type SpecKeyRule } from '../kinds/index.js';
import { canonicalJson, jsonEqual } from './canonical.js';
import { maskOf, PASSWORD_KEY, type Mask } from './desired.js';
import type { AttributeChange, ElementChange, Json, JsonObject, ManagedRecord } from './types.js';

export interface AttributeDiff {
  changes: AttributeChange[];
  /** Attributes compared and found equal (or ignored). */
  unchanged: number;
}

/** Each kind's spec keys in declaration order (orderedKeys runs per resource). */
const KEY_LISTS = new Map(kinds.map((k) => [k.kind, [...specKeyRules(k.kind).keys()]] as const));

/** A key the registry does not know (a newer provider): compared when both sides have it, as a whole value. */
const UNKNOWN_KEY: SpecKeyRule = { shape: 'value', observed: true, immutable: false, nullMeansAny: false, sensitive: false, deleteOnly: false };

function ruleOf(kind: KindName, key: string): SpecKeyRule {
  return specKeyRules(kind).get(key) ?? UNKNOWN_KEY;
}

/** Keys in the order the kind declares them, then any others alphabetically. */
export function orderedKeys(kind: KindName, keys: Iterable<string>): string[] {
  const known = specKeyRules(kind);
  const all = new Set(keys);
  const others: string[] = [];
  for (const k of all) if (!known.has(k)) others.push(k);
  return [...KEY_LISTS.get(kind)!.filter((k) => all.has(k)), ...others.sort()];
}

function masked(change: AttributeChange, mask: Mask): AttributeChange {
  if (mask === 'sensitive') {
    const { path, forcesReplacement } = change;
    return { path, sensitive: true, ...(forcesReplacement ? { forcesReplacement } : {}) };
  }
  if (mask === 'unknown') {
    const { path, before, forcesReplacement } = change;
    return { path, ...(before !== undefined ? { before } : {}), unknown: true, ...(forcesReplacement ? { forcesReplacement } : {}) };
  }
  return change;
}

function setDiff(before: Json[], after: Json[]): { added: Json[]; removed: Json[] } {
  const b = new Set(before.map(canonicalJson));
  const a = new Set(after.map(canonicalJson));
  return {
    added: after.filter((x) => !b.has(canonicalJson(x))),
    removed: before.filter((x) => !a.has(canonicalJson(x))),
  };
}

const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStringList = (v: Json | undefined): v is Json[] => Array.isArray(v);

const GRANT_IDENTITY = ['database', 'schema', 'on', 'objects', 'columns'] as const;

/** A grant's identity as the plan shows it: `database.schema (on)`, or `database (on)`. */
export function grantKey(g: JsonObject): string {
  const text = (v: Json | undefined, otherwise: string) => (v === undefined || v === null ? otherwise : typeof v === 'string' ? v : JSON.stringify(v));
  const db = text(g['database'], '');
  const on = text(g['on'], 'tables');
  if (on === 'database' || g['schema'] === null || g['schema'] === undefined) return `${db} (${on})`;
  // An object-level grant (normalised: one object, one column at most): `db.schema (tables: orders.id)`.
  const objects = Array.isArray(g['objects']) ? g['objects'].map((o) => text(o, '')) : [];
  const columns = Array.isArray(g['columns']) ? g['columns'].map((c) => text(c, '')) : [];
  const what = objects.length === 0 ? '' : `: ${objects.join(', ')}${columns.length === 0 ? '' : `.${columns.join(', ')}`}`;
  return `${db}.${text(g['schema'], '')} (${on}${what})`;
}

function grantIdentity(g: JsonObject): JsonObject {
  const out: JsonObject = {};
  // objects and columns only where a grant has them (object-level grants)
  for (const k of GRANT_IDENTITY) if (g[k] !== undefined || (k !== 'objects' && k !== 'columns')) out[k] = g[k] ?? null;
  return out;
}

/** Element changes of a keyed list; elements that are not objects fall back to whole values. */
function grantsDiff(before: Json[], after: Json[]): ElementChange[] {
  const b = new Map<string, JsonObject>();
  const a = new Map<string, JsonObject>();
  for (const g of before) if (isObject(g)) b.set(grantKey(g), g);
  for (const g of after) if (isObject(g)) a.set(grantKey(g), g);
  const keys = [...new Set([...b.keys(), ...a.keys()])].sort();
  const out: ElementChange[] = [];
  for (const key of keys) {
    const x = b.get(key);
    const y = a.get(key);
    if (x && !y) out.push({ key, identity: grantIdentity(x), action: 'delete', before: x });
    else if (!x && y) out.push({ key, identity: grantIdentity(y), action: 'create', after: y });
    else if (x && y && !jsonEqual(x, y)) {
      const fields = [...new Set([...Object.keys(x), ...Object.keys(y)])]
        .filter((f) => !(GRANT_IDENTITY as readonly string[]).includes(f))
        .sort();
      const changes: AttributeChange[] = [];
      for (const f of fields) {
        if (jsonEqual(x[f], y[f])) continue;
        const bx = x[f];
        const ay = y[f];
        if (isStringList(bx) && isStringList(ay)) changes.push({ path: f, before: bx, after: ay, set: setDiff(bx, ay) });
        else changes.push({ path: f, ...(bx !== undefined ? { before: bx } : {}), ...(ay !== undefined ? { after: ay } : {}) });
      }
      out.push({ key, identity: grantIdentity(y), action: 'update', before: x, after: y, changes });
    }
  }
  return out;
}

function mapDiff(before: JsonObject, after: JsonObject): ElementChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: ElementChange[] = [];
  for (const key of keys) {
    const x = before[key];
    const y = after[key];
    if (jsonEqual(x, y)) continue;
    const identity = { key };
    if (x === undefined) out.push({ key, identity, action: 'create', after: y! });
    else if (y === undefined) out.push({ key, identity, action: 'delete', before: x });
    else out.push({ key, identity, action: 'update', before: x, after: y });
  }
  return out;
}

/** The change of one attribute from `before` to `after` (both present and different). */
export function valueChange(path: string, rule: SpecKeyRule, before: Json, after: Json): AttributeChange {
  const change: AttributeChange = { path, before, after };
  if (rule.shape === 'set' && isStringList(before) && isStringList(after)) change.set = setDiff(before, after);
  else if (rule.shape === 'grants' && isStringList(before) && isStringList(after)) change.elements = grantsDiff(before, after);
  else if (rule.shape === 'map' && isObject(before) && isObject(after)) change.elements = mapDiff(before, after);
  if (rule.immutable) change.forcesReplacement = true;
  return change;
}

/**
 * Desired (normalised) against observed, key by key. Only keys the kind observes and the
 * observed state has are compared; `ignore` lists attributes whose drift is ignored.
 */
export function diffAttributes(
  kind: KindName,
  normalized: JsonObject,
  observed: JsonObject,
  raw: { [key: string]: Value },
  ignore: readonly string[] = [],
): AttributeDiff {
  const changes: AttributeChange[] = [];
  let unchanged = 0;
  for (const key of orderedKeys(kind, Object.keys(normalized))) {
    const rule = ruleOf(kind, key);
    if (!rule.observed || !(key in observed)) continue;
    const after = normalized[key]!;
    const before = observed[key]!;
    const mask = maskOf(raw[key]);
    if (ignore.includes(key) || (rule.nullMeansAny && after === null)) {
      unchanged++;
      continue;
    }
    if (mask === 'unknown') {
      changes.push(masked({ path: key, before, ...(rule.immutable ? { forcesReplacement: true } : {}) }, mask));
      continue;
    }
    if (jsonEqual(before, after)) {
      unchanged++;
      continue;
    }
    changes.push(masked(valueChange(key, rule, before, after), mask ?? (rule.sensitive ? 'sensitive' : undefined)));
  }
  return { changes, unchanged };
}

const isEmpty = (v: Json): boolean =>
  v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

/** Every attribute of a resource being created (null, empty and delete-only keys left out). */
export function createChanges(kind: KindName, normalized: JsonObject, raw: { [key: string]: Value }): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const key of orderedKeys(kind, Object.keys(normalized))) {
    const after = normalized[key]!;
    const rule = ruleOf(kind, key);
    if (isEmpty(after) || rule.deleteOnly || key === PASSWORD_KEY) continue;
    changes.push(masked({ path: key, after }, maskOf(raw[key]) ?? (rule.sensitive ? 'sensitive' : undefined)));
  }
  for (const [key, v] of Object.entries(raw)) {
    // Values only known after apply never reach normalize_spec: show them as unknown.
    if (!(key in normalized) && key !== PASSWORD_KEY && maskOf(v) === 'unknown') changes.push({ path: key, unknown: true });
  }
  return changes;
}

/** Every attribute of a resource being deleted, as it was (null and empty left out). */
export function deleteChanges(kind: KindName, before: JsonObject): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const key of orderedKeys(kind, Object.keys(before))) {
    const value = before[key]!;
    if (isEmpty(value) || ruleOf(kind, key).deleteOnly || key === PASSWORD_KEY) continue;
    changes.push({ path: key, before: value });
  }
  return changes;
}

/** The lifecycle as xp records it (xplane.managed_resources): ignore_changes sorted, without repeats. */
export function recordedLifecycle(l: Pick<Lifecycle, 'deletion_policy' | 'prevent_destroy' | 'ignore_changes'>): Lifecycle {
  return { deletion_policy: l.deletion_policy, prevent_destroy: l.prevent_destroy, ignore_changes: [...new Set(l.ignore_changes)].sort() };
}

/**
 * The lifecycle settings that differ between the configuration and the stack's record, as
 * changes of `lifecycle.deletion_policy`, `lifecycle.prevent_destroy` and
 * `lifecycle.ignore_changes`: nothing changes on the server, but apply must record them (the
 * record decides what a delete does once the resource is no longer declared).
 */
export function lifecycleChanges(declared: Lifecycle, managed: ManagedRecord): AttributeChange[] {
  const want = recordedLifecycle(declared);
  const have = recordedLifecycle({
    deletion_policy: managed.deletion_policy,
    prevent_destroy: managed.prevent_destroy ?? false,
    ignore_changes: managed.ignore_changes ?? [],
  });
  const changes: AttributeChange[] = [];
  if (want.deletion_policy !== have.deletion_policy)
    changes.push({ path: 'lifecycle.deletion_policy', before: have.deletion_policy, after: want.deletion_policy });
  if (want.prevent_destroy !== have.prevent_destroy)
    changes.push({ path: 'lifecycle.prevent_destroy', before: have.prevent_destroy, after: want.prevent_destroy });
  if (!jsonEqual(want.ignore_changes, have.ignore_changes))
    changes.push({ path: 'lifecycle.ignore_changes', before: have.ignore_changes, after: want.ignore_changes, set: setDiff(have.ignore_changes, want.ignore_changes) });
  return changes;
}

// Which record a declared resource continues when its identity or address changed: the one
// place that decides a rename in place or a move, for the reads (what to observe, whose
// password to check) and for the plan (src/plan/plan.ts). Pure.
//
// xp identifies an object by (provider, kind, database, name). A declared resource continues
//   - the record of its own identity (nothing changed), else
//   - the record of its identity in the database it is renamed from (a schema or extension in a
//     database this plan renames: the database's rename carries it), else
//   - the record, of the same provider and kind (and database), that no declaration claims by
//     identity and that was last applied at this resource's address — after `moved` blocks: a
//     role, service account, schema or database whose `name` changed. Renamed in place.
// Its `movedFrom` is the address a `moved` block moves the record from. Records of xp before
// 0.7.0 have no address: they are taken to be at `type.name`.
import type { KindName, MovedBlock, ResourceInstance } from '../model/types.js';
import { addressType, endsWithKey } from '../model/address.js';
import { namingAttributes, type NamedNamespace, type NamingAttributes } from '../kinds/index.js';
import { identityDatabase, instanceKey, managedAddress, managedKey, resourceKey, TYPE_OF_KIND } from './identity.js';
import type { Json, JsonObject, ManagedRecord, ObservedItem, PlanError, ResourceKey, ResourcePlan } from './types.js';

/** The kinds PostgreSQL renames in place (an extension's name is fixed). */
export const RENAMABLE: ReadonlySet<KindName> = new Set(['Role', 'ServiceAccount', 'Schema', 'Database']);

/**
 * Where `moved` blocks send an address: an exact match; when neither side has a key, a whole
 * resource's or module's instances (`role.a["k"]` → `role.b["k"]`); and everything inside a
 * module (instance) (`module.a["k"].role.x` → `module.b["k"].role.x`). Undefined when none applies.
 */
export function movedAddress(address: string, moved: readonly MovedBlock[]): string | undefined {
  for (const m of moved) {
    if (address === m.from) return m.to;
    const next = address[m.from.length];
    if (!address.startsWith(m.from) || (next !== '[' && next !== '.')) continue;
    if (next === '.' && addressType(m.from) === 'module') return m.to + address.slice(m.from.length);
    if (next === '[' && !endsWithKey(m.from) && !endsWithKey(m.to)) return m.to + address.slice(m.from.length);
  }
  return undefined;
}

/** What a declared resource continues, when anything differs from its own identity and address. */
export interface Predecessor {
  /** The record it continues (absent: none, but it lives in a renamed database). */
  record?: ManagedRecord;
  /** Its identity on the server now: where to observe it. */
  key: ResourceKey;
  /** Its name and database on the server now. */
  name: string;
  database: string;
  /** The name it is renamed from in place. */
  renamedFrom?: string;
  /** The database it lives in now, renamed by this plan. */
  databaseFrom?: string;
  /** The address its record was applied under. */
  movedFrom?: string;
}

export interface Continuity {
  /** By declared resource's key: only those whose identity or address changes. */
  byDeclared: Map<ResourceKey, Predecessor>;
  /** The keys of the records a declared resource continues (never deleted). */
  continued: Set<ResourceKey>;
}

const slot = (provider: string, kind: KindName, database: string, address: string) => JSON.stringify([provider, kind, database, address]);

/**
 * The address a record is now at: as applied (or `type.name`), then through the `moved` blocks;
 * `before`, the address a moved block moves it from. (A new label without a moved block, for the
 * same PostgreSQL name, is the same object: no move is shown, and apply records the address.)
 */
function currentAddress(m: ManagedRecord, moved: readonly MovedBlock[]): { address: string; before: string | undefined } {
  const applied = managedAddress(m);
  const to = movedAddress(applied, moved);
  return { address: to ?? applied, before: to !== undefined ? applied : undefined };
}

/** A plan asks twice (what to observe, then the plan itself): answered once per inputs. */
const continuities = new WeakMap<readonly ResourceInstance[], { managed: readonly ManagedRecord[]; moved: readonly MovedBlock[]; result: Continuity }>();

export function continuity(resources: readonly ResourceInstance[], managed: readonly ManagedRecord[], moved: readonly MovedBlock[] = []): Continuity {
  const known = continuities.get(resources);
  if (known && known.managed === managed && known.moved === moved) return known.result;
  const result = computeContinuity(resources, managed, moved);
  continuities.set(resources, { managed, moved, result });
  return result;
}

function computeContinuity(resources: readonly ResourceInstance[], managed: readonly ManagedRecord[], moved: readonly MovedBlock[]): Continuity {
  const byKey = new Map(managed.map((m) => [managedKey(m), m]));
  const declaredKeys = new Set(resources.map(instanceKey));
  const byDeclared = new Map<ResourceKey, Predecessor>();
  const continued = new Set<ResourceKey>();
  // Records no declaration claims by identity, by where they are now; two at one place: neither.
  const free = new Map<string, ManagedRecord | null>();
  for (const m of managed) {
    if (declaredKeys.has(managedKey(m)) || !RENAMABLE.has(m.kind)) continue;
    const s = slot(m.provider, m.kind, m.database, currentAddress(m, moved).address);
    free.set(s, free.has(s) ? null : m);
  }
  const databaseFrom = new Map<string, string>();
  const continues = (r: ResourceInstance, m: ManagedRecord | undefined, now: { name: string; database: string }, renamedFrom?: string, dbFrom?: string) => {
    const key = instanceKey(r);
    const before = m ? currentAddress(m, moved).before : undefined;
    const movedFrom = before !== undefined && before !== r.address ? before : undefined;
    if (m) continued.add(managedKey(m));
    const nowKey = resourceKey(r.provider, r.kind, now.database, now.name);
    if (nowKey === key && movedFrom === undefined) return;
    byDeclared.set(key, {
      ...(m ? { record: m } : {}),
      key: nowKey,
      ...now,
      ...(renamedFrom !== undefined ? { renamedFrom } : {}),
      ...(dbFrom !== undefined ? { databaseFrom: dbFrom } : {}),
      ...(movedFrom !== undefined ? { movedFrom } : {}),
    });
  };
  // Databases first (a renamed one carries what is in it), each by identity before by address.
  const databases = resources.filter((r) => r.kind === 'Database');
  const others = resources.filter((r) => r.kind !== 'Database');
  const unmatched: Array<{ r: ResourceInstance; database: string; dbFrom?: string }> = [];
  for (const group of [databases, others]) {
    for (const r of group) {
      const db = identityDatabase(r.kind, r.spec);
      const dbFrom = db !== '' ? databaseFrom.get(JSON.stringify([r.provider, db])) : undefined;
      const database = dbFrom ?? db;
      const m = byKey.get(resourceKey(r.provider, r.kind, database, r.name));
      if (m) continues(r, m, { name: r.name, database }, undefined, dbFrom);
      else unmatched.push({ r, database, ...(dbFrom !== undefined ? { dbFrom } : {}) });
    }
    for (const { r, database, dbFrom } of unmatched.splice(0)) {
      const s = slot(r.provider, r.kind, database, r.address);
      const m = RENAMABLE.has(r.kind) ? free.get(s) : undefined;
      if (m && !continued.has(managedKey(m)) && m.name !== r.name) {
        free.delete(s);
        continues(r, m, { name: m.name, database }, m.name, dbFrom);
        if (r.kind === 'Database') databaseFrom.set(JSON.stringify([r.provider, r.name]), m.name);
      } else continues(r, undefined, { name: r.name, database }, undefined, dbFrom);
    }
  }
  return { byDeclared, continued };
}

/**
 * A step that continues a record under another name, database or address: the rename in place
 * (`~ name = "a" → "b"`), where it was recorded, and an update so that apply records it.
 */
export function continues(plan: ResourcePlan, pred: Predecessor, renamedOnServer: boolean, errors: PlanError[]): void {
  if (pred.renamedFrom !== undefined) {
    plan.renamedFrom = pred.renamedFrom;
    if (renamedOnServer) plan.changes.unshift({ path: 'name', before: pred.renamedFrom, after: plan.name, renamed: true });
    else plan.reason ??= `${describeObject(plan.kind, pred.renamedFrom)} is not on the server${plan.action === 'create' ? '' : `, "${plan.name}" is`}: xp's record of it follows the new name`;
    if (plan.action === 'replace') {
      errors.push({
        code: 'rename',
        address: plan.address,
        message: `${plan.address}: cannot rename ${describeObject(plan.kind, pred.renamedFrom)} to "${plan.name}" and replace it in one apply (${plan.reason}).`,
        hint: 'Apply the new name first, then the change that replaces it.',
      });
    }
  }
  if (pred.databaseFrom !== undefined) plan.databaseFrom = pred.databaseFrom;
  if (pred.movedFrom !== undefined) plan.movedFrom = pred.movedFrom;
  // A database's rename carries what is in it: nothing to do for those that do not change.
  if (plan.action === 'no-op' && (pred.renamedFrom !== undefined || pred.movedFrom !== undefined)) plan.action = 'update';
}

/** A rename whose new name is taken on the server: refused at plan. */
export function renameTaken(r: ResourceInstance, pred: Predecessor): PlanError {
  const db = identityDatabase(r.kind, r.spec);
  return {
    code: 'rename',
    address: r.address,
    message: `${r.address}: cannot rename ${describeObject(r.kind, pred.renamedFrom!, db)} to "${r.name}": ${describeObject(r.kind, r.name, db)} already exists on the server.`,
    hint: `Choose another name, or drop or rename the other ${r.type.replace('_', ' ')} first (xp does not manage it).`,
  };
}

/** A declared spec naming an object by the name this plan renames away: refused, at the resource. */
export function staleNameError(address: string, stale: ReadonlyArray<[string, string]>): PlanError {
  const [from, to] = stale[0]!;
  return {
    code: 'rename',
    address,
    message: `${address}: it names "${from}", which this plan renames to "${to}": after the rename "${from}" names nothing.`,
    hint: `Write "${to}", or refer to the renamed resource (e.g. role.x.name) so that the name follows it.`,
  };
}

/** `role "a"` for messages. */
export function describeObject(kind: KindName, name: string, database = ''): string {
  return `${TYPE_OF_KIND[kind].replace('_', ' ')} "${name}"${database ? ` in database "${database}"` : ''}`;
}

/** An object renamed in place by the plan: its new name (and database), and its name now. */
export interface RenamedObject {
  provider: string;
  kind: KindName;
  name: string;
  from: string;
  /** The new name of its database (schemas). */
  database: string;
}

/** The renamed objects of a continuity: what references to them read as, before and after. */
export function renamedObjects(resources: readonly ResourceInstance[], cont: Continuity): RenamedObject[] {
  return resources.flatMap((r) => {
    const pred = cont.byDeclared.get(instanceKey(r));
    return pred?.renamedFrom !== undefined ? [{ provider: r.provider, kind: r.kind, name: r.name, from: pred.renamedFrom, database: identityDatabase(r.kind, r.spec) }] : [];
  });
}

type Direction = 'now' | 'after';

/**
 * Names of renamed objects in specs and observed states, both ways: a spec says the names after
 * apply, the server (until apply) the names now. Observe is asked with the names now (the
 * scope it reads: a service account's database, a role's grants), and what it answers is read
 * with the names after, so that a reference to a renamed object is no change (apply renames
 * it; grants and memberships follow the object).
 */
export class NameMap {
  private readonly maps = new Map<string, string>();
  readonly empty: boolean;

  constructor(renamed: readonly RenamedObject[]) {
    const dbNow = new Map(renamed.filter((o) => o.kind === 'Database').map((o) => [JSON.stringify([o.provider, o.name]), o.from]));
    for (const o of renamed) {
      const namespace = o.kind === 'Database' ? 'database' : o.kind === 'Schema' ? 'schema' : 'role';
      const db = o.kind === 'Schema' ? o.database : '';
      const dbBefore = o.kind === 'Schema' ? (dbNow.get(JSON.stringify([o.provider, o.database])) ?? o.database) : '';
      this.maps.set(JSON.stringify(['now', o.provider, namespace, db, o.name]), o.from);
      this.maps.set(JSON.stringify(['after', o.provider, namespace, dbBefore, o.from]), o.name);
    }
    this.empty = renamed.length === 0;
  }

  private name(dir: Direction, provider: string, namespace: NamedNamespace, value: string, database: string | undefined): string {
    return this.maps.get(JSON.stringify([dir, provider, namespace, namespace === 'schema' ? (database ?? '') : '', value])) ?? value;
  }

  /**
   * A spec or observed state of `kind` with every name of a renamed object as `dir` has it.
   * `keepDatabase`: the resource's own `database` stays (a schema's or extension's identity, asked as declared).
   */
  map(kind: KindName, provider: string, value: JsonObject, dir: Direction, keepDatabase = false): JsonObject {
    if (this.empty) return value;
    const n = namingAttributes(kind);
    const top = typeof value['database'] === 'string' ? value['database'] : undefined;
    const one = (v: Json | undefined, namespace: NamedNamespace, db: string | undefined): Json | undefined => {
      if (typeof v === 'string') return this.name(dir, provider, namespace, v, db);
      if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? this.name(dir, provider, namespace, x, db) : x));
      return v;
    };
    const attrs = (obj: JsonObject, list: NamingAttributes['attributes'], db: string | undefined, own: boolean): JsonObject => {
      const out: JsonObject = { ...obj };
      for (const { attr, namespace } of list) {
        if (!(attr in obj) || (own && keepDatabase && attr === 'database')) continue;
        out[attr] = one(obj[attr], namespace, db)!;
      }
      return out;
    };
    const out = attrs(value, n.attributes, top, true);
    const settings = value['database_settings'];
    if ((kind === 'Role' || kind === 'ServiceAccount') && settings && typeof settings === 'object' && !Array.isArray(settings)) {
      out['database_settings'] = Object.fromEntries(Object.entries(settings).map(([db, v]) => [this.name(dir, provider, 'database', db, undefined), v]));
    }
    for (const block of n.blocks) {
      const items = value[block.specKey];
      if (!Array.isArray(items)) continue;
      out[block.specKey] = items.map((x) => {
        if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
        const db = typeof x['database'] === 'string' ? x['database'] : top;
        return attrs(x, block.attributes, db, false);
      });
    }
    return out;
  }

  /**
   * The names a declared spec gives that are the names now of objects this plan renames
   * (`["s", "s2"]`): after apply they name nothing. Empty when there are none.
   */
  stale(kind: KindName, provider: string, spec: JsonObject): Array<[string, string]> {
    if (this.empty) return [];
    const out: Array<[string, string]> = [];
    const walk = (a: Json | undefined, b: Json | undefined): void => {
      if (typeof a === 'string' && typeof b === 'string' && a !== b) out.push([a, b]);
      else if (Array.isArray(a) && Array.isArray(b)) a.forEach((x, i) => walk(x, b[i]));
      else if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
        const ka = Object.keys(a);
        const kb = Object.keys(b);
        ka.forEach((k, i) => (k !== kb[i] ? out.push([k, kb[i]!]) : walk(a[k], b[k])));
      }
    };
    walk(spec, this.map(kind, provider, spec, 'after'));
    return out;
  }

  /** An observe answer asked with the names now, read with the names after. */
  after(item: ObservedItem): ObservedItem {
    if (this.empty) return item;
    return {
      ...item,
      normalized: item.normalized && this.map(item.kind, item.provider, item.normalized, 'after'),
      observed: item.observed && this.map(item.kind, item.provider, item.observed, 'after'),
    };
  }
}

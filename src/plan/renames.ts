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
// Its `movedFrom` is the address the record was applied under when that differs (a `moved`
// block, or a new label for the same object). Records of xp before 0.7.0 have no address:
// they are taken to be at `type.name`.
import type { KindName, MovedBlock, ResourceInstance } from '../model/types.js';
import { identityDatabase, instanceKey, managedAddress, managedKey, resourceKey, TYPE_OF_KIND } from './identity.js';
import type { ManagedRecord, ResourceKey } from './types.js';

/** The kinds PostgreSQL renames in place (an extension's name is fixed). */
export const RENAMABLE: ReadonlySet<KindName> = new Set(['Role', 'ServiceAccount', 'Schema', 'Database']);

/**
 * Where `moved` blocks send an address: an exact match, or — when neither side has a key — a
 * whole resource's instances (`role.a["k"]` → `role.b["k"]`). Undefined when none applies.
 */
export function movedAddress(address: string, moved: readonly MovedBlock[]): string | undefined {
  for (const m of moved) {
    if (address === m.from) return m.to;
    if (!m.from.includes('[') && !m.to.includes('[') && address.startsWith(`${m.from}[`)) return m.to + address.slice(m.from.length);
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

/** The address a record is now at: as applied (or `type.name`), then through the `moved` blocks. */
function currentAddress(m: ManagedRecord, moved: readonly MovedBlock[]): { address: string; before: string | undefined } {
  const applied = managedAddress(m);
  const to = movedAddress(applied, moved);
  // A record without an address is at `type.name` only as far as a moved block names it.
  return { address: to ?? applied, before: m.address ?? (to !== undefined ? applied : undefined) };
}

export function continuity(resources: readonly ResourceInstance[], managed: readonly ManagedRecord[], moved: readonly MovedBlock[] = []): Continuity {
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

/** `role "a"` for messages. */
export function describeObject(kind: KindName, name: string, database = ''): string {
  return `${TYPE_OF_KIND[kind].replace('_', ' ')} "${name}"${database ? ` in database "${database}"` : ''}`;
}

// The identity of a resource, (provider_config, kind, database, name), as xplane keys it.
// Database, Role and ServiceAccount are cluster-wide: their database part is ''.
import type { KindName, ResourceInstance, ResourceType } from '../model/types.js';
import type { ManagedRecord, ObservedItem, ResourceKey, ResourcePlan } from './types.js';

const CLUSTER_WIDE: ReadonlySet<KindName> = new Set(['Database', 'Role', 'ServiceAccount']);

export const TYPE_OF_KIND: Readonly<Record<KindName, ResourceType>> = {
  Database: 'database',
  Schema: 'schema',
  Role: 'role',
  Extension: 'extension',
  ServiceAccount: 'service_account',
};

/** The database part of the identity: the spec's `database` for per-database kinds, else ''. */
export function identityDatabase(kind: KindName, spec: { [key: string]: unknown }): string {
  if (CLUSTER_WIDE.has(kind)) return '';
  const db = spec['database'];
  return typeof db === 'string' ? db : '';
}

export function resourceKey(provider: string, kind: KindName, database: string, name: string): ResourceKey {
  return JSON.stringify([provider, kind, database, name]);
}

/** Instances are final once evaluated; a plan asks for each one's key several times. */
const instanceKeys = new WeakMap<ResourceInstance, ResourceKey>();

export function instanceKey(r: ResourceInstance): ResourceKey {
  let key = instanceKeys.get(r);
  if (key === undefined) instanceKeys.set(r, (key = resourceKey(r.provider, r.kind, identityDatabase(r.kind, r.spec), r.name)));
  return key;
}

export function managedKey(m: ManagedRecord): ResourceKey {
  return resourceKey(m.provider, m.kind, m.database, m.name);
}

export function observedKey(o: ObservedItem): ResourceKey {
  return resourceKey(o.provider, o.kind, o.database, o.name);
}

/** A step's identity on the server before apply, when a rename changes it (renamedFrom, databaseFrom). */
export function previousKey(p: Pick<ResourcePlan, 'provider' | 'kind' | 'database' | 'name' | 'renamedFrom' | 'databaseFrom'>): ResourceKey | undefined {
  if (p.renamedFrom === undefined && p.databaseFrom === undefined) return undefined;
  return resourceKey(p.provider, p.kind, p.databaseFrom ?? p.database, p.renamedFrom ?? p.name);
}

/** Index observe_many's answer by identity. */
export function observedMap(items: Iterable<ObservedItem>): Map<ResourceKey, ObservedItem> {
  const map = new Map<ResourceKey, ObservedItem>();
  for (const item of items) map.set(observedKey(item), item);
  return map;
}

/** The address of a managed record no longer declared: as recorded, else `type.name`. */
export function managedAddress(m: ManagedRecord): string {
  return m.address || nameAddress(m);
}

/** `type.name`, or `type["name"]` for a name that is not an identifier. */
function nameAddress(m: Pick<ManagedRecord, 'kind' | 'name'>): string {
  const type = TYPE_OF_KIND[m.kind];
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(m.name) ? `${type}.${m.name}` : `${type}[${JSON.stringify(m.name)}]`;
}

/**
 * Addresses for the steps of records no longer declared that are unique in the plan: the
 * walker and every view key steps by address, and two steps under one address wait for each
 * other. A recorded address can be taken by a declared resource (its PostgreSQL name changed:
 * `role "lbl" {}` became `role "lbl" { name = "lbl2" }`) or by another record (schema `api` in
 * two databases). Such a record is addressed with `@database` (per-database kinds), by its
 * name (`role.lbl`, then `role["lbl"]`), then with a counter — whichever is first free.
 */
export function uniqueUndeclaredAddresses(steps: ReadonlyArray<{ address: string; declared: boolean; record?: ManagedRecord }>): string[] {
  const taken = new Set(steps.filter((s) => s.declared).map((s) => s.address));
  const counts = new Map<string, number>();
  for (const s of steps) if (!s.declared) counts.set(s.address, (counts.get(s.address) ?? 0) + 1);
  return steps.map((s) => {
    if (s.declared) return s.address;
    if (!taken.has(s.address) && counts.get(s.address) === 1) {
      taken.add(s.address);
      return s.address;
    }
    const record = s.record!;
    const byName = nameAddress(record);
    const quoted = `${TYPE_OF_KIND[record.kind]}[${JSON.stringify(record.name)}]`;
    const candidates = [...(record.database !== '' ? [`${s.address}@${record.database}`] : []), byName, quoted];
    let address = candidates.find((c) => !taken.has(c) && !(counts.get(c) ?? 0));
    for (let n = 2; address === undefined; n++) if (!taken.has(`${byName}#${n}`)) address = `${byName}#${n}`;
    taken.add(address);
    return address;
  });
}

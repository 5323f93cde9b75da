// The identity of a resource, (provider_config, kind, database, name), as xplane keys it.
// Database, Role and ServiceAccount are cluster-wide: their database part is ''.
import type { KindName, ResourceInstance, ResourceType } from '../config/types.js';
import type { ManagedRecord, ObservedItem, ResourceKey } from './types.js';

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

export function instanceKey(r: ResourceInstance): ResourceKey {
  return resourceKey(r.provider, r.kind, identityDatabase(r.kind, r.spec), r.name);
}

export function managedKey(m: ManagedRecord): ResourceKey {
  return resourceKey(m.provider, m.kind, m.database, m.name);
}

export function observedKey(o: ObservedItem): ResourceKey {
  return resourceKey(o.provider, o.kind, o.database, o.name);
}

/** Index observe_many's answer by identity. */
export function observedMap(items: Iterable<ObservedItem>): Map<ResourceKey, ObservedItem> {
  const map = new Map<ResourceKey, ObservedItem>();
  for (const item of items) map.set(observedKey(item), item);
  return map;
}

/** The address of a managed record no longer declared: as recorded, else `type.name`. */
export function managedAddress(m: ManagedRecord): string {
  if (m.address) return m.address;
  const type = TYPE_OF_KIND[m.kind];
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(m.name) ? `${type}.${m.name}` : `${type}[${JSON.stringify(m.name)}]`;
}

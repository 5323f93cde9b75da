// Builders for planner inputs. The normalized/observed shapes are those of the kinds registry
// (what xplane.normalize_spec and observe return: test/kinds/contract.test.ts holds them together).
import type { Configuration, KindName, Lifecycle, ResourceInstance, ResourceType, Value } from '../../src/model/types.js';
import { kinds, specKeyRules } from '../../src/kinds/index.js';
import { desiredSpecJson } from '../../src/plan/desired.js';
import { identityDatabase, instanceKey, TYPE_OF_KIND } from '../../src/plan/identity.js';
import type { Contents, Json, JsonObject, ManagedRecord, ObservedItem, PasswordState, PlanInput, PlanOptions, ResourceKey } from '../../src/plan/types.js';

const KIND_OF: Record<ResourceType, KindName> = {
  database: 'Database',
  schema: 'Schema',
  role: 'Role',
  extension: 'Extension',
  service_account: 'ServiceAccount',
};

/** What the server chooses where a kind declares no default, and the required database. */
const SERVER_CHOSEN: Partial<Record<KindName, JsonObject>> = {
  Database: { owner: 'postgres', lc_collate: 'C.UTF-8', lc_ctype: 'C.UTF-8' },
  Schema: { database: 'app', owner: 'postgres' },
  Extension: { database: 'app' },
  ServiceAccount: { database: 'app' },
};

/** Normalised defaults per kind: the registry's defaults (blocks: none), then the server's choices. */
export const DEFAULTS = Object.fromEntries(
  kinds.map((k) => {
    const out: JsonObject = {};
    for (const [key, schema] of Object.entries(k.attributes)) if (schema.default !== undefined) out[key] = structuredClone(schema.default) as Json;
    for (const block of Object.values(k.blocks)) if (block.specKey) out[block.specKey] = [];
    return [k.kind, { ...out, ...SERVER_CHOSEN[k.kind] }];
  }),
) as Record<KindName, JsonObject>;

/** Keys observe does not return (create-only / delete-only), as the registry marks them. */
const NOT_OBSERVED = Object.fromEntries(
  kinds.map((k) => [k.kind, [...specKeyRules(k.kind)].filter(([, rule]) => !rule.observed).map(([key]) => key)]),
) as Record<KindName, string[]>;

export function lifecycle(l: Partial<Lifecycle> = {}): Lifecycle {
  return { prevent_destroy: false, deletion_policy: 'delete', ignore_changes: [], ...l };
}

export interface InstanceOptions {
  address?: string;
  provider?: string;
  lifecycle?: Partial<Lifecycle>;
  dependsOn?: string[];
}

export function instance(type: ResourceType, label: string, spec: Record<string, Value> = {}, o: InstanceOptions = {}): ResourceInstance {
  return {
    address: o.address ?? `${type}.${label}`,
    type,
    kind: KIND_OF[type],
    name: label.replace(/-/g, '_'),
    spec,
    provider: o.provider ?? 'default',
    lifecycle: lifecycle(o.lifecycle),
    dependsOn: o.dependsOn ?? [],
    range: { file: 'main.xp', start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } } as never,
  };
}

/** normalize_spec as the contract describes it, for the fixed shapes these tests use. */
export function normalized(r: ResourceInstance): JsonObject {
  const spec = desiredSpecJson(r);
  return { ...DEFAULTS[r.kind], ...spec };
}

/** Keys the normalised spec leaves out when not set (not managed), which observe still returns. */
const UNMANAGED_WHEN_UNSET = Object.fromEntries(
  kinds.map((k) => [k.kind, Object.entries(k.attributes).filter(([, s]) => s.unmanagedWhenUnset).map(([key]) => key)]),
) as Record<KindName, string[]>;

/**
 * What observe returns for a resource that matches its normalised spec exactly; a key left
 * unmanaged (not set) is observed as the server has it without one (a comment: null).
 */
export function observedAsDesired(r: ResourceInstance): JsonObject {
  const n = normalized(r);
  for (const k of NOT_OBSERVED[r.kind]) delete n[k];
  for (const k of UNMANAGED_WHEN_UNSET[r.kind]) if (!(k in n)) n[k] = null;
  return n;
}

export function item(r: ResourceInstance, observed: JsonObject | null, norm: JsonObject = normalized(r)): ObservedItem {
  return { kind: r.kind, name: r.name, database: identityDatabase(r.kind, r.spec), provider: r.provider, normalized: norm, observed };
}

export function managedOf(r: ResourceInstance, o: Partial<ManagedRecord> = {}): ManagedRecord {
  return {
    stack: 'test',
    kind: r.kind,
    name: r.name,
    database: identityDatabase(r.kind, r.spec),
    provider: r.provider,
    spec: normalized(r),
    deletion_policy: r.lifecycle.deletion_policy,
    prevent_destroy: r.lifecycle.prevent_destroy,
    ignore_changes: [...r.lifecycle.ignore_changes].sort(),
    address: r.address,
    ...o,
  };
}

export function config(resources: ResourceInstance[], stack = 'test'): Configuration {
  return { dir: '/tmp/test', stack, providers: [], resources, outputs: [] };
}

/**
 * A scenario: desired instances, with what the server has for each (`null`: absent,
 * `'same'`: as desired, or an object of overrides on the desired state), what the stack manages,
 * and resources the stack manages but no longer declares.
 */
export interface Scenario {
  /** `recorded`: the lifecycle the stack recorded, when it is not the declared one. */
  desired?: Array<{ r: ResourceInstance; server: 'same' | null | JsonObject; managed?: boolean; recorded?: Partial<Lifecycle> }>;
  undeclared?: Array<{ r: ResourceInstance; server: 'same' | null | JsonObject; policy?: 'delete' | 'orphan'; preventDestroy?: boolean }>;
  contents?: Array<[ResourceInstance, Contents]>;
  passwords?: Array<[ResourceInstance, PasswordState]>;
  options?: Partial<PlanOptions>;
}

function serverState(r: ResourceInstance, server: 'same' | null | JsonObject): JsonObject | null {
  if (server === null) return null;
  if (server === 'same') return observedAsDesired(r);
  return { ...observedAsDesired(r), ...server };
}

export function scenario(s: Scenario): PlanInput {
  const observed = new Map<ResourceKey, ObservedItem>();
  const managed: ManagedRecord[] = [];
  for (const d of s.desired ?? []) {
    observed.set(instanceKey(d.r), item(d.r, serverState(d.r, d.server)));
    const l = d.recorded;
    if (d.managed ?? true)
      managed.push(
        managedOf(d.r, {
          ...(l?.deletion_policy ? { deletion_policy: l.deletion_policy } : {}),
          ...(l?.prevent_destroy !== undefined ? { prevent_destroy: l.prevent_destroy } : {}),
          ...(l?.ignore_changes ? { ignore_changes: l.ignore_changes } : {}),
        }),
      );
  }
  for (const u of s.undeclared ?? []) {
    observed.set(instanceKey(u.r), item(u.r, serverState(u.r, u.server)));
    managed.push(managedOf(u.r, { deletion_policy: u.policy ?? 'delete', prevent_destroy: u.preventDestroy ?? false }));
  }
  const contents = new Map<ResourceKey, Contents>();
  for (const [r, c] of s.contents ?? []) contents.set(instanceKey(r), c);
  const passwords = new Map<ResourceKey, PasswordState>();
  for (const [r, p] of s.passwords ?? []) passwords.set(instanceKey(r), p);
  return {
    config: config((s.desired ?? []).map((d) => d.r)),
    managed,
    observed,
    contents,
    passwords,
    ...(s.options ? { options: s.options } : {}),
  };
}

export const EMPTY: Contents = { tables: 0, objects: 0, kinds: {}, examples: [] };
export { TYPE_OF_KIND };

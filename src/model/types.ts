// What evaluation produces: a Configuration of resource instances, the input of the graph,
// plan and apply stages. Everything here is plain data except the two value markers. It lives
// in model/, which imports no stage, so that every stage (kinds, config, graph, plan, secrets,
// state, apply) can name these types without importing another stage.
import type { SourceRange } from '../dsl/diagnostics.js';

/** The five kinds, named as the in-database API names them (xplane.resource_kind). */
export type KindName = 'Database' | 'Schema' | 'Role' | 'Extension' | 'ServiceAccount';

/** The DSL block type of each kind. */
export type ResourceType = 'database' | 'schema' | 'role' | 'extension' | 'service_account';

/** A value that will only be known after apply (a generated password, say). */
export const UNKNOWN: unique symbol = Symbol.for('xp.unknown');
export type Unknown = typeof UNKNOWN;

/** A value that must never be printed: plans show `(sensitive)`. */
export class Sensitive<T = unknown> {
  constructor(readonly value: T) {}
  toJSON(): string {
    return '(sensitive)';
  }
}

/** An evaluated value: JSON plus the two markers, anywhere inside. */
export type Value = string | number | boolean | null | Unknown | Sensitive | Value[] | { [key: string]: Value };

export interface Lifecycle {
  prevent_destroy: boolean;
  deletion_policy: 'delete' | 'orphan';
  /** Spec attribute names (top level) whose drift is ignored. */
  ignore_changes: string[];
}

export interface ConnectionSecret {
  path: string;
  format: 'dotenv' | 'json' | 'uri';
}

export interface ResourceInstance {
  /** `schema.tenant["acme"]`, `role.readonly`, `service_account.app[0]` */
  address: string;
  type: ResourceType;
  kind: KindName;
  /** The PostgreSQL name: the label with `-` → `_`, or `name = "…"` verbatim. */
  name: string;
  /** The JSON spec of the in-database API (docs/internals/contracts.md), after defaults. */
  spec: { [key: string]: Value };
  /** Provider config name; `default` when the resource names none. */
  provider: string;
  lifecycle: Lifecycle;
  connectionSecret?: ConnectionSecret;
  /** Addresses this instance depends on (references + depends_on), deduplicated. */
  dependsOn: string[];
  range: SourceRange;
  /** An `import { to = …, id = … }` block names it (src/config/imports.ts): `range` is the block's. */
  import?: { id: string; range: SourceRange };
}

export interface ProviderBlock {
  name: string;
  /** Connection URL; empty/undefined means "the default connection". */
  url?: string;
  range: SourceRange;
}

export interface OutputValue {
  name: string;
  value: Value;
  sensitive: boolean;
  range: SourceRange;
}

/** What the in-database reconcile loop does with a stack's drift: heal it, or only report it. */
export type StackMode = 'enforce' | 'observe';

export interface Configuration {
  dir: string;
  /** From `stack "name" {}`, else the directory's base name. */
  stack: string;
  /** `stack "name" { mode = "observe" }`: the in-database loop only reports drift. Absent means enforce. */
  stackMode?: StackMode;
  providers: ProviderBlock[];
  resources: ResourceInstance[];
  outputs: OutputValue[];
  /** `moved { from = …, to = … }` blocks (src/config/moved.ts); absent when there are none. */
  moved?: MovedBlock[];
}

/**
 * `moved { from = role.old, to = role.new }`: what was recorded under `from` is the resource
 * now declared at `to`. Addresses as strings (`role.tenant["a"]`); a whole resource (no key on
 * either side) moves all its instances. `range`: the block's, for messages.
 */
export interface MovedBlock {
  from: string;
  to: string;
  range: SourceRange;
}

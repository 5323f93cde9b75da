// The Plan: what `xp plan` computed and `xp apply` performs. A plain, JSON-serialisable value
// (saved with `xp plan --out`, printed with `--json`); it never holds a secret. Also the
// input types of the planner: desired instances (src/model/types.ts), the stack's managed
// records (xplane.managed_resources) and what observe returned (xplane.observe_many).
import type { ConnectionSecret, KindName, ResourceType, StackMode } from '../model/types.js';

/** Plain JSON, as it crosses the SQL boundary. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// ---------------------------------------------------------------------------------------
// Actions: one small type whose values map to the symbols Terraform users know.

/**
 * create `+`, update in place `~`, replace `-/+`, delete `-`, no-op (nothing), and import (no
 * symbol, as Terraform: an `import` block's object becomes this stack's, unchanged).
 */
export type PlanAction = 'create' | 'update' | 'replace' | 'delete' | 'no-op' | 'import';

export const ACTIONS: readonly PlanAction[] = ['create', 'update', 'replace', 'delete', 'no-op', 'import'];

export const ACTION_SYMBOL: Readonly<Record<PlanAction, string>> = {
  create: '+',
  update: '~',
  replace: '-/+',
  delete: '-',
  'no-op': ' ',
  import: ' ',
};

// ---------------------------------------------------------------------------------------
// Attribute-level changes.

/**
 * One attribute that changes. `before`/`after` are absent (not null) when the attribute does
 * not exist on that side (create / delete). A masked side is omitted and named by
 * `sensitive` (`(sensitive)`) or `unknown` (after only: `(known after apply)`).
 */
export interface AttributeChange {
  /**
   * Top-level attribute (`owner`, `member_of`, `grants`), a field inside a list element
   * (`privileges`), or a lifecycle setting as recorded by xp (`lifecycle.deletion_policy`,
   * `lifecycle.prevent_destroy`, `lifecycle.ignore_changes`).
   */
  path: string;
  before?: Json;
  after?: Json;
  sensitive?: boolean;
  /** The new value is only known after apply. */
  unknown?: boolean;
  /** Changing this attribute forces replacement (`# forces replacement`). */
  forcesReplacement?: boolean;
  /** String-set attributes (member_of, schemas, privileges): the difference as elements. */
  set?: { added: Json[]; removed: Json[] };
  /** `name`: the object is renamed in place (ALTER … RENAME TO), not replaced. */
  renamed?: boolean;
  /**
   * Keyed lists (grants): one entry per element that is added, removed or changed. Element
   * keys are stable (`saas.api.tables`), so a grant change is a delta, never drop-and-recreate.
   */
  elements?: ElementChange[];
}

export interface ElementChange {
  /** Human-readable key of the element, e.g. `saas.api tables`. */
  key: string;
  /** The identifying fields of the element (database, schema, on for a grant). */
  identity: JsonObject;
  action: 'create' | 'update' | 'delete';
  before?: Json;
  after?: Json;
  /** For `update`: the fields that change (privileges as a set, future as a value). */
  changes?: AttributeChange[];
}

// ---------------------------------------------------------------------------------------
// Safety.

/** What a drop would destroy (databases and schemas that hold user objects). */
export interface DataLoss {
  /** False when the contents could not be observed (treated as "may hold data"). */
  checked: boolean;
  /** Number of user tables (incl. partitioned, foreign and materialised views) that would be dropped. */
  tables: number;
  /** Every other user object that would be dropped (views, sequences, functions, types, large objects, …). */
  objects: number;
  /**
   * Every object counted, by kind (PostgreSQL's names, as pg_identify_object gives them:
   * `table`, `view`, `sequence`, `function`, `type`, `large object`, `extension`, `table column`, …).
   */
  kinds: Record<string, number>;
  /** A few qualified names for the message (`api.orders`), at most 5. */
  examples: string[];
  /** `--allow-data-loss` was given, so the drop is allowed. */
  allowed: boolean;
}

export type PlanErrorCode =
  | 'prevent_destroy'
  | 'immutable_attribute'
  | 'data_loss'
  | 'unknown_target'
  | 'unknown_replace'
  | 'invalid_spec'
  | 'conflict'
  | 'secret_file'
  | 'self_protection'
  | 'unknown_name'
  | 'import_not_found'
  | 'insufficient_privilege'
  | 'rename'
  | 'feature_not_supported';

/** A refusal: the plan is shown but cannot be applied. */
export interface PlanError {
  code: PlanErrorCode;
  address?: string;
  message: string;
  hint?: string;
}

// ---------------------------------------------------------------------------------------
// The plan of one resource.

export interface ResourcePlan {
  /** `schema.tenant["acme"]`; for a destroy of an undeclared resource, as recorded or `type.name`. */
  address: string;
  type: ResourceType;
  kind: KindName;
  /** The PostgreSQL name. */
  name: string;
  /** `''` for cluster-wide kinds (database, role, service_account). */
  database: string;
  /** Provider config name. */
  provider: string;
  action: PlanAction;
  /** Why, when it is not obvious: "requested by --replace", "drifted", "no longer declared". */
  reason?: string;
  /** Attribute-level changes (empty for no-op); for create/delete every attribute. */
  changes: AttributeChange[];
  /** Attributes compared and equal, hidden as `# (N unchanged attributes hidden)`. */
  unchanged: number;
  /** Drops something (delete or replace, unless orphaned). */
  destructive: boolean;
  /** Delete with `deletion_policy = "orphan"`: forgotten by xp, left on the server. */
  orphan?: boolean;
  /** Database/schema/extension drops: what would be lost. */
  dataLoss?: DataLoss;
  /** Observed differs from what the stack last applied (someone changed it by hand). */
  drifted?: boolean;
  /**
   * The PostgreSQL name it has on the server now (and in xp's records), when it differs from
   * `name`: apply renames it in place first (xplane.rename_resource), keeping what it holds.
   */
  renamedFrom?: string;
  /** Per-database kinds in a database renamed by this plan: the database's name now. */
  databaseFrom?: string;
  /** The address a `moved` block moves its record from: apply records the new one. */
  movedFrom?: string;
  /** import: the `id` of its `import` block (the PostgreSQL name). */
  importId?: string;
  /**
   * create/update/replace/no-op: what apply sends to xplane.apply, the normalised desired
   * spec (ignored attributes keep their observed value). delete: the spec the stack last
   * applied (what observe needs to re-read it). Never a password.
   */
  spec: JsonObject;
  /**
   * Top-level keys of `spec` that hold sensitive values: `--json` shows them as `(sensitive)`.
   * (A saved plan keeps them, as it must to apply them later; it is written with mode 0600.
   * Passwords are never in `spec` at all.)
   */
  sensitivePaths?: string[];
  /** ServiceAccount: where apply takes the password from (never the password itself). */
  passwordSource?: 'configured' | 'generated' | 'keep';
  deletionPolicy: 'delete' | 'orphan';
  /** lifecycle { prevent_destroy = true }: what apply records (absent: false). */
  preventDestroy?: boolean;
  /** lifecycle { ignore_changes }: what apply records, sorted (absent: none). */
  ignoreChanges?: string[];
  connectionSecret?: ConnectionSecret;
  /** Addresses this step waits for (apply order; reversed for deletes). */
  dependsOn: string[];
  /** sha256 of what observe returned for it (and its contents): names what went stale. */
  observedHash: string;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  /** Orphaned deletes: removed from xp's records, left on the server. */
  forget: number;
  /** Imports (`import` blocks): present only when the plan has some. */
  import?: number;
}

export interface PlanOptions {
  /** `xp destroy`: plan the destruction of everything the stack manages. */
  destroy: boolean;
  /** `--target ADDR` (a resource, an instance, or all instances of a resource). */
  targets: string[];
  /** `--replace ADDR`. */
  replace: string[];
  /** `--allow-data-loss`. */
  allowDataLoss: boolean;
}

export const PLAN_FORMAT_VERSION = 1;

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  stack: string;
  operation: 'apply' | 'destroy';
  options: PlanOptions;
  /** Every resource considered, sorted by address; no-ops included (renderers hide them). */
  resources: ResourcePlan[];
  summary: PlanSummary;
  /** Refusals; a plan with errors cannot be applied. */
  errors: PlanError[];
  /** What the plan could not check, said once (absent when none). */
  notes?: string[];
  /** sha256 of the observed state (and managed records) the plan was computed from. */
  fingerprint: string;
  /** When the plan changes the stack's mode (`stack { mode }`): what the reconcile loop does with drift. */
  stackMode?: { before: StackMode; after: StackMode };
}

// ---------------------------------------------------------------------------------------
// The planner's inputs.

/** A row of xplane.managed_resources for this stack. */
export interface ManagedRecord {
  id?: string;
  stack: string;
  kind: KindName;
  name: string;
  /** `''` for cluster-wide kinds. */
  database: string;
  provider: string;
  spec: JsonObject;
  deletion_policy: 'delete' | 'orphan';
  /** lifecycle { prevent_destroy } as last applied (absent: false). */
  prevent_destroy?: boolean;
  /** lifecycle { ignore_changes } as last applied (absent: none). */
  ignore_changes?: string[];
  /** The address it was last applied under (managed_resources.address), when recorded; else derived as `type.name`. */
  address?: string;
  generation?: number;
  /** The generation last applied successfully: 0 when no create or update of it ever succeeded. */
  observed_generation?: number;
  deleted_at?: string | null;
}

/** One item of xplane.observe_many's answer, plus the provider config it was asked of. */
export interface ObservedItem {
  kind: KindName;
  name: string;
  database: string;
  provider: string;
  /** xplane.normalize_spec(kind, spec) of the spec that was sent; null when it is invalid. */
  normalized: JsonObject | null;
  /** The real state, or null when absent. */
  observed: JsonObject | null;
  /** normalize_spec refused the spec (`Kind.field: problem`): the plan reports it. */
  error?: string;
}

/** What dropping a database, schema or extension would destroy (xplane.data_loss_many, src/state/read.ts). */
export interface Contents {
  tables: number;
  objects: number;
  /** Counts by kind (pg_identify_object's type names). */
  kinds: Record<string, number>;
  examples: string[];
}

/** `JSON.stringify([provider, kind, database, name])`: the identity of a resource. */
export type ResourceKey = string;

export interface PlanInput {
  /** The evaluated configuration (desired). For `destroy`, used for lifecycle and addresses. */
  config: import('../model/types.js').Configuration;
  /** This stack's rows of xplane.managed_resources (not deleted). */
  managed: ManagedRecord[];
  /** The stack's recorded mode; null or absent: never applied (enforce, the default). */
  stackMode?: StackMode | null;
  /** Observe results, for every desired instance and every managed record, by resourceKey. */
  observed: ReadonlyMap<ResourceKey, ObservedItem>;
  /** Contents of databases/schemas/extensions a plan would drop (see contentsToObserve). */
  contents?: ReadonlyMap<ResourceKey, Contents>;
  options?: Partial<PlanOptions>;
  /** Rows of other stacks with the same identities as desired instances: a conflict. */
  foreign?: ManagedRecord[];
  /**
   * Existing ServiceAccounts: does the password the configuration implies match the server's?
   * (Observe never sees a verifier: src/apply compares the declared password, or the secret
   * file of a generated one, with the stored verifier.) 'differs' → the password is set again.
   */
  passwords?: ReadonlyMap<ResourceKey, PasswordState>;
  /**
   * Service accounts whose connection_secret file xp may not write now (a file there it did
   * not write, or a link that appeared), by address: why. Refused when the plan would write it.
   */
  secretFiles?: ReadonlyMap<string, string>;
  /**
   * Changes the provider refuses because xp depends on the object (the role it connects as,
   * the control database, schema xplane …): xplane.protection_refusals, asked for every change.
   */
  refusals?: ReadonlyMap<ResourceKey, string>;
  /**
   * Resources naming, as a string, a database or role that is neither declared nor on the
   * server (src/plan/names.ts): why, in one sentence. Refused when the resource changes.
   */
  unknownNames?: ReadonlyMap<ResourceKey, string>;
  /**
   * Changes only a superuser may make (superuser = true) while xp's role is not one
   * (src/plan/names.ts, privilegeProblems): why. Refused when the resource changes.
   */
  privileges?: ReadonlyMap<ResourceKey, string>;
  /**
   * Features the server's version lacks (membership inherit / set before PostgreSQL 16;
   * src/plan/names.ts, versionProblems): why. Refused when the resource changes.
   */
  unsupported?: ReadonlyMap<ResourceKey, string>;
}

/**
 * 'differs': the server's password is not the configured one (or the generated one is lost).
 * 'secret-file': it is, but the connection_secret file does not hold it (missing, moved, out
 * of date): set again, which writes the file.
 */
export type PasswordState = 'match' | 'differs' | 'secret-file';

/** What a plan was computed from on the server side (and what a staleness check re-reads). */
export type ServerState = Pick<PlanInput, 'managed' | 'observed' | 'contents' | 'passwords'>;

// What a kind declares: its attributes (the keys of its JSON spec), their types, defaults and
// enums, how the planner compares them, and its nested blocks. The one description of a kind on
// the TypeScript side (docs/internals/contracts.md §1, "Where a kind's attributes are
// declared"): the evaluator validates every resource against it and the planner diffs by it
// (specKeyRules); nothing else lists a kind's attributes.
import type { KindName, ResourceType, Value } from '../model/types.js';
import type { TypeSpec } from '../model/type-spec.js';
import type { Domain } from './domains.js';

/** How the planner finds and shows a difference of a spec key. */
export type AttributeShape =
  /** Compared as a whole, shown `old → new`. */
  | 'value'
  /** A set of strings (normalize_spec sorts and de-duplicates it), shown as `+ x` / `- y`. */
  | 'set'
  /** An object string → value, diffed key by key. */
  | 'map'
  /** A list of grants keyed by (database, schema, on); privileges inside diffed as a set. */
  | 'grants';

/**
 * For a key that observe never returns, when it counts:
 * - `create-only`: used by the create, ignored after (Database.template);
 * - `delete-only`: an instruction to a delete (allow_data_loss), never shown as an attribute;
 * - `write-only`: written, never read back (ServiceAccount.password: a verifier is stored).
 */
export type Unobserved = 'create-only' | 'delete-only' | 'write-only';

export interface AttributeSchema {
  /** Also its shape in a plan: a list is a set, a map is diffed key by key, the rest is a value. */
  type: TypeSpec;
  description: string;
  /** The values PostgreSQL can hold (of each element, for lists and maps); default: domainOf(). */
  domain?: Domain;
  /** For a map: the domain of its keys (default: any string without NUL). */
  keyDomain?: Domain;
  required?: boolean;
  /** Filled into the spec when the attribute is absent (only for observed attributes). */
  default?: Value;
  /**
   * Cannot change in place: the provider refuses a change (`invalid_spec`), or a different
   * value is a different object (the database of a schema). The plan marks a difference as
   * forcing a replacement, which it refuses unless `--replace` asks for it.
   */
  immutable?: boolean;
  /** A desired null means "whatever the server chose": not compared (the provider's spec_diff agrees). */
  nullMeansAny?: boolean;
  /**
   * Not set: not managed. The normalised spec leaves the key out, so neither the plan nor the
   * reconcile loop compares or changes it (an adopted object keeps its comment).
   */
  unmanagedWhenUnset?: boolean;
  /** Allowed values (strings compared case-insensitively when `caseInsensitive`). */
  enum?: readonly string[];
  caseInsensitive?: boolean;
  /** The resource types a reference here may point to (its PostgreSQL name is used). */
  references?: readonly ResourceType[];
  /** Never printed: plans show `(sensitive)`. */
  sensitive?: boolean;
  /** Absent: observe returns the key and the plan compares it; else why it never does. */
  unobserved?: Unobserved;
}

export interface BlockSchema {
  description: string;
  /** The spec key the blocks compile to (`grant` blocks → `grants`); absent: not part of the spec. */
  specKey?: string;
  /** Several blocks allowed (a list in the spec) or at most one. */
  multiple: boolean;
  /** How the planner diffs the spec key (default: a set for several blocks, else a value). */
  shape?: AttributeShape;
  attributes: Record<string, AttributeSchema>;
}

/** A diagnostic about one attribute of the spec, reported at that attribute (or the block). */
export interface SpecProblem {
  message: string;
  hint?: string;
  /** The attribute the problem is about; `blockIndex` when inside a nested block. */
  attribute?: string;
  block?: { type: string; index: number; attribute?: string };
}

export interface KindDefinition {
  type: ResourceType;
  kind: KindName;
  description: string;
  /** Identity includes the database (schemas, extensions): `database` is a required attribute. */
  perDatabase: boolean;
  /** Kinds whose PostgreSQL names share one namespace (roles and service accounts are both roles). */
  namespace: 'database' | 'role' | 'schema' | 'extension';
  attributes: Record<string, AttributeSchema>;
  blocks: Record<string, BlockSchema>;
  /** Attributes readable through a reference beyond the spec (`service_account.x.password`). */
  computed?: Record<string, { description: string; sensitive: boolean }>;
  /** Cross-attribute checks and derived defaults on the spec built so far (mutates it). */
  finalize?(spec: Record<string, Value>): SpecProblem[];
}

/** How the planner compares one spec key: derived from the kind's declarations, never written twice. */
export interface SpecKeyRule {
  shape: AttributeShape;
  /** Read back by observe: compared. */
  observed: boolean;
  /** A difference forces a replacement. */
  immutable: boolean;
  /** A desired null is not compared. */
  nullMeansAny: boolean;
  /** Never shown: `(sensitive)`. */
  sensitive: boolean;
  /** Only an instruction to a delete: never shown as an attribute of the resource. */
  deleteOnly: boolean;
}

function shapeOf(type: TypeSpec): AttributeShape {
  if (type.t === 'list' || type.t === 'set') return 'set';
  return type.t === 'map' ? 'map' : 'value';
}

/** The planner's rule for one attribute. */
export function attributeRule(schema: AttributeSchema): SpecKeyRule {
  return {
    shape: shapeOf(schema.type),
    observed: schema.unobserved === undefined,
    immutable: schema.immutable === true,
    nullMeansAny: schema.nullMeansAny === true,
    sensitive: schema.sensitive === true,
    deleteOnly: schema.unobserved === 'delete-only',
  };
}

/** The planner's rule for the spec key a block compiles to (a list of blocks: grants). */
export function blockRule(block: BlockSchema): SpecKeyRule {
  const shape = block.shape ?? (block.multiple ? 'set' : 'value');
  return { shape, observed: true, immutable: false, nullMeansAny: false, sensitive: false, deleteOnly: false };
}

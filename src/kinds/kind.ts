// What a kind declares: its attributes (the keys of its JSON spec, docs/internals/contracts.md
// §1), their types, defaults and enums, and its nested blocks. The evaluator validates every
// resource against this one description; nothing else in the language front end knows a kind.
import type { KindName, ResourceType, Value } from '../model/types.js';
import type { TypeSpec } from '../model/type-spec.js';
import type { Domain } from './domains.js';

export interface AttributeSchema {
  type: TypeSpec;
  description: string;
  /** The values PostgreSQL can hold (of each element, for lists and maps); default: domainOf(). */
  domain?: Domain;
  /** For a map: the domain of its keys (default: any string without NUL). */
  keyDomain?: Domain;
  required?: boolean;
  /** Filled into the spec when the attribute is absent (only for observed attributes). */
  default?: Value;
  /** A change is refused by the in-database provider (`invalid_spec`). */
  immutable?: boolean;
  /** Allowed values (strings compared case-insensitively when `caseInsensitive`). */
  enum?: readonly string[];
  caseInsensitive?: boolean;
  /** The resource types a reference here may point to (its PostgreSQL name is used). */
  references?: readonly ResourceType[];
  /** Never printed: plans show `(sensitive)`. */
  sensitive?: boolean;
  /** False for create-only / delete-only keys that observe_resource never returns. */
  observed?: boolean;
}

export interface BlockSchema {
  description: string;
  /** The spec key the blocks compile to (`grant` blocks → `grants`); absent: not part of the spec. */
  specKey?: string;
  /** Several blocks allowed (a list in the spec) or at most one. */
  multiple: boolean;
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

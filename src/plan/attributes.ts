// How the planner compares each kind's attributes. The shapes and defaults live in the SQL
// provider (xplane.normalize_spec, docs/internals/contracts.md §1); this table only says how
// a difference is found and shown: which keys are observable, which cannot change in place,
// which are sets (diffed as added/removed elements) and which are keyed lists (grants).
import type { KindName } from '../model/types.js';

export type AttributeShape =
  /** Compared as a whole, shown `old → new`. */
  | 'value'
  /** A set of strings, shown as `+ x` / `- y`. */
  | 'set'
  /** An object string → value, diffed key by key. */
  | 'map'
  /** A list of grants keyed by (database, schema, on); privileges inside diffed as a set. */
  | 'grants';

export interface AttributeRule {
  shape: AttributeShape;
  /** Read back by observe: compared. Not observable keys (template, allow_data_loss) never are. */
  observed: boolean;
  /** Cannot change in place: a difference is refused unless the resource is replaced. */
  immutable?: boolean;
  /** A desired null means "whatever the server chose": not compared. */
  nullMeansAny?: boolean;
  /** Never shown: `(sensitive)`. */
  sensitive?: boolean;
}

const value: AttributeRule = { shape: 'value', observed: true };
const set: AttributeRule = { shape: 'set', observed: true };
const grants: AttributeRule = { shape: 'grants', observed: true };
const immutable: AttributeRule = { shape: 'value', observed: true, immutable: true };
const createOnly: AttributeRule = { shape: 'value', observed: false };
const deleteOnly: AttributeRule = { shape: 'value', observed: false };
const password: AttributeRule = { shape: 'value', observed: false, sensitive: true };

export const ATTRIBUTE_RULES: Readonly<Record<KindName, Readonly<Record<string, AttributeRule>>>> = {
  Database: {
    owner: value,
    encoding: immutable,
    lc_collate: immutable,
    lc_ctype: immutable,
    template: createOnly,
    connection_limit: value,
    allow_connections: value,
    comment: value,
    allow_data_loss: deleteOnly,
  },
  Schema: {
    database: immutable,
    owner: value,
    comment: value,
    allow_data_loss: deleteOnly,
  },
  Role: {
    inherit: value,
    createdb: value,
    createrole: value,
    connection_limit: value,
    member_of: set,
    settings: { shape: 'map', observed: true },
    grants,
    comment: value,
  },
  Extension: {
    database: immutable,
    schema: { shape: 'value', observed: true, nullMeansAny: true },
    version: { shape: 'value', observed: true, nullMeansAny: true },
  },
  ServiceAccount: {
    database: value,
    password,
    schemas: set,
    grants,
    member_of: set,
    connection_limit: value,
    valid_until: value,
    comment: value,
  },
};

/**
 * The rule for a key. A key the table does not know (a newer provider) is compared when both
 * sides have it, as a whole value.
 */
export function attributeRule(kind: KindName, key: string): AttributeRule {
  return ATTRIBUTE_RULES[kind][key] ?? value;
}

/** Keys that are only instructions for a delete: never shown on create. */
export function isDeleteOnly(kind: KindName, key: string): boolean {
  return ATTRIBUTE_RULES[kind][key] === deleteOnly;
}

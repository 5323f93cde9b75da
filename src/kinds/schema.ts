// `schema "x" {}` → xplane kind Schema.
import { BOOL, STRING } from '../model/type-spec.js';
import type { KindDefinition } from './kind.js';
import { publicPrivilegesAttribute, publicPrivilegesProblems } from './grant.js';

export const schemaKind: KindDefinition = {
  type: 'schema',
  kind: 'Schema',
  description: 'a schema inside a database',
  perDatabase: true,
  namespace: 'schema',
  attributes: {
    database: { type: STRING, description: 'the database holding the schema', required: true, references: ['database'], immutable: true },
    owner: { type: STRING, description: 'owning role (default: the role xp connects as)', references: ['role', 'service_account'] },
    comment: { type: STRING, description: 'COMMENT ON SCHEMA (not set: left as it is; "": none)', unmanagedWhenUnset: true },
    public_privileges: publicPrivilegesAttribute('schema'),
    allow_data_loss: {
      type: BOOL,
      description: 'destroy (DROP … CASCADE) even when the schema holds objects',
      default: false,
      unobserved: 'delete-only',
    },
  },
  blocks: {},
  finalize: (spec) => publicPrivilegesProblems(spec, 'schema'),
};

// `service_account "x" {}` → xplane kind ServiceAccount: a LOGIN role with CONNECT on its
// database, USAGE on its schemas, grants and memberships. Without `password` the engine
// generates one, so the spec's password is sensitive and unknown until apply.
import { STRING, listOf } from '../model/type-spec.js';
import { Sensitive, UNKNOWN } from '../model/types.js';
import { finalizeGrants, grantBlock } from './grant.js';
import type { KindDefinition } from './kind.js';
import { finalizeMemberships, membershipBlock } from './membership.js';
import { finalizeRoleAttributes, roleAttributes } from './role-attributes.js';

export const serviceAccountKind: KindDefinition = {
  type: 'service_account',
  kind: 'ServiceAccount',
  description: 'a LOGIN role with CONNECT, schema USAGE, grants and memberships',
  perDatabase: false,
  namespace: 'role',
  attributes: {
    database: { type: STRING, description: 'the database it connects to (CONNECT is granted)', required: true, references: ['database'] },
    password: { type: STRING, description: 'password (default: generated, ≥ 32 random bytes)', sensitive: true, unobserved: 'write-only' },
    schemas: { type: listOf(STRING), description: 'schemas of `database` it gets USAGE on (authoritative)', default: [], references: ['schema'] },
    member_of: { type: listOf(STRING), description: 'roles it is a member of (authoritative)', default: [], references: ['role'] },
    ...roleAttributes('service_account'),
    comment: { type: STRING, description: 'COMMENT ON ROLE (not set: left as it is; "": none)', unmanagedWhenUnset: true },
  },
  blocks: {
    grant: grantBlock,
    membership: membershipBlock,
    connection_secret: {
      description: 'write the connection details to a file (mode 0600)',
      multiple: false,
      attributes: {
        path: { type: STRING, description: 'file to write, relative to the configuration directory', required: true },
        format: { type: STRING, description: 'file format', enum: ['dotenv', 'json', 'uri'], default: 'dotenv' },
      },
    },
  },
  finalize: (spec) => {
    if (spec['grants'] === undefined) spec['grants'] = [];
    if (spec['memberships'] === undefined) spec['memberships'] = [];
    const password = spec['password'];
    spec['password'] =
      password === undefined || password === null
        ? new Sensitive(UNKNOWN)
        : password instanceof Sensitive
          ? password
          : new Sensitive(password);
    return [...finalizeRoleAttributes(spec), ...finalizeMemberships(spec), ...finalizeGrants(spec, spec['database'])];
  },
};

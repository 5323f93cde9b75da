// `role "x" {}` → xplane kind Role: a NOLOGIN group role.
import { BOOL, NUMBER, STRING, listOf, mapOf } from '../model/type-spec.js';
import { finalizeGrants, grantBlock } from './grant.js';
import type { KindDefinition } from './kind.js';
import { CONNECTION_LIMIT, SETTING_NAME } from './domains.js';

export const roleKind: KindDefinition = {
  type: 'role',
  kind: 'Role',
  description: 'a NOLOGIN group role (RBAC)',
  perDatabase: false,
  namespace: 'role',
  attributes: {
    inherit: { type: BOOL, description: 'inherits the privileges of the roles it is a member of', default: true },
    createdb: { type: BOOL, description: 'may create databases', default: false },
    createrole: { type: BOOL, description: 'may create roles', default: false },
    connection_limit: { type: NUMBER, domain: CONNECTION_LIMIT, description: 'maximum concurrent connections (-1: no limit)', default: -1 },
    member_of: { type: listOf(STRING), description: 'roles this role is a member of (authoritative)', default: [], references: ['role'] },
    settings: { type: mapOf(STRING), keyDomain: SETTING_NAME, description: 'ALTER ROLE … SET parameters', default: {} },
    comment: { type: STRING, description: 'COMMENT ON ROLE (not set: left as it is; "": none)', unmanagedWhenUnset: true },
  },
  blocks: { grant: grantBlock },
  finalize: (spec) => {
    if (spec['grants'] === undefined) spec['grants'] = [];
    return finalizeGrants(spec, undefined);
  },
};

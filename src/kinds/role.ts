// `role "x" {}` → xplane kind Role: a group role (NOLOGIN unless `login = true`).
import { STRING, listOf } from '../model/type-spec.js';
import { finalizeGrants, grantBlock } from './grant.js';
import type { KindDefinition } from './kind.js';
import { finalizeMemberships, memberBlock, membershipBlock } from './membership.js';
import { finalizeRoleAttributes, roleAttributes } from './role-attributes.js';

export const roleKind: KindDefinition = {
  type: 'role',
  kind: 'Role',
  description: 'a NOLOGIN group role (RBAC)',
  perDatabase: false,
  namespace: 'role',
  attributes: {
    ...roleAttributes('role'),
    member_of: { type: listOf(STRING), description: 'roles this role is a member of (authoritative)', default: [], references: ['role'] },
    comment: { type: STRING, description: 'COMMENT ON ROLE (not set: left as it is; "": none)', unmanagedWhenUnset: true },
  },
  blocks: { grant: grantBlock, membership: membershipBlock, member: memberBlock },
  finalize: (spec) => {
    if (spec['grants'] === undefined) spec['grants'] = [];
    if (spec['memberships'] === undefined) spec['memberships'] = [];
    if (spec['members'] === undefined) spec['members'] = [];
    return [...finalizeRoleAttributes(spec), ...finalizeMemberships(spec), ...finalizeGrants(spec, undefined)];
  },
};

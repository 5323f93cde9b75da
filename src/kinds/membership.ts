// The `membership { … }` block of roles and service accounts → one element of the spec's
// `memberships`: a membership with its options (ADMIN on every version, INHERIT and SET on
// PostgreSQL 16+). Its SQL side is xplane.normalize_memberships (sql/053_role_memberships.sql);
// docs/kinds/role.md, "Memberships".
import type { Value } from '../model/types.js';
import { BOOL, STRING } from '../model/type-spec.js';
import type { BlockSchema, SpecProblem } from './kind.js';
import { IDENTIFIER } from './domains.js';

export const membershipBlock: BlockSchema = {
  description: 'a membership in a role, with its options (member_of: the same without options)',
  specKey: 'memberships',
  multiple: true,
  attributes: {
    role: { type: STRING, description: 'the role to be a member of', required: true, references: ['role'] },
    admin: { type: BOOL, description: 'WITH ADMIN OPTION: may grant the role to others', default: false },
    inherit: { type: BOOL, description: 'PostgreSQL 16+: WITH INHERIT (not set: the role\'s own inherit)' },
    set: { type: BOOL, description: 'PostgreSQL 16+: WITH SET: may SET ROLE to it', default: true },
    granted_by: {
      type: STRING,
      description: 'the role recorded as the grantor (GRANT … GRANTED BY it), holding the membership alone; not set: xp\'s role',
      references: ['role', 'service_account'],
      domain: IDENTIFIER,
    },
  },
};

export const memberBlock: BlockSchema = {
  description: 'a role granted this role, managed on its own (not authoritative: other members stay)',
  specKey: 'members',
  multiple: true,
  attributes: {
    role: { type: STRING, description: 'the role (or service account) to grant this role to', required: true, references: ['role', 'service_account'] },
    admin: { type: BOOL, description: 'WITH ADMIN OPTION: may grant this role to others', default: false },
    inherit: { type: BOOL, description: 'PostgreSQL 16+: WITH INHERIT (not set: not managed, the member\'s own inherit)' },
    set: { type: BOOL, description: 'PostgreSQL 16+: WITH SET: may SET ROLE to this role', default: true },
  },
};

const isObject = (v: Value | undefined): v is Record<string, Value> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * The roles of `membership` blocks are memberships too: added to `member_of` (authoritative,
 * one list), so that ordering, locks and the plan see them as they see member_of. A role in
 * two blocks with different options is refused at the second block (the provider refuses it
 * too: normalize_memberships).
 */
export function finalizeMemberships(spec: Record<string, Value>): SpecProblem[] {
  return [...finalizeMembershipList(spec), ...finalizeMembers(spec)];
}

/** A member in two `member` blocks with different options: refused at the second (as normalize_members does). */
function finalizeMembers(spec: Record<string, Value>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const blocks = spec['members'];
  if (!Array.isArray(blocks) || blocks.length === 0) return problems;
  const seen = new Map<string, string>();
  blocks.forEach((b, index) => {
    if (!isObject(b) || typeof b['role'] !== 'string') return;
    const options = JSON.stringify([b['admin'] ?? false, b['inherit'] ?? null, b['set'] ?? true]);
    const before = seen.get(b['role']);
    if (before !== undefined && before !== options) {
      problems.push({ message: `the member ${JSON.stringify(b['role'])} is declared twice with different options`, hint: 'keep one member block per role', block: { type: 'member', index } });
    }
    seen.set(b['role'], options);
  });
  return problems;
}

function finalizeMembershipList(spec: Record<string, Value>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const blocks = spec['memberships'];
  if (!Array.isArray(blocks)) return problems;
  const memberOf = Array.isArray(spec['member_of']) ? [...spec['member_of']] : [];
  if (blocks.length === 0) {
    spec['member_of'] = memberOf;
    return problems;
  }
  const seen = new Map<string, string>();
  blocks.forEach((b, index) => {
    if (!isObject(b) || typeof b['role'] !== 'string') return;
    const role = b['role'];
    const options = JSON.stringify([b['admin'] ?? false, b['inherit'] ?? null, b['set'] ?? true, b['granted_by'] ?? null]);
    const before = seen.get(role);
    if (before !== undefined && before !== options) {
      problems.push({
        message: `the membership in ${JSON.stringify(role)} is declared twice with different options`,
        hint: 'keep one membership block per role',
        block: { type: 'membership', index },
      });
    }
    seen.set(role, options);
    if (!memberOf.includes(role)) memberOf.push(role);
  });
  spec['member_of'] = memberOf;
  return problems;
}

// Names PostgreSQL reserves for roles: CREATE ROLE refuses them, so a role or service account
// named so would pass plan and fail at apply. Reported at the name instead (docs/kinds/role.md).

/** Why a role (or service account) cannot have this name, with what to write instead; undefined when it can. */
export function reservedRoleName(name: string): { message: string; hint: string } | undefined {
  if (name === 'public')
    return {
      message: 'role name "public" is reserved: PUBLIC is every role, not a role xp can create',
      hint: 'declare what PUBLIC may do on a database or schema with public_privileges, e.g. public_privileges = ["CONNECT"] in the database block (or [] to revoke PUBLIC\'s defaults)',
    };
  if (name === 'none') return { message: 'role name "none" is reserved by PostgreSQL', hint: 'choose another name (name = "…")' };
  if (name.startsWith('pg_'))
    return {
      message: `role name "${name}" is reserved: names starting with "pg_" are PostgreSQL's predefined roles`,
      hint: `to join a predefined role, list it in member_of (member_of = ["${name}"]); to create a role of your own, choose a name without "pg_"`,
    };
  return undefined;
}

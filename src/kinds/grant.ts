// The `grant { … }` block of roles and service accounts → one element of the spec's `grants`.
import type { Value } from '../model/types.js';
import { BOOL, STRING, listOf } from '../model/type-spec.js';
import type { AttributeSchema, BlockSchema, SpecProblem } from './kind.js';
import { IDENTIFIER, identifierProblem } from './domains.js';

export const grantTargets = ['tables', 'sequences', 'functions', 'types', 'schema', 'schemas', 'database'] as const;

/** The privileges a grant with `columns` accepts (column privileges). */
export const columnPrivileges: readonly string[] = ['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'];

/** The privileges each target accepts (docs/kinds/role.md, Grants); `ALL` is accepted for every one. */
export const privilegesByTarget: Record<(typeof grantTargets)[number], readonly string[]> = {
  tables: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'],
  sequences: ['USAGE', 'SELECT', 'UPDATE'],
  functions: ['EXECUTE'],
  types: ['USAGE'],
  schema: ['USAGE', 'CREATE'],
  schemas: ['USAGE', 'CREATE'],
  database: ['CONNECT', 'CREATE', 'TEMPORARY', 'TEMP'],
};

export const grantBlock: BlockSchema = {
  description: 'privileges on the objects of a schema (or on a schema or database)',
  specKey: 'grants',
  multiple: true,
  shape: 'grants',
  attributes: {
    database: {
      type: STRING,
      description: 'database holding the objects (a service account: its own database by default)',
      references: ['database'],
    },
    schema: {
      type: STRING,
      description: 'schema holding the objects; required unless on = "database", or future = true (then: global default privileges)',
      references: ['schema'],
      default: null,
    },
    on: { type: STRING, description: 'what the privileges are on', enum: grantTargets, default: 'tables' },
    objects: {
      type: listOf(STRING),
      description: 'named objects of the schema instead of all of them: tables, sequences, functions as name(argument types), types and domains',
    },
    columns: {
      type: listOf(STRING),
      description: 'columns of the one table in objects: column privileges (SELECT, INSERT, UPDATE, REFERENCES)',
      domain: IDENTIFIER,
    },
    privileges: { type: listOf(STRING), description: 'privileges to grant (ALL for every one)', required: true },
    future: {
      type: BOOL,
      description: 'also ALTER DEFAULT PRIVILEGES for objects created later (tables, sequences, functions, types, schemas)',
      default: false,
    },
    grant_option: {
      type: BOOL,
      description: 'WITH GRANT OPTION: the role may grant these privileges on to others',
      default: false,
    },
    future_owners: {
      type: listOf(STRING),
      description: 'with future = true: also ALTER DEFAULT PRIVILEGES FOR ROLE each of these, for objects they create later',
      default: [],
      references: ['role', 'service_account'],
    },
    granted_by: {
      type: STRING,
      description: 'the role that makes the grant (SET ROLE it; GRANT …): on a schema, a database or named objects; on default privileges only, the creator whose default privileges these are (ALTER DEFAULT PRIVILEGES FOR ROLE it), instead of xp\'s role',
      references: ['role', 'service_account'],
      domain: IDENTIFIER,
    },
  },
};

/**
 * Checks each grant of a spec and fills the database default. `defaultDatabase` is the
 * service account's database; roles have none, so a grant of a role must name its database.
 */
export function finalizeGrants(spec: Record<string, Value>, defaultDatabase: Value | undefined): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const grants = spec['grants'];
  if (!Array.isArray(grants)) return problems;
  grants.forEach((g, index) => {
    if (typeof g !== 'object' || g === null || Array.isArray(g)) return;
    const grant = g as Record<string, Value>;
    const at = (attribute?: string) => ({ type: 'grant', index, attribute });
    if (grant['database'] === undefined || grant['database'] === null) {
      if (defaultDatabase === undefined) {
        problems.push({ message: 'missing required attribute "database" in grant', hint: 'a role has no database of its own: name one, e.g. database = database.app', block: at() });
      } else grant['database'] = defaultDatabase;
    }
    const on = (grant['on'] ?? 'tables') as string;
    const noSchema = grant['schema'] === null || grant['schema'] === undefined;
    const future = grant['future'] === true;
    if (on !== 'database' && noSchema && (on === 'schema' || !future)) {
      problems.push({
        message: `missing required attribute "schema" in grant on ${on}`,
        ...(on === 'schema' ? {} : { hint: 'without a schema, with future = true: global default privileges (objects created later in any schema)' }),
        block: at(),
      });
    }
    if (on === 'database' && !noSchema) {
      problems.push({ message: 'a grant on "database" takes no schema', block: at('schema') });
    }
    if (future && (on === 'schema' || on === 'database')) {
      problems.push({ message: `future = true applies to tables, sequences, functions, types and schemas, not to "${on}"`, block: at('future') });
    }
    problems.push(...defaultsOnlyProblems(grant, on, noSchema, future, at));
    const owners = grant['future_owners'];
    if (Array.isArray(owners) && owners.length > 0 && grant['future'] !== true) {
      problems.push({
        message: 'future_owners needs future = true',
        hint: 'future_owners names the roles whose objects created later get these privileges (ALTER DEFAULT PRIVILEGES FOR ROLE …)',
        block: at('future_owners'),
      });
    }
    problems.push(...objectProblems(grant, on, at));
    const columns = Array.isArray(grant['columns']) && on === 'tables';
    const allowed = columns ? columnPrivileges : privilegesByTarget[on as keyof typeof privilegesByTarget];
    const privileges = grant['privileges'];
    if (allowed && Array.isArray(privileges)) {
      for (const p of privileges) {
        if (typeof p !== 'string') continue;
        const up = p.toUpperCase();
        if (up !== 'ALL' && up !== 'ALL PRIVILEGES' && !allowed.includes(up)) {
          problems.push({
            message: `privilege "${p}" does not apply to ${columns ? 'columns' : on}`,
            hint: `allowed on ${columns ? 'columns' : on}: ${allowed.join(', ')} (or ALL)`,
            block: at('privileges'),
          });
        }
      }
      if (privileges.length === 0) problems.push({ message: 'a grant needs at least one privilege', block: at('privileges') });
    }
  });
  return problems;
}

/**
 * The rules of grants that are default privileges only (ALTER DEFAULT PRIVILEGES, no GRANT on
 * existing objects): without a schema (global), on schemas, on types without objects.
 */
function defaultsOnlyProblems(grant: Record<string, Value>, on: string, noSchema: boolean, future: boolean, at: (attribute?: string) => SpecProblem['block']): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (on === 'schemas') {
    if (!future) {
      problems.push({ message: 'a grant on "schemas" needs future = true', hint: 'on = "schemas" is default privileges on schemas created later; for one schema, on = "schema"', block: at() });
    }
    if (!noSchema) {
      problems.push({ message: 'a grant on "schemas" takes no schema', hint: 'PostgreSQL has no default privileges on schemas IN SCHEMA', block: at('schema') });
    }
  }
  const defaultsOnly = on === 'schemas' || (noSchema && on !== 'database') || (on === 'types' && !Array.isArray(grant['objects']));
  if (defaultsOnly && future && grant['grant_option'] === true) {
    problems.push({ message: 'grant_option applies to existing objects; default privileges are granted without it', block: at('grant_option') });
  }
  const by = grant['granted_by'];
  const objects = Array.isArray(grant['objects']) && !Array.isArray(grant['columns']) && !future;
  if (by !== undefined && by !== null && !((defaultsOnly && future) || on === 'schema' || on === 'database' || objects)) {
    problems.push({
      message: 'granted_by applies to a grant on a schema, a database or named objects (objects), and to default privileges only (future = true without schema, on = "schemas", or on = "types" without objects)',
      hint: 'not to every object of a schema (name them in objects), nor to columns: granted_by names the role that makes the grant (SET ROLE it; GRANT …)',
      block: at('granted_by'),
    });
  }
  return problems;
}

/** The rules of `objects` and `columns` (object-level grants), placed at the attribute. */
function objectProblems(grant: Record<string, Value>, on: string, at: (attribute?: string) => SpecProblem['block']): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const objects = grant['objects'];
  const columns = grant['columns'];
  const hasObjects = Array.isArray(objects);
  if (on === 'types' && !hasObjects && grant['future'] !== true) {
    problems.push({
      message: 'a grant on "types" needs objects',
      hint: 'name the types and domains, e.g. objects = ["mood", "email_address"]; or future = true for types created later',
      block: at(),
    });
  }
  if (hasObjects) {
    if (on === 'schema' || on === 'database') {
      problems.push({ message: `objects applies to tables, sequences, functions and types, not to "${on}"`, block: at('objects') });
    }
    if (objects.length === 0) problems.push({ message: 'objects needs at least one object', hint: 'leave objects out for every object of the schema', block: at('objects') });
    if (grant['future'] === true) {
      problems.push({
        message: 'future = true applies to a whole schema, not to named objects',
        hint: 'default privileges are for objects created later: declare them in a grant without objects',
        block: at('future'),
      });
    }
    for (const o of objects) {
      if (typeof o !== 'string') continue;
      if (on === 'functions' && !/^[^()]+\(.*\)\s*$/s.test(o.trim())) {
        problems.push({ message: `function "${o}" needs its argument types`, hint: `e.g. "${o}(integer, text)", or "${o}()" without arguments`, block: at('objects') });
        continue;
      }
      // a function's name (before its argument types), else the object's name
      const name = on === 'functions' ? o.trim().replace(/\s*\(.*$/s, '') : o;
      const problem = identifierProblem(name);
      if (problem) problems.push({ message: `object name "${name}" ${problem}`, block: at('objects') });
    }
  }
  if (Array.isArray(columns)) {
    if (on !== 'tables' || !hasObjects || objects.length !== 1) {
      problems.push({ message: 'columns needs on = "tables" and exactly one table in objects', hint: 'one grant block per table', block: at('columns') });
    }
    if (columns.length === 0) problems.push({ message: 'columns needs at least one column', block: at('columns') });
  }
  return problems;
}

/** The attribute `public_privileges` of `database` and `schema`: what PUBLIC holds there (docs/kinds/database.md). */
export function publicPrivilegesAttribute(on: 'database' | 'schema'): AttributeSchema {
  return {
    type: listOf(STRING),
    description: `privileges of PUBLIC (every role) on the ${on}, authoritative; [] revokes them all (not set: left as they are)`,
    unmanagedWhenUnset: true,
  };
}

/** Privileges of `public_privileges` that do not apply to a database / schema, placed at the attribute. */
export function publicPrivilegesProblems(spec: Record<string, Value>, on: 'database' | 'schema'): SpecProblem[] {
  const privileges = spec['public_privileges'];
  if (!Array.isArray(privileges)) return [];
  const allowed = privilegesByTarget[on].filter((p) => p !== 'TEMP');
  const problems: SpecProblem[] = [];
  for (const p of privileges) {
    if (typeof p !== 'string') continue;
    const up = p.trim().toUpperCase().replace(/\s+/g, ' ');
    if (up === 'ALL' || up === 'ALL PRIVILEGES' || privilegesByTarget[on].includes(up)) continue;
    problems.push({
      message: `privilege "${p}" does not apply to a ${on}`,
      hint: `PUBLIC's privileges on a ${on}: ${allowed.join(', ')} (or ALL)`,
      attribute: 'public_privileges',
    });
  }
  return problems;
}

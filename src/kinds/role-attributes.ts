// The role attributes `role` and `service_account` share (CREATE/ALTER ROLE, pg_roles,
// pg_db_role_setting), declared once for both kinds; their SQL side is
// xplane.role_attribute_keys / normalize_role_attributes (sql/052_role_catalog.sql). Adding an
// attribute: an entry here, its key there (role_flags or role_attribute_keys), a row in
// docs/kinds/role.md and service_account.md (test/kinds/contract.test.ts checks all three).
import { BOOL, NUMBER, STRING, mapOf } from '../model/type-spec.js';
import type { Value } from '../model/types.js';
import type { AttributeSchema, SpecProblem } from './kind.js';
import { CONNECTION_LIMIT, identifierProblem, scalarProblem, SETTING_NAME, TIMESTAMP } from './domains.js';

export function roleAttributes(kind: 'role' | 'service_account'): Record<string, AttributeSchema> {
  return {
    login: { type: BOOL, description: 'may log in (LOGIN)', default: kind === 'service_account' },
    superuser: { type: BOOL, description: 'is a superuser (SUPERUSER); only a superuser xp may set it', default: false },
    createdb: { type: BOOL, description: 'may create databases (CREATEDB)', default: false },
    createrole: { type: BOOL, description: 'may create roles (CREATEROLE)', default: false },
    replication: { type: BOOL, description: 'may start streaming replication (REPLICATION)', default: false },
    bypass_row_level_security: { type: BOOL, description: 'bypasses every row-level security policy (BYPASSRLS)', default: false },
    inherit: { type: BOOL, description: 'inherits the privileges of the roles it is a member of (INHERIT)', default: true },
    connection_limit: { type: NUMBER, domain: CONNECTION_LIMIT, description: 'maximum concurrent connections (-1: no limit)', default: -1 },
    valid_until: { type: STRING, domain: TIMESTAMP, description: 'password expiry, ISO 8601 UTC or "infinity"', default: null },
    settings: { type: mapOf(STRING), keyDomain: SETTING_NAME, description: 'ALTER ROLE … SET parameters (authoritative)', default: {} },
    database_settings: {
      type: mapOf(mapOf(STRING)),
      description: 'ALTER ROLE … IN DATABASE … SET parameters, by database (authoritative)',
      default: {},
    },
  };
}

const isMap = (v: unknown): v is Record<string, Value> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/**
 * The keys of database_settings are database names and those of each map setting names (one
 * key domain per level, which an attribute's keyDomain cannot say): checked here, at the
 * attribute, as the provider's normalize_database_settings checks them.
 */
export function finalizeRoleAttributes(spec: Record<string, Value>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const byDatabase = spec['database_settings'];
  if (!isMap(byDatabase)) return problems;
  for (const [db, settings] of Object.entries(byDatabase)) {
    const bad = identifierProblem(db);
    if (bad) problems.push({ attribute: 'database_settings', message: `database_settings[${JSON.stringify(db)}]: the database name ${bad}` });
    if (!isMap(settings)) continue;
    for (const name of Object.keys(settings)) {
      const wrong = scalarProblem(SETTING_NAME, name);
      if (wrong) problems.push({ attribute: 'database_settings', message: `database_settings[${JSON.stringify(db)}][${JSON.stringify(name)}]: the key ${wrong}` });
    }
  }
  return problems;
}

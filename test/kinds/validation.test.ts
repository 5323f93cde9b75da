// Validation of resources against the registry of kinds: exact messages, positions and hints.
import { describe, expect, it } from 'vitest';
import { kindByName, kindByType, kinds, resourceTypes } from '../../src/kinds/index.js';
import { diagnosticsOf } from '../config/fixture.js';

describe('the registry of kinds', () => {
  it('has the five kinds, each under its block type and API name', () => {
    expect(kinds.map((k) => [k.type, k.kind])).toEqual([
      ['database', 'Database'],
      ['role', 'Role'],
      ['schema', 'Schema'],
      ['extension', 'Extension'],
      ['service_account', 'ServiceAccount'],
    ]);
    expect(resourceTypes).toEqual(['database', 'role', 'schema', 'extension', 'service_account']);
    for (const k of kinds) {
      expect(kindByType(k.type)).toBe(k);
      expect(kindByName(k.kind)).toBe(k);
    }
  });
});

// Each case: source, then the diagnostics expected (message, line:col, hint).
const cases: [string, string, { message: string; at: string; hint?: string }[]][] = [
  [
    'unknown attribute, with a suggestion',
    'database "d" {\n  ownr = "x"\n}',
    [{ message: 'unknown attribute "ownr" in database', at: '2:3', hint: 'did you mean "owner"?' }],
  ],
  [
    'unknown attribute, no close name: the list of attributes',
    'extension "e" {\n  database = "d"\n  zzzzzz = 1\n}',
    [{ message: 'unknown attribute "zzzzzz" in extension', at: '3:3', hint: 'extension has: database, schema, version, cascade, allow_data_loss, name, for_each, count, depends_on, provider' }],
  ],
  [
    'wrong type: expected X, got Y',
    'database "d" {\n  connection_limit = "many"\n  allow_connections = [true]\n}',
    [
      { message: 'connection_limit: expected number, got string', at: '2:22' },
      { message: 'allow_connections: expected bool, got list', at: '3:23' },
    ],
  ],
  [
    'wrong element type inside a list',
    'role "r" {\n  member_of = ["a", ["b"]]\n}',
    [{ message: 'member_of: expected string, got list at [1]', at: '2:15' }],
  ],
  [
    'missing required attribute, at the block',
    'role "r" {}\nschema "s" {\n  owner = role.r\n}',
    [{ message: 'missing required attribute "database" in schema.s', at: '2:1', hint: 'database: the database holding the schema' }],
  ],
  [
    'bad enum value, listing the allowed ones',
    'service_account "a" {\n  database = "d"\n  grant {\n    schema = "s"\n    on = "table"\n    privileges = ["SELECT"]\n  }\n}',
    [
      {
        message: 'on: invalid value "table", expected one of: "tables", "sequences", "functions", "types", "schema", "schemas", "database"',
        at: '5:10',
        hint: 'did you mean "tables"?',
      },
    ],
  ],
  [
    'privileges that do not apply to the target',
    'service_account "a" {\n  database = "d"\n  grant {\n    schema = "s"\n    on = "sequences"\n    privileges = ["SELECT", "EXECUTE"]\n  }\n}',
    [{ message: 'privilege "EXECUTE" does not apply to sequences', at: '6:18', hint: 'allowed on sequences: USAGE, SELECT, UPDATE (or ALL)' }],
  ],
  [
    'future_owners without future = true',
    'role "r" {\n  grant {\n    database = "d"\n    schema = "s"\n    privileges = ["SELECT"]\n    future_owners = ["app_owner"]\n  }\n}',
    [
      {
        message: 'future_owners needs future = true',
        at: '6:21',
        hint: 'future_owners names the roles whose objects created later get these privileges (ALTER DEFAULT PRIVILEGES FOR ROLE …)',
      },
    ],
  ],
  [
    'object-level grants: types need objects; functions a signature; columns one table and column privileges; no future',
    'role "r" {\n  grant {\n    database = "d"\n    schema = "s"\n    on = "types"\n    privileges = ["USAGE"]\n  }\n' +
      '  grant {\n    database = "d"\n    schema = "s"\n    on = "functions"\n    objects = ["total"]\n    privileges = ["EXECUTE"]\n  }\n' +
      '  grant {\n    database = "d"\n    schema = "s"\n    objects = ["a", "b"]\n    columns = ["id"]\n    privileges = ["SELECT", "DELETE"]\n  }\n' +
      '  grant {\n    database = "d"\n    schema = "s"\n    objects = ["a"]\n    future = true\n    privileges = ["SELECT"]\n  }\n' +
      '  grant {\n    database = "d"\n    schema = "s"\n    on = "schema"\n    objects = ["a"]\n    privileges = ["USAGE"]\n  }\n}',
    [
      { message: 'a grant on "types" needs objects', at: '2:3', hint: 'name the types and domains, e.g. objects = ["mood", "email_address"]; or future = true for types created later' },
      { message: 'function "total" needs its argument types', at: '12:15', hint: 'e.g. "total(integer, text)", or "total()" without arguments' },
      { message: 'columns needs on = "tables" and exactly one table in objects', at: '19:15', hint: 'one grant block per table' },
      { message: 'privilege "DELETE" does not apply to columns', at: '20:18', hint: 'allowed on columns: SELECT, INSERT, UPDATE, REFERENCES (or ALL)' },
      {
        message: 'future = true applies to a whole schema, not to named objects',
        at: '26:14',
        hint: 'default privileges are for objects created later: declare them in a grant without objects',
      },
      { message: 'objects applies to tables, sequences, functions and types, not to "schema"', at: '33:15' },
    ],
  ],
  [
    'object names are identifiers (a function: its name before its argument types)',
    'role "r" {\n  grant {\n    database = "d"\n    schema = "s"\n    on = "functions"\n    objects = ["(int)"]\n    privileges = ["EXECUTE"]\n  }\n' +
      '  grant {\n    database = "d"\n    schema = "s"\n    objects = ["' + 'x'.repeat(64) + '"]\n    privileges = ["SELECT"]\n  }\n}',
    [
      { message: 'function "(int)" needs its argument types', at: '6:15', hint: 'e.g. "(int)(integer, text)", or "(int)()" without arguments' },
      { message: `object name "${'x'.repeat(64)}" is 64 bytes long, more than PostgreSQL's limit of 63 bytes (NAMEDATALEN)`, at: '12:15' },
    ],
  ],
  [
    'public_privileges that do not apply to a database or a schema',
    'database "d" {\n  public_privileges = ["CONNECT", "USAGE"]\n}\nschema "s" {\n  database = database.d\n  public_privileges = ["temp"]\n}',
    [
      { message: 'privilege "USAGE" does not apply to a database', at: '2:3', hint: "PUBLIC's privileges on a database: CONNECT, CREATE, TEMPORARY (or ALL)" },
      { message: 'privilege "temp" does not apply to a schema', at: '6:3', hint: "PUBLIC's privileges on a schema: USAGE, CREATE (or ALL)" },
    ],
  ],
  [
    'role "public" is PUBLIC: a located error saying what to write instead',
    'role "public" {}\nservice_account "x" {\n  name = "pg_app"\n  database = "d"\n}',
    [
      {
        message: 'role name "public" is reserved: PUBLIC is every role, not a role xp can create',
        at: '1:1',
        hint: 'declare what PUBLIC may do on a database or schema with public_privileges, e.g. public_privileges = ["CONNECT"] in the database block (or [] to revoke PUBLIC\'s defaults)',
      },
      {
        message: 'role name "pg_app" is reserved: names starting with "pg_" are PostgreSQL\'s predefined roles',
        at: '3:10',
        hint: 'to join a predefined role, list it in member_of (member_of = ["pg_app"]); to create a role of your own, choose a name without "pg_"',
      },
    ],
  ],
  [
    'default privileges only: global (no schema) and on types need future; on schemas needs future and no schema; no grant option',
    'role "r" {\n  grant {\n    database = "d"\n    privileges = ["SELECT"]\n  }\n' +
      '  grant {\n    database = "d"\n    schema = "s"\n    on = "schemas"\n    privileges = ["USAGE"]\n  }\n' +
      '  grant {\n    database = "d"\n    on = "functions"\n    future = true\n    grant_option = true\n    privileges = ["EXECUTE"]\n  }\n' +
      '  grant {\n    database = "d"\n    on = "schemas"\n    future = true\n    privileges = ["USAGE"]\n  }\n' +
      '  grant {\n    database = "d"\n    schema = "s"\n    on = "types"\n    future = true\n    privileges = ["USAGE"]\n  }\n}',
    [
      {
        message: 'missing required attribute "schema" in grant on tables',
        at: '2:3',
        hint: 'without a schema, with future = true: global default privileges (objects created later in any schema)',
      },
      { message: 'a grant on "schemas" needs future = true', at: '6:3', hint: 'on = "schemas" is default privileges on schemas created later; for one schema, on = "schema"' },
      { message: 'a grant on "schemas" takes no schema', at: '8:14', hint: 'PostgreSQL has no default privileges on schemas IN SCHEMA' },
      { message: 'grant_option applies to existing objects; default privileges are granted without it', at: '16:20' },
    ],
  ],
  [
    'a role grant must name its database; a schema is needed unless on = "database"',
    'role "r" {\n  grant {\n    privileges = ["SELECT"]\n  }\n}',
    [
      { message: 'missing required attribute "database" in grant', at: '2:3', hint: 'a role has no database of its own: name one, e.g. database = database.app' },
      {
        message: 'missing required attribute "schema" in grant on tables',
        at: '2:3',
        hint: 'without a schema, with future = true: global default privileges (objects created later in any schema)',
      },
    ],
  ],
  [
    'unknown nested block and unknown attribute in a nested block',
    'role "r" {\n  grants {\n  }\n  lifecycle {\n    prevent_destory = true\n  }\n}',
    [
      { message: 'unknown block "grants" in role', at: '2:3', hint: 'did you mean "grant"?' },
      { message: 'unknown attribute "prevent_destory" in lifecycle', at: '5:5', hint: 'did you mean "prevent_destroy"?' },
    ],
  ],
  [
    'connection_secret only on service accounts, once, with a known format',
    'role "r" {\n  connection_secret {\n    path = "x"\n  }\n}\nservice_account "a" {\n  database = "d"\n  connection_secret {\n    path = "x"\n    format = "yaml"\n  }\n}',
    [
      { message: 'unknown block "connection_secret" in role', at: '2:3', hint: 'role has blocks: grant, membership, member, lifecycle' },
      { message: 'format: invalid value "yaml", expected one of: "dotenv", "json", "uri"', at: '10:14' },
    ],
  ],
  [
    'lifecycle values',
    'database "d" {\n  lifecycle {\n    deletion_policy = "orphans"\n    ignore_changes = [comentt]\n  }\n}',
    [
      { message: 'deletion_policy: invalid value "orphans", expected one of: "delete", "orphan"', at: '3:23', hint: 'did you mean "orphan"?' },
      { message: 'ignore_changes: database has no attribute "comentt"', at: '4:23', hint: 'did you mean "comment"?' },
    ],
  ],
  [
    'the same membership or member twice with different options, at the second block',
    'role "r" {\n  membership {\n    role = "a"\n  }\n  membership {\n    role  = "a"\n    admin = true\n  }\n  member {\n    role = "m"\n  }\n  member {\n    role = "m"\n    set  = false\n  }\n}',
    [
      { message: 'the membership in "a" is declared twice with different options', at: '5:3', hint: 'keep one membership block per role' },
      { message: 'the member "m" is declared twice with different options', at: '12:3', hint: 'keep one member block per role' },
    ],
  ],
  [
    'an attribute set twice',
    'role "r" {\n  comment = "a"\n  comment = "b"\n}',
    [{ message: 'attribute "comment" is set twice', at: '3:3', hint: 'first set at main.xp:2:3' }],
  ],
  [
    'a function called wrongly, at the argument',
    'role "r" {\n  comment = upper(["x"])\n}\nrole "q" {\n  comment = lower("a", "b")\n}',
    [
      { message: 'upper: argument 1 must be a string, got list', at: '2:19' },
      { message: 'lower: expected 1 argument, got 2 (lower(string))', at: '5:13' },
    ],
  ],
  // value domains (src/kinds/domains.ts): each value PostgreSQL would refuse, at validate time
  [
    'valid_until that is not a real ISO 8601 timestamp',
    'service_account "a" {\n  database = "d"\n  valid_until = "garbage"\n}\nservice_account "b" {\n  database = "d"\n  valid_until = "2030-13-45"\n}\nservice_account "c" {\n  database = "d"\n  valid_until = "+99"\n}',
    [
      { message: 'valid_until: must be an ISO 8601 timestamp such as 2027-01-01T00:00:00Z (or 2027-01-01, 2027-01-01 12:00:00+02:00), or "infinity"', at: '3:17' },
      { message: 'valid_until: month 13 does not exist', at: '7:17' },
      { message: 'valid_until: must be an ISO 8601 timestamp such as 2027-01-01T00:00:00Z (or 2027-01-01, 2027-01-01 12:00:00+02:00), or "infinity"', at: '11:17' },
    ],
  ],
  [
    'a name of 33 two-byte characters: 66 bytes',
    `role "r" {\n  name = "${'é'.repeat(33)}"\n}`,
    [{ message: "name is 66 bytes long, more than PostgreSQL's limit of 63 bytes (NAMEDATALEN)", at: '2:10' }],
  ],
  [
    'a name from a label longer than 63 bytes',
    `role "${'r'.repeat(64)}" {}`,
    [{ message: `the name "${'r'.repeat(64)}" (from the label) is 64 bytes long, more than PostgreSQL's limit of 63 bytes (NAMEDATALEN)`, at: '1:1', hint: 'set a shorter name with name = "…"' }],
  ],
  [
    'a NUL character in any string, in a list, a map key or a nested block',
    'role "r" {\n  comment = "a\\u0000b"\n  member_of = ["x", "y\\u0000"]\n  settings = { "a.b\\u0000" = "1" }\n}\nservice_account "s" {\n  database = "d"\n  connection_secret {\n    path = "x\\u0000"\n  }\n}',
    [
      { message: 'comment: must not contain a NUL character (\\u0000)', at: '2:13' },
      { message: 'member_of[1]: must not contain a NUL character (\\u0000)', at: '3:15' },
      { message: 'settings["a.b\\u0000"]: the key must not contain a NUL character (\\u0000)', at: '4:14' },
      { message: 'path: must not contain a NUL character (\\u0000)', at: '9:12' },
    ],
  ],
  [
    'half a surrogate pair (no UTF-8 form), in a name or any string',
    'role "r" {\n  name = "r\\ud800"\n}\nrole "q" {\n  comment = "\\udc00x"\n}',
    [
      { message: 'name must be valid Unicode: \\uD800 is half of a surrogate pair', at: '2:10' },
      { message: 'comment: must be valid Unicode: \\uDC00 is half of a surrogate pair', at: '5:13' },
    ],
  ],
  [
    'a settings key that cannot be a setting name',
    'role "r" {\n  settings = { "work mem" = "1MB" }\n}\nrole "q" {\n  settings = { "myapp..x" = "1", "DateStyle" = "ISO", "my_app.tenant$1" = "a" }\n}',
    [
      { message: 'settings["work mem"]: the key is not a setting name: a name such as work_mem, or names joined by dots for a custom setting (myapp.tenant)', at: '2:14' },
      { message: 'settings["myapp..x"]: the key is not a setting name: a name such as work_mem, or names joined by dots for a custom setting (myapp.tenant)', at: '5:14' },
    ],
  ],
  [
    'identifiers: empty or longer than 63 bytes, in a list too',
    `database "d" {\n  owner = ""\n  template = "${'t'.repeat(64)}"\n}\nrole "r" {\n  member_of = ["${'m'.repeat(64)}"]\n}`,
    [
      { message: 'owner: must not be empty', at: '2:11' },
      { message: "template: is 64 bytes long, more than PostgreSQL's limit of 63 bytes (NAMEDATALEN)", at: '3:14' },
      { message: "member_of[0]: is 64 bytes long, more than PostgreSQL's limit of 63 bytes (NAMEDATALEN)", at: '6:15' },
    ],
  ],
  [
    'connection_limit below -1, not whole, beyond int4',
    'role "a" {\n  connection_limit = -5\n}\nrole "b" {\n  connection_limit = 1.5\n}\ndatabase "c" {\n  connection_limit = 1e20\n}\nservice_account "d" {\n  database = "x"\n  connection_limit = 2147483648\n}',
    [
      { message: 'connection_limit: must be from -1 to 2147483647, got -5', at: '2:22' },
      { message: 'connection_limit: must be a whole number, got 1.5', at: '5:22' },
      { message: 'connection_limit: must be from -1 to 2147483647, got 100000000000000000000', at: '8:22' },
      { message: 'connection_limit: must be from -1 to 2147483647, got 2147483648', at: '12:22' },
    ],
  ],
  [
    'a sensitive value out of its domain is not shown',
    'variable "n" {\n  type = number\n  sensitive = true\n  default = 1.5\n}\nrole "r" {\n  connection_limit = var.n\n}',
    [{ message: 'connection_limit: must be a whole number', at: '7:22' }],
  ],
];

describe('diagnostics for invalid resources', () => {
  it.each(cases)('%s', (_name, source, expected) => {
    expect(diagnosticsOf(source)).toEqual(expected.map((e) => ({ hint: undefined, ...e })));
  });
});

// `database "x" {}` → xplane kind Database.
import { BOOL, NUMBER, STRING, mapOf } from '../model/type-spec.js';
import type { KindDefinition } from './kind.js';
import { publicPrivilegesAttribute, publicPrivilegesProblems } from './grant.js';
import { CONNECTION_LIMIT, ENCODING, IDENTIFIER, NONEMPTY_TEXT, SETTING_NAME } from './domains.js';

export const databaseKind: KindDefinition = {
  type: 'database',
  kind: 'Database',
  description: 'a database',
  perDatabase: false,
  namespace: 'database',
  attributes: {
    owner: { type: STRING, description: 'owning role (default: the role xp connects as)', references: ['role', 'service_account'] },
    encoding: { type: STRING, domain: ENCODING, description: 'character set encoding', default: 'UTF8', immutable: true },
    lc_collate: { type: STRING, domain: NONEMPTY_TEXT, description: 'collation order (default: the server default)', immutable: true },
    lc_ctype: { type: STRING, domain: NONEMPTY_TEXT, description: 'character classification (default: the server default)', immutable: true },
    template: { type: STRING, description: 'template database to copy at creation', default: 'template1', unobserved: 'create-only', references: ['database'] },
    connection_limit: { type: NUMBER, domain: CONNECTION_LIMIT, description: 'maximum concurrent connections (-1: no limit)', default: -1 },
    allow_connections: { type: BOOL, description: 'whether anyone can connect', default: true },
    is_template: { type: BOOL, description: 'whether any role with CREATEDB may copy it (CREATE DATABASE … TEMPLATE)', default: false },
    tablespace: {
      type: STRING,
      domain: IDENTIFIER,
      description: "default tablespace (null: the template's, not compared); a change moves the database (ALTER DATABASE … SET TABLESPACE)",
      default: null,
      nullMeansAny: true,
    },
    settings: { type: mapOf(STRING), keyDomain: SETTING_NAME, description: 'ALTER DATABASE … SET parameters, for every role (authoritative)', default: {} },
    comment: { type: STRING, description: 'COMMENT ON DATABASE (not set: left as it is; "": none)', unmanagedWhenUnset: true },
    public_privileges: publicPrivilegesAttribute('database'),
    allow_data_loss: {
      type: BOOL,
      description: 'destroy even when the database holds user objects (tables, views, sequences, functions, large objects, …)',
      default: false,
      unobserved: 'delete-only',
    },
  },
  blocks: {},
  finalize: (spec) => publicPrivilegesProblems(spec, 'database'),
};

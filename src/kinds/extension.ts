// `extension "x" {}` → xplane kind Extension.
import { BOOL, STRING } from '../model/type-spec.js';
import type { KindDefinition } from './kind.js';
import { NONEMPTY_TEXT } from './domains.js';

export const extensionKind: KindDefinition = {
  type: 'extension',
  kind: 'Extension',
  description: 'an extension in a database',
  perDatabase: true,
  namespace: 'extension',
  attributes: {
    database: { type: STRING, description: 'the database to install the extension in', required: true, references: ['database'], immutable: true },
    schema: { type: STRING, description: "schema for the extension's objects (default: the extension's own)", default: null, references: ['schema'], nullMeansAny: true },
    version: { type: STRING, domain: NONEMPTY_TEXT, description: 'version to install (default: the default version)', default: null, nullMeansAny: true },
    cascade: {
      type: BOOL,
      description: 'also install the extensions it requires that are missing (CREATE EXTENSION … CASCADE); they are not managed by xp',
      default: false,
      unobserved: 'create-only',
    },
    allow_data_loss: {
      type: BOOL,
      description: 'destroy even when objects of other extensions or users depend on it (DROP EXTENSION … CASCADE)',
      default: false,
      unobserved: 'delete-only',
    },
  },
  blocks: {},
};

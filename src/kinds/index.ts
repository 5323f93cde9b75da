// The registry of kinds. Adding a kind is one TypeScript module here and one SQL file in sql/.
import type { KindName, ResourceType } from '../model/types.js';
import { databaseKind } from './database.js';
import { extensionKind } from './extension.js';
import type { KindDefinition } from './kind.js';
import { roleKind } from './role.js';
import { schemaKind } from './schema.js';
import { serviceAccountKind } from './service-account.js';

export type { AttributeSchema, BlockSchema, KindDefinition, SpecProblem } from './kind.js';

/** In dependency-friendly order: what usually comes first is listed first. */
export const kinds: readonly KindDefinition[] = [databaseKind, roleKind, schemaKind, extensionKind, serviceAccountKind];

const byType = new Map<string, KindDefinition>(kinds.map((k) => [k.type, k]));
const byKind = new Map<string, KindDefinition>(kinds.map((k) => [k.kind, k]));

export function kindByType(type: string): KindDefinition | undefined {
  return byType.get(type);
}

export function kindByName(kind: KindName | string): KindDefinition | undefined {
  return byKind.get(kind);
}

export const resourceTypes: readonly ResourceType[] = kinds.map((k) => k.type);

/** Meta-arguments every resource accepts besides its kind's attributes. */
export const metaArguments = ['name', 'for_each', 'count', 'depends_on', 'provider'] as const;
export const metaBlocks = ['lifecycle'] as const;

export const lifecycleAttributes = ['prevent_destroy', 'deletion_policy', 'ignore_changes'] as const;
export const deletionPolicies = ['delete', 'orphan'] as const;

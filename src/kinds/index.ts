// The registry of kinds. Adding a kind is one TypeScript module here and one SQL file in sql/;
// adding an attribute is one entry in the kind's module and its keys in the kind's SQL file
// (test/kinds/contract.test.ts holds the two, and docs/kinds, together).
import type { KindName, ResourceType } from '../model/types.js';
import { databaseKind } from './database.js';
import { extensionKind } from './extension.js';
import { attributeRule, blockRule, type KindDefinition, type SpecKeyRule } from './kind.js';
import { roleKind } from './role.js';
import { schemaKind } from './schema.js';
import { serviceAccountKind } from './service-account.js';

export type { AttributeSchema, AttributeShape, BlockSchema, KindDefinition, SpecKeyRule, SpecProblem, Unobserved } from './kind.js';

/** In dependency-friendly order: what usually comes first is listed first. */
export const kinds: readonly KindDefinition[] = [databaseKind, roleKind, schemaKind, extensionKind, serviceAccountKind];

const byType = new Map<string, KindDefinition>(kinds.map((k) => [k.type, k]));
const byKind = new Map<string, KindDefinition>(kinds.map((k) => [k.kind, k]));

export function kindByType(type: string): KindDefinition | undefined {
  return byType.get(type);
}

export function kindByName(kind: string): KindDefinition | undefined {
  return byKind.get(kind);
}

/** A kind's spec keys in declaration order (its attributes, then the keys its blocks compile to), with their rules. */
function specKeyRulesOf(kind: KindDefinition): ReadonlyMap<string, SpecKeyRule> {
  const rules = new Map<string, SpecKeyRule>();
  for (const [key, schema] of Object.entries(kind.attributes)) rules.set(key, attributeRule(schema));
  for (const block of Object.values(kind.blocks)) if (block.specKey) rules.set(block.specKey, blockRule(block));
  return rules;
}

const rulesByKind = new Map<string, ReadonlyMap<string, SpecKeyRule>>(kinds.map((k) => [k.kind, specKeyRulesOf(k)]));

/**
 * The keys of a kind's spec in declaration order (its attributes, then the keys its blocks
 * compile to) with how the planner compares each: what src/plan/diff.ts reads.
 */
export function specKeyRules(kind: KindName): ReadonlyMap<string, SpecKeyRule> {
  return rulesByKind.get(kind)!;
}

export const resourceTypes: readonly ResourceType[] = kinds.map((k) => k.type);

/** Meta-arguments every resource accepts besides its kind's attributes. */
export const metaArguments = ['name', 'for_each', 'count', 'depends_on', 'provider'] as const;
export const metaBlocks = ['lifecycle'] as const;

export const lifecycleAttributes = ['prevent_destroy', 'deletion_policy', 'ignore_changes'] as const;
export const deletionPolicies = ['delete', 'orphan'] as const;

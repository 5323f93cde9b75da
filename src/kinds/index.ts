// The registry of kinds. Adding a kind is one TypeScript module here and one SQL file in sql/;
// adding an attribute is one entry in the kind's module and its keys in the kind's SQL file
// (test/kinds/contract.test.ts holds the two, and docs/kinds, together).
import type { KindName, ResourceType } from '../model/types.js';
import { databaseKind } from './database.js';
import { extensionKind } from './extension.js';
import { attributeRule, blockRule, type AttributeSchema, type KindDefinition, type SpecKeyRule } from './kind.js';
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

/** The cluster or database namespace an attribute's string names. */
export type NamedNamespace = 'database' | 'role' | 'schema';

/** The attributes of a kind (and of its nested blocks) whose values name a database, role or schema. */
export interface NamingAttributes {
  attributes: ReadonlyArray<{ attr: string; namespace: NamedNamespace }>;
  blocks: ReadonlyArray<{ type: string; specKey: string; attributes: ReadonlyArray<{ attr: string; namespace: NamedNamespace }> }>;
}

function namespaceOf(schema: AttributeSchema): NamedNamespace | null {
  const spaces = new Set((schema.references ?? []).map((t) => byType.get(t)?.namespace));
  if (spaces.has('database')) return 'database';
  if (spaces.has('role')) return 'role';
  if (spaces.has('schema')) return 'schema';
  return null;
}

const namingOf = (attrs: Record<string, AttributeSchema>) =>
  Object.entries(attrs).flatMap(([attr, schema]) => {
    const namespace = namespaceOf(schema);
    return namespace ? [{ attr, namespace }] : [];
  });

const namingByKind = new Map<string, NamingAttributes>(
  kinds.map((k) => [
    k.kind,
    {
      attributes: namingOf(k.attributes),
      blocks: Object.entries(k.blocks).flatMap(([type, block]) => {
        const attributes = namingOf(block.attributes);
        return block.specKey && attributes.length > 0 ? [{ type, specKey: block.specKey, attributes }] : [];
      }),
    },
  ]),
);

/** Which attributes of a kind name a database, role or schema (from their `references`). */
export function namingAttributes(kind: KindName): NamingAttributes {
  return namingByKind.get(kind)!;
}

export const resourceTypes: readonly ResourceType[] = kinds.map((k) => k.type);

/** Meta-arguments every resource accepts besides its kind's attributes. */
export const metaArguments = ['name', 'for_each', 'count', 'depends_on', 'provider'] as const;
export const metaBlocks = ['lifecycle'] as const;

export const lifecycleAttributes = ['prevent_destroy', 'deletion_policy', 'ignore_changes'] as const;
export const deletionPolicies = ['delete', 'orphan'] as const;

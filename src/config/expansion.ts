// for_each and count: the instance keys of a resource or module block, each with the scope its
// instance is evaluated in (each.key/each.value, count.index). One place for both kinds of
// block, so that a module's for_each accepts and refuses exactly what a resource's does.
import type { Attribute } from '../dsl/ast.js';
import type { DiagnosticSink, EvalContext, Scope } from './context.js';
import { FAILED } from './context.js';
import { evalAttribute } from './expressions.js';
import { convert } from './type-constraints.js';
import { ResourceGroup, ResourceRef, UNKNOWN, containsSensitive, containsUnknown, expandGroup, isObject, typeOfValue, unwrap } from './values.js';

/** The most instances one `count` makes (range() has the same limit on elements). */
export const MAX_COUNT = 1_000_000;

/** The keys of one block's instances and their scopes, in order; undefined when they cannot be known (reported). */
export function expansionKeys(
  forEach: Attribute | undefined,
  count: Attribute | undefined,
  base: Scope,
  ctx: EvalContext,
  /** "resource" or "module", for the messages. */
  what: string,
): { mode: 'for_each' | 'count'; keys: { key: string | number; scope: Scope }[] } | undefined {
  const diagnostics: DiagnosticSink = ctx.diagnostics;
  const keys: { key: string | number; scope: Scope }[] = [];
  if (forEach) {
    const v = evalAttribute(forEach, base, ctx);
    if (v === FAILED) return undefined;
    const { value, sensitive } = unwrap(v);
    const plain = value instanceof ResourceGroup ? expandGroup(value) : value;
    if (sensitive || containsSensitive(plain)) {
      diagnostics.report(forEach.value.range, 'for_each must not be sensitive', 'instance keys appear in addresses and plans');
      return undefined;
    }
    if (containsUnknown(plain)) {
      diagnostics.report(forEach.value.range, 'for_each depends on values known only after apply', `the instances of a ${what} must be known at plan time`);
      return undefined;
    }
    if (Array.isArray(plain)) {
      const seen = new Set<string>();
      for (const item of plain) {
        const s = item instanceof ResourceRef ? item.instance.name() : unwrap(item).value;
        if (typeof s !== 'string') {
          diagnostics.report(forEach.value.range, `for_each must be a set of strings or a map, got a list containing ${typeOfValue(item)}`);
          return undefined;
        }
        if (seen.has(s)) {
          diagnostics.report(forEach.value.range, `for_each has the key "${s}" twice`, 'use toset(…) to remove duplicates');
          return undefined;
        }
        seen.add(s);
      }
      for (const s of [...seen].sort()) keys.push({ key: s, scope: { ...base, each: { key: s, value: s } } });
    } else if (isObject(plain)) {
      for (const k of Object.keys(plain).sort()) keys.push({ key: k, scope: { ...base, each: { key: k, value: plain[k]! } } });
    } else {
      diagnostics.report(forEach.value.range, `for_each must be a set of strings or a map, got ${typeOfValue(plain)}`);
      return undefined;
    }
    return { mode: 'for_each', keys };
  }
  const v = evalAttribute(count!, base, ctx);
  if (v === FAILED) return undefined;
  const { value } = unwrap(v);
  if (value === UNKNOWN) {
    diagnostics.report(count!.value.range, 'count depends on values known only after apply', `the instances of a ${what} must be known at plan time`);
    return undefined;
  }
  const n = convert(value, { t: 'number' });
  if (!n.ok || typeof n.value !== 'number' || !Number.isInteger(n.value) || n.value < 0) {
    diagnostics.report(count!.value.range, `count must be a whole number ≥ 0, got ${n.ok ? JSON.stringify(n.value) : typeOfValue(value)}`);
    return undefined;
  }
  if (n.value > MAX_COUNT) {
    // as range(): a typo (1e20) would otherwise run out of memory instead of being reported
    diagnostics.report(count!.value.range, `count must be at most ${MAX_COUNT.toLocaleString('en')}, got ${n.value}`);
    return undefined;
  }
  for (let i = 0; i < n.value; i++) keys.push({ key: i, scope: { ...base, countIndex: i } });
  return { mode: 'count', keys };
}

// What --replace and --target name: a resource, an instance, or every instance of a resource.
// --target narrows a plan to the named resources plus what they depend on (apply) or what
// depends on them (destroy); a name that matches nothing is a plan error.
import { addressCovers } from '../model/address.js';
import type { PlanError, PlanOptions, ResourcePlan } from './types.js';

/**
 * `schema.tenant` matches itself and every instance `schema.tenant[…]`; `module.tenant` every
 * resource of every instance of the module, `module.tenant["acme"]` those of that instance.
 */
export function addressMatches(pattern: string, address: string): boolean {
  return addressCovers(pattern, address);
}

/** A step of the plan being assembled, and whether the configuration declares it. */
interface Selectable {
  plan: Pick<ResourcePlan, 'address' | 'dependsOn'>;
  declared?: unknown;
}

/** --replace names that match no declared resource. */
export function unknownReplaces(entries: readonly Selectable[], replace: readonly string[]): PlanError[] {
  return replace
    .filter((p) => !entries.some((e) => e.declared && addressMatches(p, e.plan.address)))
    .map((p) => ({ code: 'unknown_replace', address: p, message: `--replace ${p}: no such resource in the configuration.` }));
}

/** The entries --target selects (all of them without one); a target that matches nothing is an error. */
export function selectTargets<E extends Selectable>(entries: E[], opts: Pick<PlanOptions, 'targets' | 'destroy'>, errors: PlanError[]): E[] {
  if (opts.targets.length === 0) return entries;
  const addresses = entries.map((e) => e.plan.address);
  const chosen = new Set<string>();
  for (const t of opts.targets) {
    const hits = addresses.filter((a) => addressMatches(t, a));
    if (hits.length === 0) errors.push({ code: 'unknown_target', address: t, message: `--target ${t}: no such resource in the configuration or the stack.` });
    hits.forEach((a) => chosen.add(a));
  }
  const byAddress = new Map(entries.map((e) => [e.plan.address, e]));
  // What depends on each address (destroy), built once rather than scanned per address.
  const dependents = new Map<string, string[]>();
  if (opts.destroy) {
    for (const e of entries) {
      for (const d of new Set(e.plan.dependsOn)) {
        const list = dependents.get(d);
        if (list) list.push(e.plan.address);
        else dependents.set(d, [e.plan.address]);
      }
    }
  }
  const queue = [...chosen];
  while (queue.length > 0) {
    const a = queue.pop()!;
    const next = opts.destroy ? (dependents.get(a) ?? []) : (byAddress.get(a)?.plan.dependsOn ?? []);
    for (const n of next) {
      if (!chosen.has(n) && byAddress.has(n)) {
        chosen.add(n);
        queue.push(n);
      }
    }
  }
  return entries.filter((e) => chosen.has(e.plan.address));
}

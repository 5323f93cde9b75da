// The plan as JSON (`xp plan --json`), documented in docs/plan-format.md. The Plan value with
// sensitive spec values masked and keys in a fixed order, so that the output is stable.
import type { JsonObject, Plan, ResourcePlan } from '../plan/types.js';

export const SENSITIVE_MARK = '(sensitive)';

function maskSpec(r: ResourcePlan): JsonObject {
  if (!r.sensitivePaths || r.sensitivePaths.length === 0) return r.spec;
  const spec: JsonObject = { ...r.spec };
  for (const k of r.sensitivePaths) if (k in spec) spec[k] = SENSITIVE_MARK;
  return spec;
}

/** The plan with sensitive values masked: what may be printed. */
export function redactPlan(plan: Plan): Plan {
  return { ...plan, resources: plan.resources.map((r) => ({ ...r, spec: maskSpec(r) })) };
}

/** Object keys sorted recursively: the same plan always prints the same bytes. */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sorted(x);
    }
    return out;
  }
  return v;
}

export interface PlanJsonOptions {
  /** Indentation (default 2); 0 prints one line. */
  indent?: number;
}

export function renderPlanJson(plan: Plan, options: PlanJsonOptions = {}): string {
  return JSON.stringify(sorted(redactPlan(plan)), null, options.indent ?? 2) + '\n';
}

// The desired spec of an instance as JSON for the SQL provider (observe_many / normalize_spec),
// and where its values are masked. The password never leaves the client: it is removed here
// (apply sends a SCRAM verifier instead, src/apply), and normalize_spec removes it too.
import { Sensitive, UNKNOWN, type ResourceInstance, type Value } from '../config/types.js';
import type { Json, JsonObject } from './types.js';

export const PASSWORD_KEY = 'password';

function toJson(v: Value): Json {
  if (v === UNKNOWN) return null;
  if (v instanceof Sensitive) return toJson(v.value as Value);
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = toJson(x as Value);
    return out;
  }
  return v as Json;
}

/** The spec sent to observe_many: markers unwrapped, unknown keys left out, no password. */
export function desiredSpecJson(instance: Pick<ResourceInstance, 'spec'>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(instance.spec)) {
    if (k === PASSWORD_KEY || v === UNKNOWN) continue;
    out[k] = toJson(v);
  }
  return out;
}

export type Mask = 'sensitive' | 'unknown' | undefined;

/** How a top-level desired value must be shown: hidden, unknown, or as is. */
export function maskOf(v: Value | undefined): Mask {
  if (v === undefined) return undefined;
  if (v === UNKNOWN) return 'unknown';
  if (v instanceof Sensitive) return 'sensitive';
  if (Array.isArray(v)) {
    const inner = v.map(maskOf);
    if (inner.includes('sensitive')) return 'sensitive';
    if (inner.includes('unknown')) return 'unknown';
    return undefined;
  }
  if (v !== null && typeof v === 'object') return maskOf(Object.values(v) as Value[]);
  return undefined;
}

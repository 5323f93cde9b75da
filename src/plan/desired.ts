// The desired spec of an instance as JSON for the SQL provider (observe_many / normalize_spec),
// and where its values are masked. The password never leaves the client: it is removed here
// (apply sends a SCRAM verifier instead, src/apply), and normalize_spec removes it too.
import { Sensitive, UNKNOWN, type ResourceInstance, type Value } from '../model/types.js';
import type { Json, JsonObject } from './types.js';

export const PASSWORD_KEY = 'password';

function toJson(v: Value): Json {
  if (v === UNKNOWN) return null;
  if (v instanceof Sensitive) return toJson(v.value as Value);
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === 'object') {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) out[k] = toJson(v[k]!);
    return out;
  }
  return v;
}

/** Instances are final once evaluated; a plan asks for each one's spec twice (observe, renames). */
const specs = new WeakMap<Pick<ResourceInstance, 'spec'>, JsonObject>();

/** The spec sent to observe_many: markers unwrapped, unknown keys left out, no password. Read only. */
export function desiredSpecJson(instance: Pick<ResourceInstance, 'spec'>): JsonObject {
  const known = specs.get(instance);
  if (known) return known;
  const out: JsonObject = {};
  for (const k of Object.keys(instance.spec)) {
    const v = instance.spec[k]!;
    if (k === PASSWORD_KEY || v === UNKNOWN) continue;
    out[k] = toJson(v);
  }
  specs.set(instance, out);
  return out;
}

export type Mask = 'sensitive' | 'unknown' | undefined;

/** How a top-level desired value must be shown: hidden, unknown, or as is. */
export function maskOf(v: Value | undefined): Mask {
  if (v === undefined) return undefined;
  if (v === UNKNOWN) return 'unknown';
  if (v instanceof Sensitive) return 'sensitive';
  if (Array.isArray(v)) return innerMask(v);
  if (v !== null && typeof v === 'object') return innerMask(Object.values(v));
  return undefined;
}

/** The mask of a list or map: sensitive when any element is, else unknown when any is. */
function innerMask(values: readonly Value[]): Mask {
  let unknown = false;
  for (const x of values) {
    const mask = maskOf(x);
    if (mask === 'sensitive') return 'sensitive';
    if (mask === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : undefined;
}

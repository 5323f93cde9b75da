// Canonical JSON: object keys sorted, so equal values print equal (jsonb does not keep key
// order, and a fingerprint must not depend on it).
//
// canonicalJson and jsonEqual run for every resource of every plan (hashes, the fingerprint,
// the diff), so they are plain loops: no intermediate arrays beyond each object's keys.
import { createHash } from 'node:crypto';
import type { Json } from './types.js';

const isObjectLike = (v: unknown): v is object => v !== null && typeof v === 'object';

/** JSON text of a non-object: what JSON.stringify prints, `null` where it prints nothing. */
function primitiveJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

export function canonicalJson(value: unknown): string {
  if (!isObjectLike(value)) return primitiveJson(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  let out = '{';
  let separator = '';
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined) continue;
    out += separator + JSON.stringify(k) + ':' + canonicalJson(v);
    separator = ',';
  }
  return out + '}';
}

/**
 * Whether two values print the same canonical JSON, compared structurally: object key order
 * does not matter, keys whose value is undefined do not count.
 */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameJson(a, b);
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Two different non-objects can still print alike (NaN and undefined print as null).
  if (!isObjectLike(a) || !isObjectLike(b)) return !isObjectLike(a) && !isObjectLike(b) && primitiveJson(a) === primitiveJson(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k of Object.keys(x)) {
    if (x[k] === undefined) continue;
    defined++;
    // hasOwn: a name y only inherits (`constructor`) is not one of its keys
    if (y[k] === undefined || !Object.hasOwn(y, k) || !sameJson(x[k], y[k])) return false;
  }
  for (const k of Object.keys(y)) if (y[k] !== undefined) defined--;
  return defined === 0;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** An address cut into its runs of digits and of other characters. */
function addressParts(address: string): string[] {
  return address.match(/(\d+)|(\D+)/g) ?? [];
}

/** compareAddresses on two addresses and their parts (sorting cuts each address once). */
function compareAddressParts(a: string, pa: readonly string[], b: string, pb: readonly string[]): number {
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Natural order for addresses: `x[2]` before `x[10]`, otherwise by code point. */
export function compareAddresses(a: string, b: string): number {
  return compareAddressParts(a, addressParts(a), b, addressParts(b));
}

/** Items in compareAddresses order of their address, each address cut into parts once. */
export function sortByAddress<T>(items: Iterable<T>, addressOf: (item: T) => string): T[] {
  const list = [...items];
  if (list.length < 2) return list; // nothing to compare (most dependsOn lists)
  const keyed = list.map((item) => {
    const address = addressOf(item);
    return { item, address, parts: addressParts(address) };
  });
  keyed.sort((x, y) => compareAddressParts(x.address, x.parts, y.address, y.parts));
  return keyed.map((k) => k.item);
}

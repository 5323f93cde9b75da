// Values during evaluation: the JSON-like `Value` of model/types.ts plus references to resources,
// which become PostgreSQL names when they leave the evaluator (a reference "used where a
// name is expected means that resource's PostgreSQL name"). The helpers here are the one
// place that knows how unknown and sensitive markers travel through an operation.
import { Sensitive, UNKNOWN, type ResourceType, type Value } from '../model/types.js';

/** A handle on one resource instance, as an expression sees it (`role.x`, `schema.t["a"]`). */
export interface InstanceHandle {
  readonly address: string;
  readonly type: ResourceType;
  /** The PostgreSQL name (always known: `name` must be known at plan time). */
  name(): string | typeof UNKNOWN;
  /** An attribute of the instance (`database.x.owner`); `undefined` when the kind has no such attribute. */
  attribute(name: string): EvalValue | undefined;
  /** Attribute names a reference may read, for "did you mean". */
  attributeNames(): string[];
}

export class ResourceRef {
  constructor(readonly instance: InstanceHandle) {}
}

/** `schema.tenant` of a resource with `for_each` or `count`: a map or a list of instances. */
export class ResourceGroup {
  constructor(
    readonly address: string,
    readonly mode: 'for_each' | 'count',
    readonly instances: ReadonlyMap<string | number, ResourceRef>,
  ) {}
}

export type EvalValue =
  | string
  | number
  | boolean
  | null
  | typeof UNKNOWN
  | Sensitive<EvalValue>
  | ResourceRef
  | ResourceGroup
  | EvalValue[]
  | { [key: string]: EvalValue };

export function isObject(v: EvalValue): v is { [key: string]: EvalValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Sensitive) &&
    !(v instanceof ResourceRef) && !(v instanceof ResourceGroup);
}

/** A group as a plain list (count) or object (for_each) of references. */
export function expandGroup(g: ResourceGroup): EvalValue {
  if (g.mode === 'count') return [...g.instances.values()];
  const out: { [key: string]: EvalValue } = {};
  for (const [k, ref] of g.instances) out[String(k)] = ref;
  return out;
}

/** Strips one level of sensitivity, telling whether there was one. */
export function unwrap(v: EvalValue): { value: EvalValue; sensitive: boolean } {
  let sensitive = false;
  while (v instanceof Sensitive) {
    sensitive = true;
    v = v.value;
  }
  return { value: v, sensitive };
}

export function wrap(v: EvalValue, sensitive: boolean): EvalValue {
  return sensitive && !(v instanceof Sensitive) ? new Sensitive<EvalValue>(v) : v;
}

/** Removes every sensitive marker (deep), telling whether there was one; groups are expanded. */
export function deepUnwrap(v: EvalValue): { value: EvalValue; sensitive: boolean } {
  if (typeof v !== 'object' || v === null) return { value: v, sensitive: false }; // a scalar: most attributes
  let sensitive = false;
  const walk = (x: EvalValue): EvalValue => {
    if (x instanceof Sensitive) {
      sensitive = true;
      return walk(x.value);
    }
    if (x instanceof ResourceGroup) return walk(expandGroup(x));
    if (Array.isArray(x)) return x.map(walk);
    if (isObject(x)) {
      const out: { [key: string]: EvalValue } = {};
      for (const k of Object.keys(x)) out[k] = walk(x[k]!);
      return out;
    }
    return x;
  };
  const value = walk(v);
  return { value, sensitive };
}

export function containsUnknown(v: EvalValue): boolean {
  if (v === UNKNOWN) return true;
  if (v instanceof Sensitive) return containsUnknown(v.value);
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (isObject(v)) return Object.values(v).some(containsUnknown);
  return false;
}

export function containsSensitive(v: EvalValue): boolean {
  if (v instanceof Sensitive) return true;
  if (Array.isArray(v)) return v.some(containsSensitive);
  if (isObject(v)) return Object.values(v).some(containsSensitive);
  return false;
}

/** The name of a value's type, as messages say it ("expected string, got list"). */
export function typeOfValue(v: EvalValue): string {
  if (v === null) return 'null';
  if (v === UNKNOWN) return 'unknown';
  if (v instanceof Sensitive) return typeOfValue(v.value);
  if (v instanceof ResourceRef) return `reference to ${v.instance.address}`;
  if (v instanceof ResourceGroup) return v.mode === 'count' ? 'list' : 'map';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** The value as it leaves evaluation: references become names, groups become lists/maps of names. */
export function toPlain(v: EvalValue): Value {
  if (v instanceof ResourceRef) return v.instance.name();
  if (v instanceof ResourceGroup) return toPlain(expandGroup(v));
  if (v instanceof Sensitive) return new Sensitive(toPlain(v.value));
  if (Array.isArray(v)) return v.map(toPlain);
  if (isObject(v)) {
    const out: { [key: string]: Value } = {};
    for (const k of Object.keys(v)) out[k] = toPlain(v[k]!);
    return out;
  }
  return v;
}

/** Deep equality of evaluated values (references compare by address). */
export function valuesEqual(a: EvalValue, b: EvalValue): boolean {
  if (a instanceof Sensitive) a = a.value;
  if (b instanceof Sensitive) b = b.value;
  if (a instanceof ResourceRef) a = a.instance.name();
  if (b instanceof ResourceRef) b = b.instance.name();
  if (a instanceof ResourceGroup) a = expandGroup(a);
  if (b instanceof ResourceGroup) b = expandGroup(b);
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]!));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && valuesEqual(a[k]!, b[k]!));
  }
  return false;
}

export { Sensitive, UNKNOWN };

// What every built-in function shares: the error it throws, its definition, and the argument
// readers that check a type and say what was expected (`upper: argument 1 must be a string,
// got list`).
import { convert } from './type-constraints.js';
import { type TypeSpec, STRING, NUMBER } from '../model/type-spec.js';
import { ResourceGroup, ResourceRef, expandGroup, isObject, typeOfValue, unwrap, valuesEqual, type EvalValue } from './values.js';

export class FunctionError extends Error {
  constructor(
    message: string,
    /** The argument at fault (0-based), to place the diagnostic on it. */
    readonly argument?: number,
  ) {
    super(message);
  }
}

export interface FunctionContext {
  env: Readonly<Record<string, string | undefined>>;
  /** The configuration directory: `file()` paths are relative to it. */
  dir: string;
}

export interface FunctionDef {
  /** Minimum and maximum argument counts (max Infinity for variadic). */
  arity: [number, number];
  signature: string;
  /**
   * Structural functions move values around without looking inside them: unknown and
   * sensitive elements pass through as elements. The others see plain values: any unknown
   * argument makes the result unknown, any sensitive one makes it sensitive.
   */
  structural?: boolean;
  impl(args: EvalValue[], ctx: FunctionContext): EvalValue;
}

export const arg = (args: EvalValue[], i: number, t: TypeSpec, fn: string): EvalValue => {
  const c = convert(args[i]!, t);
  if (!c.ok) throw new FunctionError(`${fn}: argument ${i + 1} ${c.message}`, i);
  return c.value;
};
export const str = (args: EvalValue[], i: number, fn: string) => {
  const v = args[i]!;
  if (v === null) throw new FunctionError(`${fn}: argument ${i + 1} must be a string, got null`, i);
  if (Array.isArray(v) || isObject(v)) throw new FunctionError(`${fn}: argument ${i + 1} must be a string, got ${typeOfValue(v)}`, i);
  return arg(args, i, STRING, fn) as string;
};
export const num = (args: EvalValue[], i: number, fn: string) => {
  if (args[i] === null) throw new FunctionError(`${fn}: argument ${i + 1} must be a number, got null`, i);
  return arg(args, i, NUMBER, fn) as number;
};
export const list = (args: EvalValue[], i: number, fn: string): EvalValue[] => {
  let v: EvalValue = args[i] as EvalValue;
  if (v instanceof ResourceGroup) v = expandGroup(v);
  if (!Array.isArray(v)) throw new FunctionError(`${fn}: argument ${i + 1} must be a list, got ${typeOfValue(v)}`, i);
  return v;
};
export const obj = (args: EvalValue[], i: number, fn: string): { [k: string]: EvalValue } => {
  let v: EvalValue = args[i] as EvalValue;
  if (v instanceof ResourceGroup) v = expandGroup(v);
  if (!isObject(v)) throw new FunctionError(`${fn}: argument ${i + 1} must be a map or object, got ${typeOfValue(v)}`, i);
  return v;
};
export const strings = (args: EvalValue[], i: number, fn: string): string[] =>
  list(args, i, fn).map((x, j) => {
    const c = convert(x, STRING);
    if (!c.ok || c.value === null) throw new FunctionError(`${fn}: element ${j} of argument ${i + 1} must be a string, got ${typeOfValue(x)}`, i);
    return c.value as string;
  });

/** Sorted, de-duplicated strings: how sets of strings iterate (as in HCL). */
export function stringSet(items: EvalValue[], fn: string): EvalValue[] {
  const out = new Map<string, EvalValue>();
  const others: EvalValue[] = [];
  for (const x of items) {
    const { value } = unwrap(x);
    if (typeof value === 'string') out.set(value, x);
    else if (value instanceof ResourceRef) out.set(String(value.instance.name()), x);
    else if (!others.some((o) => valuesEqual(o, x))) others.push(x);
  }
  if (others.length > 0 && out.size > 0) throw new FunctionError(`${fn}: all elements of a set must have the same type`, 0);
  return out.size > 0 ? [...out.keys()].sort().map((k) => out.get(k)!) : others;
}


/** Sorted, de-duplicated values: how a set iterates (strings and numbers in order, others as met). */
export function setOf(items: EvalValue[], fn: string): EvalValue[] {
  const out: EvalValue[] = [];
  // scalars de-duplicate by key (a toset of 10,000 tenant names stays linear); others pairwise
  const scalars = new Set<string>();
  const others: EvalValue[] = [];
  for (const x of items) {
    const { value } = unwrap(x);
    const plain = value instanceof ResourceRef ? value.instance.name() : value;
    if (plain === null || typeof plain !== 'object') {
      const key = `${typeof plain}:${String(plain)}`;
      if (scalars.has(key)) continue;
      scalars.add(key);
    } else if (others.some((o) => valuesEqual(o, x))) continue;
    else others.push(x);
    out.push(x);
  }
  const plain = out.map((x) => {
    const { value } = unwrap(x);
    return value instanceof ResourceRef ? value.instance.name() : value;
  });
  if (out.length > 0 && plain.every((x) => typeof x === 'number')) return out.map((x, i) => [x, plain[i] as number] as const).sort((a, b) => a[1] - b[1]).map(([x]) => x);
  return stringSet(out, fn);
}

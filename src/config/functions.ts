// The built-in functions (LANGUAGE.md). Each checks its arguments and fails with a message
// that says what was expected; the evaluator turns the failure into a diagnostic at the call.
// Unknown and sensitive arguments are handled once, here, by `callFunction`.
import { readFileSync } from 'node:fs';
import { decodeSource } from '../dsl/source.js';
import { resolve } from 'node:path';
import { convert } from './type-constraints.js';
import { type TypeSpec, STRING, NUMBER } from '../model/type-spec.js';
import {
  ResourceGroup,
  ResourceRef,
  UNKNOWN,
  containsUnknown,
  deepUnwrap,
  expandGroup,
  isObject,
  toPlain,
  typeOfValue,
  unwrap,
  valuesEqual,
  wrap,
  type EvalValue,
} from './values.js';

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

interface FunctionDef {
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

const arg = (args: EvalValue[], i: number, t: TypeSpec, fn: string): EvalValue => {
  const c = convert(args[i]!, t);
  if (!c.ok) throw new FunctionError(`${fn}: argument ${i + 1} ${c.message}`, i);
  return c.value;
};
const str = (args: EvalValue[], i: number, fn: string) => {
  const v = args[i]!;
  if (v === null) throw new FunctionError(`${fn}: argument ${i + 1} must be a string, got null`, i);
  if (Array.isArray(v) || isObject(v)) throw new FunctionError(`${fn}: argument ${i + 1} must be a string, got ${typeOfValue(v)}`, i);
  return arg(args, i, STRING, fn) as string;
};
const num = (args: EvalValue[], i: number, fn: string) => {
  if (args[i] === null) throw new FunctionError(`${fn}: argument ${i + 1} must be a number, got null`, i);
  return arg(args, i, NUMBER, fn) as number;
};
const list = (args: EvalValue[], i: number, fn: string): EvalValue[] => {
  let v: EvalValue = args[i] as EvalValue;
  if (v instanceof ResourceGroup) v = expandGroup(v);
  if (!Array.isArray(v)) throw new FunctionError(`${fn}: argument ${i + 1} must be a list, got ${typeOfValue(v)}`, i);
  return v;
};
const obj = (args: EvalValue[], i: number, fn: string): { [k: string]: EvalValue } => {
  let v: EvalValue = args[i] as EvalValue;
  if (v instanceof ResourceGroup) v = expandGroup(v);
  if (!isObject(v)) throw new FunctionError(`${fn}: argument ${i + 1} must be a map or object, got ${typeOfValue(v)}`, i);
  return v;
};
const strings = (args: EvalValue[], i: number, fn: string): string[] =>
  list(args, i, fn).map((x, j) => {
    const c = convert(x, STRING);
    if (!c.ok || c.value === null) throw new FunctionError(`${fn}: element ${j} of argument ${i + 1} must be a string, got ${typeOfValue(x)}`, i);
    return c.value as string;
  });

/** Sorted, de-duplicated strings: how sets of strings iterate (as in HCL). */
function stringSet(items: EvalValue[], fn: string): EvalValue[] {
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

function formatValue(spec: string, v: EvalValue, fn: string): string {
  switch (spec) {
    case 'd': {
      const n = convert(v, NUMBER);
      if (!n.ok || typeof n.value !== 'number') throw new FunctionError(`${fn}: %d needs a number, got ${typeOfValue(v)}`);
      return String(Math.trunc(n.value));
    }
    case 'f': {
      const n = convert(v, NUMBER);
      if (!n.ok || typeof n.value !== 'number') throw new FunctionError(`${fn}: %f needs a number, got ${typeOfValue(v)}`);
      return n.value.toFixed(6);
    }
    case 's': {
      const s = convert(v, STRING);
      if (!s.ok || s.value === null) throw new FunctionError(`${fn}: %s needs a string, got ${typeOfValue(v)}`);
      return s.value as string;
    }
    case 'q':
      return JSON.stringify(formatValue('s', v, fn));
    case 'v':
      return typeof v === 'string' ? v : v instanceof ResourceRef ? String(v.instance.name()) : JSON.stringify(toPlain(v));
    case 't': {
      const b = convert(v, { t: 'bool' });
      if (!b.ok) throw new FunctionError(`${fn}: %t needs a bool, got ${typeOfValue(v)}`);
      return String(b.value);
    }
    default:
      throw new FunctionError(`${fn}: unsupported verb %${spec} (use %s, %d, %f, %q, %t, %v or %%)`, 0);
  }
}

export const functions: Record<string, FunctionDef> = {
  env: {
    arity: [1, 2],
    signature: 'env(name, default?)',
    impl(args, ctx) {
      const name = str(args, 0, 'env');
      const v = ctx.env[name];
      if (v !== undefined) return v;
      if (args.length === 2) return args[1]!;
      throw new FunctionError(`env: environment variable "${name}" is not set (give a default: env("${name}", "…"))`, 0);
    },
  },
  file: {
    arity: [1, 1],
    signature: 'file(path)',
    impl(args, ctx) {
      const path = str(args, 0, 'file');
      let bytes: Buffer;
      try {
        bytes = readFileSync(resolve(ctx.dir, path));
      } catch (err) {
        throw new FunctionError(`file: cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 0);
      }
      const decoded = decodeSource(path, bytes);
      if (!decoded.ok) {
        const at = decoded.diagnostic.range!.start;
        throw new FunctionError(`file: "${path}" is not UTF-8: ${decoded.diagnostic.message.replace(/^invalid UTF-8: /, '')} at ${at.line}:${at.column}`, 0);
      }
      return decoded.text;
    },
  },
  lower: { arity: [1, 1], signature: 'lower(string)', impl: (a) => str(a, 0, 'lower').toLowerCase() },
  upper: { arity: [1, 1], signature: 'upper(string)', impl: (a) => str(a, 0, 'upper').toUpperCase() },
  replace: {
    arity: [3, 3],
    signature: 'replace(string, substring, replacement)',
    impl(a) {
      const s = str(a, 0, 'replace');
      const sub = str(a, 1, 'replace');
      const rep = str(a, 2, 'replace');
      if (sub.length > 2 && sub.startsWith('/') && sub.endsWith('/')) {
        let re: RegExp;
        try {
          re = new RegExp(sub.slice(1, -1), 'g');
        } catch (err) {
          throw new FunctionError(`replace: invalid regular expression ${sub}: ${(err as Error).message}`, 1);
        }
        return s.replace(re, rep.replace(/\$\{?(\d+)\}?/g, '$$$1'));
      }
      if (sub === '') throw new FunctionError('replace: the substring to replace must not be empty', 1);
      return s.split(sub).join(rep);
    },
  },
  format: {
    arity: [1, Infinity],
    signature: 'format(spec, values...)',
    impl(a) {
      const spec = str(a, 0, 'format');
      let next = 1;
      const out = spec.replace(/%([%a-zA-Z])/g, (_m, verb: string) => {
        if (verb === '%') return '%';
        if (next >= a.length) throw new FunctionError(`format: not enough arguments for "${spec}"`, 0);
        return formatValue(verb, a[next++]!, 'format');
      });
      if (next < a.length) throw new FunctionError(`format: too many arguments for "${spec}" (${a.length - 1} given, ${next - 1} used)`, next);
      return out;
    },
  },
  join: {
    arity: [2, 2],
    signature: 'join(separator, list)',
    impl: (a) => strings(a, 1, 'join').join(str(a, 0, 'join')),
  },
  split: {
    arity: [2, 2],
    signature: 'split(separator, string)',
    impl(a) {
      const sep = str(a, 0, 'split');
      const s = str(a, 1, 'split');
      if (s === '') return [];
      return s.split(sep);
    },
  },
  concat: {
    arity: [1, Infinity],
    signature: 'concat(list, list...)',
    structural: true,
    impl: (a) => a.flatMap((_, i) => list(a, i, 'concat')),
  },
  merge: {
    arity: [1, Infinity],
    signature: 'merge(map, map...)',
    structural: true,
    impl(a) {
      const out: { [k: string]: EvalValue } = {};
      a.forEach((x, i) => {
        if (x === null) return;
        Object.assign(out, obj(a, i, 'merge'));
      });
      return out;
    },
  },
  length: {
    arity: [1, 1],
    signature: 'length(list | map | string)',
    structural: true,
    impl(a) {
      const { value } = unwrap(a[0]!);
      if (value === UNKNOWN) return UNKNOWN;
      if (typeof value === 'string') return [...value].length;
      if (value instanceof ResourceGroup) return value.instances.size;
      if (Array.isArray(value)) return value.length;
      if (isObject(value)) return Object.keys(value).length;
      throw new FunctionError(`length: argument 1 must be a list, map or string, got ${typeOfValue(value)}`, 0);
    },
  },
  keys: {
    arity: [1, 1],
    signature: 'keys(map)',
    structural: true,
    impl: (a) => Object.keys(obj(a, 0, 'keys')).sort(),
  },
  values: {
    arity: [1, 1],
    signature: 'values(map)',
    structural: true,
    impl(a) {
      const o = obj(a, 0, 'values');
      return Object.keys(o).sort().map((k) => o[k]!);
    },
  },
  contains: {
    arity: [2, 2],
    signature: 'contains(list, value)',
    impl: (a) => list(a, 0, 'contains').some((x) => valuesEqual(x, a[1]!)),
  },
  coalesce: {
    arity: [1, Infinity],
    signature: 'coalesce(values...)',
    structural: true,
    impl(a) {
      for (const x of a) {
        const { value } = unwrap(x);
        if (value === UNKNOWN) return UNKNOWN;
        if (value !== null && value !== '') return x;
      }
      throw new FunctionError('coalesce: every argument is null or an empty string', 0);
    },
  },
  toset: {
    arity: [1, 1],
    signature: 'toset(list)',
    structural: true,
    impl: (a) => stringSet(list(a, 0, 'toset'), 'toset'),
  },
  tolist: {
    arity: [1, 1],
    signature: 'tolist(list | set)',
    structural: true,
    impl: (a) => list(a, 0, 'tolist'),
  },
  tostring: {
    arity: [1, 1],
    signature: 'tostring(value)',
    impl(a) {
      const v = a[0]!;
      if (v === null) return null;
      return str(a, 0, 'tostring');
    },
  },
  tonumber: {
    arity: [1, 1],
    signature: 'tonumber(value)',
    impl(a) {
      if (a[0] === null) return null;
      const c = convert(a[0]!, NUMBER);
      if (!c.ok) throw new FunctionError(`tonumber: cannot convert ${JSON.stringify(toPlain(a[0]!))} to a number`, 0);
      return c.value;
    },
  },
  range: {
    arity: [1, 3],
    signature: 'range(limit) | range(start, limit, step?)',
    impl(a) {
      const [start, limit, step] =
        a.length === 1 ? [0, num(a, 0, 'range'), 1] : [num(a, 0, 'range'), num(a, 1, 'range'), a.length === 3 ? num(a, 2, 'range') : 1];
      if (step === 0) throw new FunctionError('range: step must not be zero', 2);
      if ((limit - start) / step > 1_000_000) throw new FunctionError('range: more than 1,000,000 elements', 1);
      const out: number[] = [];
      if (step > 0) for (let i = start; i < limit; i += step) out.push(i);
      else for (let i = start; i > limit; i += step) out.push(i);
      return out;
    },
  },
  jsonencode: {
    arity: [1, 1],
    signature: 'jsonencode(value)',
    impl: (a) => JSON.stringify(toPlain(a[0]!)),
  },
  jsondecode: {
    arity: [1, 1],
    signature: 'jsondecode(string)',
    impl(a) {
      const s = str(a, 0, 'jsondecode');
      try {
        return JSON.parse(s) as EvalValue;
      } catch (err) {
        throw new FunctionError(`jsondecode: invalid JSON: ${(err as Error).message}`, 0);
      }
    },
  },
};

export const functionNames = Object.keys(functions);

/** Calls a function by name; throws FunctionError for a wrong call (unknown name, arity, types). */
export function callFunction(name: string, args: EvalValue[], ctx: FunctionContext): EvalValue {
  const fn = functions[name];
  if (!fn) throw new FunctionError(`unknown function "${name}"`);
  const [min, max] = fn.arity;
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new FunctionError(`${name}: expected ${expected} argument${max === 1 && min === 1 ? '' : 's'}, got ${args.length} (${fn.signature})`);
  }
  if (fn.structural) {
    // structural functions see the top level plainly, elements untouched
    let sensitive = false;
    const plain = args.map((x) => {
      const u = unwrap(x);
      sensitive ||= u.sensitive;
      return u.value;
    });
    if (name !== 'coalesce' && name !== 'length' && plain.some((x) => x === UNKNOWN)) return wrap(UNKNOWN, sensitive);
    return wrap(fn.impl(plain, ctx), sensitive);
  }
  let sensitive = false;
  const plain = args.map((x) => {
    const u = deepUnwrap(x);
    sensitive ||= u.sensitive;
    return u.value;
  });
  if (plain.some(containsUnknown)) return wrap(UNKNOWN, sensitive);
  return wrap(fn.impl(plain, ctx), sensitive);
}

// Collection, number and type-conversion functions, with Terraform's semantics. xp has no set
// type apart from lists: the set functions return sorted, de-duplicated lists (what `toset`
// returns), so `setunion(["b"], ["a"])` is `["a", "b"]`.
import { convert } from './type-constraints.js';
import { BOOL, NUMBER, STRING } from '../model/type-spec.js';
import { FunctionError, list, obj, setOf, str, strings, type FunctionDef } from './function-args.js';
import { int } from './functions-text.js';
import { isObject, toPlain, typeOfValue, unwrap, valuesEqual, type EvalValue } from './values.js';

function flatten(items: EvalValue[]): EvalValue[] {
  return items.flatMap((x) => (Array.isArray(x) ? flatten(x) : [x]));
}

/** Numbers of a list (numeric strings convert), each a located error otherwise. */
function numbers(items: EvalValue[], fn: string, inList: boolean): number[] {
  return items.map((x, j) => {
    const c = convert(x, NUMBER);
    if (!c.ok || typeof c.value !== 'number') {
      const what = inList ? `element ${j} of argument 1` : `argument ${j + 1}`;
      throw new FunctionError(`${fn}: ${what} must be a number, got ${typeOfValue(x)}`, inList ? 0 : j);
    }
    return c.value;
  });
}

function bools(a: EvalValue[], fn: string): (boolean | null)[] {
  return list(a, 0, fn).map((x, j) => {
    if (x === null) return null;
    const c = convert(x, BOOL);
    if (!c.ok) throw new FunctionError(`${fn}: element ${j} of argument 1 must be a bool, got ${typeOfValue(x)}`, 0);
    return c.value as boolean;
  });
}

/** The sets of `a` from argument `from` on. */
const sets = (a: EvalValue[], fn: string, from = 0) => a.slice(from).map((_, i) => setOf(list(a, i + from, fn), fn));

export const collectionFunctions: Record<string, FunctionDef> = {
  coalescelist: {
    arity: [1, Infinity],
    signature: 'coalescelist(lists...)',
    structural: true,
    impl(a) {
      for (let i = 0; i < a.length; i++) {
        const l = list(a, i, 'coalescelist');
        if (l.length > 0) return l;
      }
      throw new FunctionError('coalescelist: every argument is an empty list');
    },
  },
  matchkeys: {
    arity: [3, 3],
    signature: 'matchkeys(values, keys, searchset)',
    impl(a) {
      const values = list(a, 0, 'matchkeys');
      const keys = list(a, 1, 'matchkeys');
      const search = list(a, 2, 'matchkeys');
      if (values.length !== keys.length) {
        throw new FunctionError(`matchkeys: the values (${values.length}) and the keys (${keys.length}) must be lists of the same length`, 1);
      }
      return values.filter((_, i) => search.some((s) => valuesEqual(s, keys[i]!)));
    },
  },
  flatten: {
    arity: [1, 1],
    signature: 'flatten(list)',
    impl: (a) => flatten(list(a, 0, 'flatten')),
  },
  distinct: {
    arity: [1, 1],
    signature: 'distinct(list)',
    impl(a) {
      const out: EvalValue[] = [];
      for (const x of list(a, 0, 'distinct')) if (!out.some((o) => valuesEqual(o, x))) out.push(x);
      return out;
    },
  },
  setproduct: {
    arity: [2, Infinity],
    signature: 'setproduct(list, list...)',
    impl(a) {
      const lists = a.map((_, i) => list(a, i, 'setproduct'));
      const size = lists.reduce((n, l) => n * l.length, 1);
      if (size > 1_000_000) throw new FunctionError(`setproduct: the product would have ${size.toLocaleString('en')} elements (at most 1,000,000)`);
      let out: EvalValue[][] = [[]];
      for (const l of lists) out = out.flatMap((prefix) => l.map((x) => [...prefix, x]));
      return out;
    },
  },
  setunion: {
    arity: [1, Infinity],
    signature: 'setunion(set, set...)',
    impl: (a) => setOf(sets(a, 'setunion').flat(), 'setunion'),
  },
  setintersection: {
    arity: [1, Infinity],
    signature: 'setintersection(set, set...)',
    impl(a) {
      const [first, ...rest] = sets(a, 'setintersection');
      return first!.filter((x) => rest.every((s) => s.some((y) => valuesEqual(x, y))));
    },
  },
  setsubtract: {
    arity: [2, 2],
    signature: 'setsubtract(a, b)',
    impl(a) {
      const [x, y] = sets(a, 'setsubtract');
      return x!.filter((v) => !y!.some((w) => valuesEqual(v, w)));
    },
  },
  zipmap: {
    arity: [2, 2],
    signature: 'zipmap(keys, values)',
    impl(a) {
      const keys = list(a, 0, 'zipmap');
      const vals = list(a, 1, 'zipmap');
      if (keys.length !== vals.length) throw new FunctionError(`zipmap: number of keys (${keys.length}) does not match number of values (${vals.length})`, 1);
      keys.forEach((k, i) => {
        if (k === null) throw new FunctionError(`zipmap: keys list has null value at index ${i}`, 0);
      });
      const names = strings(a, 0, 'zipmap');
      const out: { [k: string]: EvalValue } = {};
      names.forEach((k, i) => (out[k] = vals[i]!));
      return out;
    },
  },
  lookup: {
    arity: [2, 3],
    signature: 'lookup(map, key, default?)',
    structural: true,
    impl(a) {
      if (!isObject(a[0]!)) throw new FunctionError(`lookup: argument 1 must be a map or object, got ${typeOfValue(a[0]!)}`, 0);
      const m = obj(a, 0, 'lookup');
      const key = str(a, 1, 'lookup');
      if (Object.hasOwn(m, key)) return m[key]!;
      if (a.length === 3) return a[2]!;
      throw new FunctionError(`lookup: failed to find key "${key}" (give a default: lookup(map, "${key}", default))`, 1);
    },
  },
  element: {
    arity: [2, 2],
    signature: 'element(list, index)',
    structural: true,
    impl(a) {
      const l = list(a, 0, 'element');
      let i = int(a, 1, 'element');
      if (l.length === 0) throw new FunctionError('element: cannot use element function with an empty list', 0);
      i %= l.length;
      if (i < 0) i += l.length;
      return l[i]!;
    },
  },
  index: {
    arity: [2, 2],
    signature: 'index(list, value)',
    impl(a) {
      const i = list(a, 0, 'index').findIndex((x) => valuesEqual(x, a[1]!));
      if (i < 0) throw new FunctionError('index: item not found in the list', 1);
      return i;
    },
  },
  slice: {
    arity: [3, 3],
    signature: 'slice(list, start, end)',
    structural: true,
    impl(a) {
      const l = list(a, 0, 'slice');
      const start = int(a, 1, 'slice');
      const end = int(a, 2, 'slice');
      if (start < 0) throw new FunctionError(`slice: start index must not be less than zero, got ${start}`, 1);
      if (start > l.length) throw new FunctionError(`slice: start index must not be greater than the length of the list (${l.length}), got ${start}`, 1);
      if (end < 0) throw new FunctionError(`slice: end index must not be less than zero, got ${end}`, 2);
      if (end > l.length) throw new FunctionError(`slice: end index must not be greater than the length of the list (${l.length}), got ${end}`, 2);
      if (start > end) throw new FunctionError(`slice: start index (${start}) must not be greater than end index (${end})`, 1);
      return l.slice(start, end);
    },
  },
  reverse: {
    arity: [1, 1],
    signature: 'reverse(list)',
    structural: true,
    impl: (a) => [...list(a, 0, 'reverse')].reverse(),
  },
  sort: {
    arity: [1, 1],
    signature: 'sort(list)',
    impl(a) {
      list(a, 0, 'sort').forEach((x, j) => {
        if (x === null) throw new FunctionError(`sort: element ${j} of argument 1 is null; a null string cannot be sorted`, 0);
      });
      // lexical order of the strings, by code point (numbers sort as strings: "10" before "9")
      return strings(a, 0, 'sort').sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    },
  },
  compact: {
    arity: [1, 1],
    signature: 'compact(list)',
    impl(a) {
      const l = list(a, 0, 'compact').filter((x) => x !== null);
      return strings([l], 0, 'compact').filter((s) => s !== '');
    },
  },
  chunklist: {
    arity: [2, 2],
    signature: 'chunklist(list, size)',
    structural: true,
    impl(a) {
      const l = list(a, 0, 'chunklist');
      const size = int(a, 1, 'chunklist');
      if (size < 0) throw new FunctionError(`chunklist: the size argument must not be negative, got ${size}`, 1);
      if (l.length === 0) return [];
      if (size === 0) return [l];
      const out: EvalValue[] = [];
      for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
      return out;
    },
  },
  one: {
    arity: [1, 1],
    signature: 'one(list)',
    structural: true,
    impl(a) {
      const l = list(a, 0, 'one');
      if (l.length > 1) throw new FunctionError(`one: argument 1 must be a list with either zero or one elements, got ${l.length}`, 0);
      return l.length === 0 ? null : l[0]!;
    },
  },
  alltrue: {
    arity: [1, 1],
    signature: 'alltrue(list)',
    impl: (a) => bools(a, 'alltrue').every((x) => x === true),
  },
  anytrue: {
    arity: [1, 1],
    signature: 'anytrue(list)',
    impl: (a) => bools(a, 'anytrue').some((x) => x === true),
  },
  sum: {
    arity: [1, 1],
    signature: 'sum(list)',
    impl(a) {
      const l = list(a, 0, 'sum');
      if (l.length === 0) throw new FunctionError('sum: cannot sum an empty list', 0);
      return numbers(l, 'sum', true).reduce((x, y) => x + y, 0);
    },
  },
  min: {
    arity: [1, Infinity],
    signature: 'min(number, number...)',
    impl: (a) => Math.min(...numbers(a, 'min', false)),
  },
  max: {
    arity: [1, Infinity],
    signature: 'max(number, number...)',
    impl: (a) => Math.max(...numbers(a, 'max', false)),
  },
  transpose: {
    arity: [1, 1],
    signature: 'transpose(map of lists)',
    impl(a) {
      const m = obj(a, 0, 'transpose');
      const out: { [k: string]: string[] } = {};
      for (const k of Object.keys(m).sort()) {
        const v = m[k]!;
        if (!Array.isArray(v)) throw new FunctionError(`transpose: argument 1 must be a map of lists of strings, got ${typeOfValue(v)} at ["${k}"]`, 0);
        for (const [j, x] of v.entries()) {
          const c = convert(x, STRING);
          if (!c.ok || typeof c.value !== 'string') throw new FunctionError(`transpose: argument 1 must be a map of lists of strings, got ${typeOfValue(x)} at ["${k}"][${j}]`, 0);
          (out[c.value] ??= []).push(k);
        }
      }
      return out;
    },
  },
  tomap: {
    arity: [1, 1],
    signature: 'tomap(object)',
    impl(a) {
      if (a[0] === null) return null;
      const m = obj(a, 0, 'tomap');
      const vals = Object.values(m).filter((x) => x !== null);
      const kinds = new Set(vals.map((x) => (Array.isArray(x) ? 'list' : isObject(x) ? 'map' : 'primitive')));
      if (kinds.size > 1) throw new FunctionError('tomap: cannot convert the object to a map: its values have no common type', 0);
      // primitive values of different types become strings, as Terraform unifies them
      const types = new Set(vals.map((x) => typeof toPlain(x)));
      if (kinds.has('primitive') && types.size > 1) {
        const out: { [k: string]: EvalValue } = {};
        for (const [k, v] of Object.entries(m)) out[k] = v === null ? null : (convert(v, STRING) as { value: EvalValue }).value;
        return out;
      }
      return m;
    },
  },
  tobool: {
    arity: [1, 1],
    signature: 'tobool(value)',
    impl(a) {
      const v = unwrap(a[0]!).value;
      if (v === null) return null;
      const c = convert(v, BOOL);
      if (!c.ok || Array.isArray(v) || isObject(v)) {
        throw new FunctionError(
          typeof v === 'string' ? `tobool: cannot convert "${v}" to bool; only the strings "true" or "false" are allowed` : `tobool: cannot convert ${typeOfValue(v)} to bool`,
          0,
        );
      }
      return c.value;
    },
  },
};

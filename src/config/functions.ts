// The built-in functions (LANGUAGE.md). Each checks its arguments and fails with a message
// that says what was expected; the evaluator turns the failure into a diagnostic at the call.
// Unknown and sensitive arguments are handled once, here, by `callFunction`. The groups of
// Terraform's functions live beside this file (functions-text, functions-collections,
// functions-encoding; format.ts for the verbs of format and formatlist).
import { readFileSync } from 'node:fs';
import { decodeSource } from '../dsl/source.js';
import { convert } from './type-constraints.js';
import { NUMBER } from '../model/type-spec.js';
import { FunctionError, list, num, obj, str, setOf, strings, type FunctionContext, type FunctionDef } from './function-args.js';
import { configPath } from './function-paths.js';
import { collectionFunctions } from './functions-collections.js';
import { encodingFunctions } from './functions-encoding.js';
import { numericFunctions } from './functions-numeric.js';
import { allMatches, compileRegex, expandTemplate, textFunctions } from './functions-text.js';
import { FormatError, formatValues, goJSON } from './format.js';
import { Sensitive } from '../model/types.js';
import {
  ResourceGroup,
  UNKNOWN,
  containsSensitive,
  containsUnknown,
  deepUnwrap,
  isObject,
  toPlain,
  typeOfValue,
  unwrap,
  valuesEqual,
  wrap,
  type EvalValue,
} from './values.js';

export { FunctionError, type FunctionContext } from './function-args.js';

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
      const full = configPath(ctx.dir, path, 'file');
      let bytes: Buffer;
      try {
        bytes = readFileSync(full);
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
        // RE2 syntax, and Go's replacement template ($1, ${1}, $name, $$), as in Terraform
        const re = compileRegex(sub.slice(1, -1), 'replace', 1);
        let out = '';
        let last = 0;
        for (const m of allMatches(re, s)) {
          out += s.slice(last, m.start) + expandTemplate(rep, re, m.groups);
          last = m.end;
        }
        return out + s.slice(last);
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
      try {
        return formatValues(spec, a.slice(1).map((x) => toPlain(x) as EvalValue));
      } catch (err) {
        throw formatFailure(err, 'format: ');
      }
    },
  },
  formatlist: {
    arity: [1, Infinity],
    signature: 'formatlist(spec, values...)',
    impl(a) {
      const spec = str(a, 0, 'formatlist');
      const values = a.slice(1).map((x) => toPlain(x) as EvalValue);
      // lists are iterated together (all of one length); other values repeat in every item
      let n = -1;
      let lengthFrom = 0;
      values.forEach((v, i) => {
        if (!Array.isArray(v)) return;
        if (n >= 0 && v.length !== n) {
          throw new FunctionError(`formatlist: argument ${i + 2} has length ${v.length}, which is inconsistent with argument ${lengthFrom + 2} of length ${n}`, i + 1);
        }
        n = v.length;
        lengthFrom = i;
      });
      const out: string[] = [];
      for (let k = 0; k < (n < 0 ? 1 : n); k++) {
        try {
          out.push(formatValues(spec, values.map((v) => (Array.isArray(v) ? v[k]! : v))));
        } catch (err) {
          throw formatFailure(err, `formatlist: error on format iteration ${k}: `);
        }
      }
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
    impl: (a) => setOf(list(a, 0, 'toset'), 'toset'),
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
    // Terraform's encoding: keys sorted, numbers without exponent, <, > and & escaped
    impl: (a) => goJSON(toPlain(a[0]!) as EvalValue),
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
  ...textFunctions,
  ...collectionFunctions,
  ...encodingFunctions,
  ...numericFunctions,
};

/** A FormatError as the FunctionError of a call (its argument counted after the spec). */
function formatFailure(err: unknown, prefix: string): unknown {
  if (!(err instanceof FormatError)) return err;
  return new FunctionError(prefix + err.message, err.argument === undefined ? 0 : err.argument + 1);
}

export const functionNames = Object.keys(functions);

/** Calls a function by name; throws FunctionError for a wrong call (unknown name, arity, types). */
export function callFunction(name: string, args: EvalValue[], ctx: FunctionContext): EvalValue {
  const fn = functions[name];
  if (!fn) throw new FunctionError(`unknown function "${name}"`);
  const [min, max] = fn.arity;
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    const said = min === max || max === Infinity ? min : max;
    throw new FunctionError(`${name}: expected ${expected} argument${said === 1 ? '' : 's'}, got ${args.length} (${fn.signature})`);
  }
  // structural functions see the top level plainly, elements untouched; the others plain values
  const open = fn.structural ? unwrap : deepUnwrap;
  let sensitive = false;
  const plain = args.map((x) => {
    const u = open(x);
    sensitive ||= u.sensitive;
    return u.value;
  });
  if (fn.structural ? name !== 'coalesce' && name !== 'length' && plain.some((x) => x === UNKNOWN) : plain.some(containsUnknown)) return wrap(UNKNOWN, sensitive);
  try {
    return wrap(fn.impl(plain, ctx), sensitive);
  } catch (err) {
    if (!(err instanceof FunctionError) || !args.some(containsSensitive)) throw err;
    // A message may quote an argument. It is shown only when the same call with every
    // sensitive part replaced fails with the same message: then it cannot show them.
    let again: unknown;
    try {
      fn.impl(args.map((x) => open(blind(x)).value), ctx);
    } catch (e) {
      again = e;
    }
    if (again instanceof FunctionError && again.message === err.message) throw err;
    throw new FunctionError(`${name}: the call fails on a sensitive value (the reason is not shown, as it could show the value)`, err.argument);
  }
}

/** The value with every part under a sensitive mark replaced by another of its type (marks kept). */
function blind(v: EvalValue, inside = false): EvalValue {
  if (v instanceof Sensitive) return new Sensitive<EvalValue>(blind(v.value, true));
  if (Array.isArray(v)) return v.map((x) => blind(x, inside));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [inside ? `\u0001${k}` : k, blind(x, inside)]));
  if (!inside) return v;
  if (typeof v === 'string') return v === '\u0001' ? '\u0002' : '\u0001';
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'boolean') return !v;
  return v;
}

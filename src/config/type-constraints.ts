// Type constraints (`string`, `list(string)`, `map(number)`, `object({…})`, `any`; declared as
// data in src/model/type-spec.ts): read from the language, and the one conversion shared by
// variables and by the attributes of each kind. Conversion follows HCL: numbers
// and bools become strings where a string is expected, numeric strings become numbers,
// "true"/"false" become bools, and a reference becomes its resource's name.
import type { Expression } from '../dsl/ast.js';
import { ANY, typeName, type TypeSpec } from '../model/type-spec.js';
import {
  ResourceGroup,
  ResourceRef,
  Sensitive,
  UNKNOWN,
  expandGroup,
  isObject,
  typeOfValue,
  type EvalValue,
} from './values.js';

/** Reads a type constraint written in the language (`list(string)`); a string on failure. */
export function typeFromExpression(e: Expression): TypeSpec | string {
  const expected = 'a type: string, number, bool, any, list(T), set(T), map(T) or object({…})';
  if (e.kind === 'Paren') return typeFromExpression(e.inner);
  if (e.kind === 'Variable') {
    if (e.name === 'string' || e.name === 'number' || e.name === 'bool' || e.name === 'any') return { t: e.name };
    if (e.name === 'list' || e.name === 'set' || e.name === 'map') return { t: e.name, elem: ANY };
    if (e.name === 'object') return { t: 'object' };
    return `unknown type "${e.name}", expected ${expected}`;
  }
  if (e.kind === 'Call') {
    if ((e.name === 'list' || e.name === 'set' || e.name === 'map') && e.args.length === 1) {
      const elem = typeFromExpression(e.args[0]!);
      return typeof elem === 'string' ? elem : { t: e.name, elem };
    }
    if (e.name === 'object' && e.args.length === 1 && e.args[0]!.kind === 'Object') {
      const attrs: Record<string, TypeSpec> = {};
      for (const item of e.args[0].items) {
        const key = typeof item.key === 'string' ? item.key : keyOf(item.key);
        if (key === undefined) return `object type keys must be names`;
        const t = typeFromExpression(item.value);
        if (typeof t === 'string') return t;
        attrs[key] = t;
      }
      return { t: 'object', attrs };
    }
    return `"${e.name}(…)" is not a type, expected ${expected}`;
  }
  return `expected ${expected}`;
}

function keyOf(e: Expression): string | undefined {
  if (e.kind === 'Template' && e.parts.length <= 1 && typeof (e.parts[0] ?? '') === 'string') return (e.parts[0] as string) ?? '';
  if (e.kind === 'Variable') return e.name;
  return undefined;
}

export type Conversion = { ok: true; value: EvalValue } | { ok: false; message: string };

/**
 * Converts a value to a type. Unknown values pass any type; sensitive values are checked
 * inside and stay sensitive. `path` names the element in messages (`[2]`, `.owner`).
 */
export function convert(v: EvalValue, t: TypeSpec, path = ''): Conversion {
  const c = convertValue(v, t);
  if (c.ok) return c;
  const at = path + c.at;
  return { ok: false, message: at ? `${c.message} at ${at}` : c.message };
}

/** A failed conversion inside convertValue: the message, and where below the value it failed
 * (`[2].owner`), joined only when a conversion fails, not for every element converted. */
type Inner = { ok: true; value: EvalValue } | { ok: false; message: string; at: string };

function convertValue(v: EvalValue, t: TypeSpec): Inner {
  if (v === UNKNOWN) return { ok: true, value: v };
  if (v instanceof Sensitive) {
    const inner = convertValue(v.value, t);
    return inner.ok ? { ok: true, value: new Sensitive<EvalValue>(inner.value) } : inner;
  }
  if (v === null) return { ok: true, value: null };
  if (v instanceof ResourceGroup) return convertValue(expandGroup(v), t);
  switch (t.t) {
    case 'any':
      return { ok: true, value: v };
    case 'string':
      if (typeof v === 'string') return { ok: true, value: v };
      if (typeof v === 'number' || typeof v === 'boolean') return { ok: true, value: String(v) };
      if (v instanceof ResourceRef) return { ok: true, value: v.instance.name() };
      return mismatch(v, t);
    case 'number':
      if (typeof v === 'number') return { ok: true, value: v };
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return { ok: true, value: Number(v) };
      return mismatch(v, t);
    case 'bool':
      if (typeof v === 'boolean') return { ok: true, value: v };
      if (v === 'true' || v === 'false') return { ok: true, value: v === 'true' };
      return mismatch(v, t);
    case 'list':
    case 'set': {
      if (!Array.isArray(v)) return mismatch(v, t);
      const out: EvalValue[] = [];
      for (let i = 0; i < v.length; i++) {
        const c = convertValue(v[i]!, t.elem);
        if (!c.ok) return { ok: false, message: c.message, at: `[${i}]${c.at}` };
        out.push(c.value);
      }
      return { ok: true, value: t.t === 'set' ? dedupe(out) : out };
    }
    case 'map':
    case 'object': {
      if (!isObject(v)) return mismatch(v, t);
      const out: { [key: string]: EvalValue } = {};
      if (t.t === 'object' && t.attrs) {
        for (const [k, at] of Object.entries(t.attrs)) {
          if (!(k in v)) return { ok: false, message: `attribute "${k}" is required`, at: '' };
          const c = convertValue(v[k]!, at);
          if (!c.ok) return { ok: false, message: c.message, at: `.${k}${c.at}` };
          out[k] = c.value;
        }
        return { ok: true, value: out };
      }
      for (const k of Object.keys(v)) {
        if (t.t === 'map') {
          const c = convertValue(v[k]!, t.elem);
          if (!c.ok) return { ok: false, message: c.message, at: `["${k}"]${c.at}` };
          out[k] = c.value;
        } else out[k] = v[k] as EvalValue;
      }
      return { ok: true, value: out };
    }
  }
}

function mismatch(v: EvalValue, t: TypeSpec): Inner {
  return { ok: false, message: `expected ${typeName(t)}, got ${typeOfValue(v)}`, at: '' };
}

function dedupe(items: EvalValue[]): EvalValue[] {
  const seen = new Set<string>();
  return items.filter((x) => {
    const key = JSON.stringify(x instanceof ResourceRef ? x.instance.address : x);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

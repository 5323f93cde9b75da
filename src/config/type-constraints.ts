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
  if (v === UNKNOWN) return { ok: true, value: v };
  if (v instanceof Sensitive) {
    const inner = convert(v.value, t, path);
    return inner.ok ? { ok: true, value: new Sensitive<EvalValue>(inner.value) } : inner;
  }
  if (v === null) return { ok: true, value: null };
  if (v instanceof ResourceGroup) return convert(expandGroup(v), t, path);
  const fail = (): Conversion => ({
    ok: false,
    message: `expected ${typeName(t)}, got ${typeOfValue(v)}${path ? ` at ${path}` : ''}`,
  });
  switch (t.t) {
    case 'any':
      return { ok: true, value: v };
    case 'string':
      if (typeof v === 'string') return { ok: true, value: v };
      if (typeof v === 'number' || typeof v === 'boolean') return { ok: true, value: String(v) };
      if (v instanceof ResourceRef) return { ok: true, value: v.instance.name() };
      return fail();
    case 'number':
      if (typeof v === 'number') return { ok: true, value: v };
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return { ok: true, value: Number(v) };
      return fail();
    case 'bool':
      if (typeof v === 'boolean') return { ok: true, value: v };
      if (v === 'true' || v === 'false') return { ok: true, value: v === 'true' };
      return fail();
    case 'list':
    case 'set': {
      if (!Array.isArray(v)) return fail();
      const out: EvalValue[] = [];
      for (let i = 0; i < v.length; i++) {
        const c = convert(v[i]!, t.elem, `${path}[${i}]`);
        if (!c.ok) return c;
        out.push(c.value);
      }
      return { ok: true, value: t.t === 'set' ? dedupe(out) : out };
    }
    case 'map':
    case 'object': {
      if (!isObject(v)) return fail();
      const out: { [key: string]: EvalValue } = {};
      if (t.t === 'object' && t.attrs) {
        for (const [k, at] of Object.entries(t.attrs)) {
          if (!(k in v)) return { ok: false, message: `attribute "${k}" is required${path ? ` at ${path}` : ''}` };
          const c = convert(v[k]!, at, `${path}.${k}`);
          if (!c.ok) return c;
          out[k] = c.value;
        }
        return { ok: true, value: out };
      }
      for (const k of Object.keys(v)) {
        const c = t.t === 'map' ? convert(v[k]!, t.elem, `${path}["${k}"]`) : { ok: true as const, value: v[k] as EvalValue };
        if (!c.ok) return c;
        out[k] = c.value;
      }
      return { ok: true, value: out };
    }
  }
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

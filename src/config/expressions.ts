// Expressions: the value of an AST expression in an evaluation context (context.ts), as HCL's
// `Expression.Value(ctx)`. Literals, templates, operators, conditionals, `for`, function calls
// and the roots of references: `each` and `count` come from the scope, `var`, `local` and
// resources from the resolver. A mistake throws an EvalFailure; evalAttribute turns it into a
// diagnostic at the attribute, so that one bad attribute does not hide the next.
import type { Attribute, Expression } from '../dsl/ast.js';
import type { SourceRange } from '../dsl/diagnostics.js';
import { resourceTypes } from '../kinds/index.js';
import type { ResourceType } from '../model/types.js';
import { STRING } from '../model/type-spec.js';
import { FAILED, EvalFailure, fail, failStatic, type EvalContext, type Scope, type Where } from './context.js';
import { callFunction, FunctionError, functionNames as plainFunctionNames } from './functions.js';
import { evaluatorFunctions } from './functions-eval.js';
import { didYouMean } from './suggest.js';
import { convert } from './type-constraints.js';
import {
  ResourceGroup,
  ResourceRef,
  UNKNOWN,
  containsSensitive,
  containsUnknown,
  expandGroup,
  isObject,
  typeOfValue,
  unwrap,
  valuesEqual,
  wrap,
  type EvalValue,
} from './values.js';

const NOT_A_ROOT = Symbol('not a root');

/** The name a splat's element is bound to in the scope (not an identifier: no clash). */
const SPLAT_ITEM = '*';

/** Every function, those that need the evaluator (try, can, templatefile) included. */
export const functionNames = [...plainFunctionNames, ...Object.keys(evaluatorFunctions)];

/** Evaluates one attribute's expression; a mistake becomes a diagnostic and FAILED. */
export function evalAttribute(attr: Attribute, scope: Scope, ctx: EvalContext): EvalValue | typeof FAILED {
  try {
    return evalExpr(attr.value, scope, ctx);
  } catch (err) {
    if (err instanceof EvalFailure) {
      if (err.diagnostic.message) ctx.diagnostics.push(err.diagnostic);
      return FAILED;
    }
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      ctx.diagnostics.report(attr.value.range, `the value of "${attr.name}" is nested too deeply to evaluate`);
      return FAILED;
    }
    throw err;
  }
}

/** Evaluates an expression outside any block (a value from a var file); a mistake becomes a diagnostic and FAILED. */
export function evalTop(e: Expression, where: Where, ctx: EvalContext): EvalValue | typeof FAILED {
  try {
    return evalExpr(e, { where }, ctx);
  } catch (err) {
    if (err instanceof EvalFailure) {
      if (err.diagnostic.message) ctx.diagnostics.push(err.diagnostic);
      return FAILED;
    }
    throw err;
  }
}

/** The value of an expression in a scope; a mistake throws an EvalFailure. */
export function evalExpr(e: Expression, scope: Scope, ctx: EvalContext): EvalValue {
  switch (e.kind) {
    case 'Literal':
      return e.value;
    case 'Paren':
      return evalExpr(e.inner, scope, ctx);
    case 'Template':
      return evalTemplate(e.parts, scope, ctx);
    case 'List':
      return e.items.map((x) => evalExpr(x, scope, ctx));
    case 'Object': {
      const out: { [k: string]: EvalValue } = {};
      for (const item of e.items) {
        let key: string;
        if (typeof item.key === 'string') key = item.key;
        else {
          const k = unwrap(evalExpr(item.key, scope, ctx)).value;
          const s = convert(k, STRING);
          if (k === UNKNOWN || !s.ok || typeof s.value !== 'string') fail(item.key.range, `an object key must be a known string, got ${typeOfValue(k)}`);
          key = s.value;
        }
        out[key] = evalExpr(item.value, scope, ctx);
      }
      return out;
    }
    case 'Variable':
      return evalName(e.name, e.range, scope);
    case 'GetAttr': {
      // `module.NAME.OUT`, `module.NAME[KEY].OUT`: depend on that output only
      const m = moduleRoot(e.object.kind === 'Index' ? e.object.object : e.object, scope);
      if (m) return ctx.resolver.module(m.name, m.range, scope, e.object.kind === 'Index' ? e.object.index : undefined, { name: e.name, range: e.range });
      if (e.object.kind === 'Variable' && !scope.names?.has(e.object.name)) {
        const root = evalRoot(e.object.name, e.name, e.range, scope, ctx);
        if (root !== NOT_A_ROOT) return root;
      }
      return getAttr(evalExpr(e.object, scope, ctx), e.name, e.range);
    }
    case 'Index': {
      // `schema.tenant[each.key]`: depend on that one instance, not on all of them
      const o = e.object;
      const m = moduleRoot(o, scope);
      if (m) return ctx.resolver.module(m.name, m.range, scope, e.index);
      if (o.kind === 'GetAttr' && o.object.kind === 'Variable' && (resourceTypes as string[]).includes(o.object.name) && !scope.names?.has(o.object.name)) {
        return ctx.resolver.resource(o.object.name as ResourceType, o.name, o.range, scope, e.index);
      }
      const obj = evalExpr(e.object, scope, ctx);
      const idx = evalExpr(e.index, scope, ctx);
      return index(obj, idx, e.index.range);
    }
    case 'Call':
      return evalCall(e, scope, ctx);
    case 'Unary': {
      const { value, sensitive } = unwrap(evalExpr(e.operand, scope, ctx));
      if (value === UNKNOWN) return wrap(UNKNOWN, sensitive);
      if (e.op === '!') {
        if (typeof value !== 'boolean') fail(e.operand.range, `operator !: expected bool, got ${typeOfValue(value)}`);
        return wrap(!value, sensitive);
      }
      const n = convert(value, { t: 'number' });
      if (!n.ok || typeof n.value !== 'number') fail(e.operand.range, `operator -: expected number, got ${typeOfValue(value)}`);
      return wrap(-n.value, sensitive);
    }
    case 'Binary':
      return evalBinary(e, scope, ctx);
    case 'Conditional': {
      const { value, sensitive } = unwrap(evalExpr(e.condition, scope, ctx));
      if (value === UNKNOWN) {
        // both sides are evaluated so that their references still count as dependencies
        evalExpr(e.then, scope, ctx);
        evalExpr(e.else, scope, ctx);
        return wrap(UNKNOWN, sensitive);
      }
      const b = convert(value, { t: 'bool' });
      if (!b.ok || typeof b.value !== 'boolean') fail(e.condition.range, `condition: expected bool, got ${typeOfValue(value)}`);
      return wrap(evalExpr(b.value ? e.then : e.else, scope, ctx), sensitive);
    }
    case 'For':
      return evalFor(e, scope, ctx);
    case 'Splat':
      return evalSplat(e, scope, ctx);
    case 'SplatItem':
      return scope.names?.get(SPLAT_ITEM) ?? null;
    case 'TemplateInterp':
      return evalExpr(e.expr, scope, ctx);
    case 'TemplateIf':
    case 'TemplateFor':
      return evalTemplate([e], scope, ctx);
  }
}

/** The text of a template being rendered. */
interface Rendered {
  out: string;
  unknown: boolean;
  sensitive: boolean;
}

function evalTemplate(parts: (string | Expression)[], scope: Scope, ctx: EvalContext): EvalValue {
  const only = parts.length === 1 ? parts[0]! : undefined;
  if (only !== undefined && typeof only !== 'string' && only.kind !== 'TemplateIf' && only.kind !== 'TemplateFor') return evalExpr(only, scope, ctx); // "${x}" keeps x's type
  const acc: Rendered = { out: '', unknown: false, sensitive: false };
  renderParts(parts, false, false, scope, ctx, acc);
  return wrap(acc.unknown ? UNKNOWN : acc.out, acc.sensitive);
}

/** Whether the tag after a text part strips the whitespace at its end (`~` at the tag's start). */
function stripsBefore(p: string | Expression | undefined): boolean {
  if (p === undefined || typeof p === 'string') return false;
  if (p.kind === 'TemplateInterp') return p.strip.before;
  if (p.kind === 'TemplateIf') return p.ifTag.before;
  if (p.kind === 'TemplateFor') return p.forTag.before;
  return false;
}

/** Whether the tag before a text part strips the whitespace at its start (`~` before the tag's `}`). */
function stripsAfter(p: string | Expression | undefined): boolean {
  if (p === undefined || typeof p === 'string') return false;
  if (p.kind === 'TemplateInterp') return p.strip.after;
  if (p.kind === 'TemplateIf' || p.kind === 'TemplateFor') return p.endTag.after;
  return false;
}

/**
 * Renders template parts into `acc`. `stripFirst`/`stripLast`: the enclosing directive's tags
 * strip the whitespace at the start of the first text part / the end of the last one.
 */
function renderParts(parts: (string | Expression)[], stripFirst: boolean, stripLast: boolean, scope: Scope, ctx: EvalContext, acc: Rendered): void {
  const last = parts.length - 1;
  for (let i = 0; i <= last; i++) {
    const p = parts[i]!;
    if (typeof p === 'string') {
      let text = p;
      if (i === 0 ? stripFirst : stripsAfter(parts[i - 1])) text = text.replace(/^\s+/, '');
      if (i === last ? stripLast : stripsBefore(parts[i + 1])) text = text.replace(/\s+$/, '');
      acc.out += text;
      continue;
    }
    if (p.kind === 'TemplateIf') {
      const { value, sensitive } = unwrap(evalExpr(p.condition, scope, ctx));
      acc.sensitive ||= sensitive;
      if (value === UNKNOWN) {
        acc.unknown = true;
        continue;
      }
      const b = convert(value, { t: 'bool' });
      if (!b.ok || typeof b.value !== 'boolean') fail(p.condition.range, `%{ if }: expected bool, got ${typeOfValue(value)}`);
      const endStrip = p.endTag.before;
      if (b.value) renderParts(p.then, p.ifTag.after, p.elseTag ? p.elseTag.before : endStrip, scope, ctx, acc);
      else if (p.else) renderParts(p.else, p.elseTag!.after, endStrip, scope, ctx, acc);
      continue;
    }
    if (p.kind === 'TemplateFor') {
      const { entries, sensitive } = forEntries(p.collection, scope, ctx, '%{ for }');
      acc.sensitive ||= sensitive;
      if (!entries) {
        acc.unknown = true;
        continue;
      }
      for (const [k, v] of entries) {
        const names = new Map(scope.names ?? []);
        if (p.keyVar) names.set(p.keyVar, k);
        names.set(p.valueVar, v);
        renderParts(p.body, p.forTag.after, p.endTag.before, { ...scope, names }, ctx, acc);
      }
      continue;
    }
    const u = unwrap(evalExpr(p, scope, ctx));
    acc.sensitive ||= u.sensitive;
    const v = u.value;
    if (v === UNKNOWN) {
      acc.unknown = true;
      continue;
    }
    if (v === null) fail(p.range, 'cannot interpolate null', 'use coalesce(x, "") for a default');
    if (Array.isArray(v) || isObject(v) || v instanceof ResourceGroup) {
      fail(p.range, `cannot interpolate a ${typeOfValue(v)}`, v instanceof ResourceGroup || Array.isArray(v) ? 'use join(", ", …) to make a string of a list' : 'use jsonencode(…) to make a string of an object');
    }
    const s = convert(v, STRING);
    if (!s.ok || s.value === UNKNOWN) {
      acc.unknown = true;
      continue;
    }
    if (containsSensitive(s.value)) acc.sensitive = true;
    acc.out += unwrap(s.value).value as string; // convert(…, STRING) gave a string
  }
}

/** The (key, value) pairs a `for` iterates: a list's (index, element), a map's (key, value) in key order. */
function forEntries(collection: Expression, scope: Scope, ctx: EvalContext, what: string): { entries?: [EvalValue, EvalValue][]; sensitive: boolean } {
  const { value: coll0, sensitive } = unwrap(evalExpr(collection, scope, ctx));
  if (coll0 === UNKNOWN) return { sensitive };
  const coll = coll0 instanceof ResourceGroup ? expandGroup(coll0) : coll0;
  if (Array.isArray(coll)) return { entries: coll.map((v, i) => [i, v]), sensitive };
  if (isObject(coll)) return { entries: Object.keys(coll).sort().map((k) => [k, coll[k]!]), sensitive };
  fail(collection.range, `${what} needs a list or a map, got ${typeOfValue(coll)}`);
}

/**
 * `x[*].steps`: the steps applied to every element of x. As in HCL, a value that is not a list
 * is a list of one, and null an empty list; the instances of a resource with count or
 * for_each are its elements (for_each: in key order).
 */
function evalSplat(e: Extract<Expression, { kind: 'Splat' }>, scope: Scope, ctx: EvalContext): EvalValue {
  const { value: v, sensitive } = unwrap(evalExpr(e.object, scope, ctx));
  if (v === UNKNOWN) return wrap(UNKNOWN, sensitive);
  let items: EvalValue[];
  if (v === null) items = [];
  else if (Array.isArray(v)) items = v;
  else if (v instanceof ResourceGroup) {
    const keys = [...v.instances.keys()];
    if (v.mode === 'for_each') keys.sort();
    items = keys.map((k) => v.instances.get(k)!);
  } else items = [v];
  const out: EvalValue[] = [];
  for (const item of items) {
    const names = new Map(scope.names ?? []);
    names.set(SPLAT_ITEM, item);
    out.push(evalExpr(e.each, { ...scope, names }, ctx));
  }
  return wrap(out, sensitive);
}

/** `module.NAME` (not shadowed by a `for` variable), else undefined. */
function moduleRoot(e: Expression, scope: Scope): { name: string; range: SourceRange } | undefined {
  if (e.kind === 'GetAttr' && e.object.kind === 'Variable' && e.object.name === 'module' && !scope.names?.has('module')) return { name: e.name, range: e.range };
  return undefined;
}

/** A bare name: a `for` variable, or a root used without an attribute (an error). */
function evalName(name: string, range: SourceRange, scope: Scope): EvalValue {
  if (scope.names?.has(name)) return scope.names.get(name)!;
  if (name === 'var' || name === 'local') fail(range, `"${name}" needs a name: ${name}.NAME`);
  if (name === 'each') fail(range, '"each" needs an attribute: each.key or each.value');
  if (name === 'count') fail(range, '"count" needs an attribute: count.index');
  if (name === 'module') fail(range, '"module" needs a name: module.NAME');
  if (name === 'path') fail(range, '"path" needs an attribute: path.module, path.root or path.cwd');
  if ((resourceTypes as string[]).includes(name)) fail(range, `a reference to a ${name} needs its label: ${name}.LABEL`);
  const candidates = ['var', 'local', 'each', 'count', 'module', 'path', ...resourceTypes, ...[...(scope.names?.keys() ?? [])].filter((n) => n !== SPLAT_ITEM)];
  failStatic(range, `unknown name "${name}"`, didYouMean(name, candidates) ?? 'references start with var., local., each., count. or a resource type (role.x)');
}

/** `root.name` for the roots of references (each and count from the scope, the others from the resolver); NOT_A_ROOT for anything else. */
function evalRoot(root: string, name: string, range: SourceRange, scope: Scope, ctx: EvalContext): EvalValue | typeof NOT_A_ROOT {
  switch (root) {
    case 'var':
      return ctx.resolver.variable(name, range, scope);
    case 'local':
      return ctx.resolver.local(name, range, scope);
    case 'each':
      if (!scope.each) fail(range, `each.${name} is only available in a resource or module with for_each`);
      if (name === 'key') return scope.each.key;
      if (name === 'value') return scope.each.value;
      fail(range, `unknown attribute "each.${name}"`, 'each has key and value');
    // falls through (fail never returns)
    case 'count':
      if (scope.countIndex === undefined) fail(range, `count.${name} is only available in a resource or module with count`);
      if (name === 'index') return scope.countIndex;
      fail(range, `unknown attribute "count.${name}"`, 'count has index');
    // falls through
    case 'module':
      return ctx.resolver.module(name, range, scope);
    case 'path':
      return ctx.resolver.path(name, range);
    case 'provider':
      fail(range, 'provider.NAME is only allowed as the value of a resource\'s provider attribute');
    // falls through
    default:
      if ((resourceTypes as string[]).includes(root)) return ctx.resolver.resource(root as ResourceType, name, range, scope);
      return NOT_A_ROOT;
  }
}

function getAttr(obj: EvalValue, name: string, range: SourceRange): EvalValue {
  const { value, sensitive } = unwrap(obj);
  if (value === UNKNOWN) return wrap(UNKNOWN, sensitive);
  if (value instanceof ResourceRef) {
    const v = value.instance.attribute(name);
    if (v === undefined) {
      fail(range, `${value.instance.type} has no attribute "${name}"`, didYouMean(name, value.instance.attributeNames()) ?? `readable: ${value.instance.attributeNames().join(', ')}`);
    }
    return wrap(v, sensitive);
  }
  if (value instanceof ResourceGroup) {
    fail(range, `${value.address} has ${value.mode === 'count' ? 'count' : 'for_each'}: choose an instance first, ${value.address}[${value.mode === 'count' ? '0' : 'KEY'}].${name}`);
  }
  if (isObject(value)) {
    if (!(name in value)) fail(range, `object has no attribute "${name}"`, didYouMean(name, Object.keys(value)));
    return wrap(value[name]!, sensitive);
  }
  fail(range, `cannot read attribute "${name}" of a ${typeOfValue(value)}`);
}

function index(obj: EvalValue, idx: EvalValue, range: SourceRange): EvalValue {
  const o = unwrap(obj);
  const i = unwrap(idx);
  const sensitive = o.sensitive || i.sensitive;
  let value = o.value;
  if (value === UNKNOWN || i.value === UNKNOWN) return wrap(UNKNOWN, sensitive);
  if (value instanceof ResourceGroup) value = expandGroup(value);
  if (Array.isArray(value)) {
    const n = convert(i.value, { t: 'number' });
    if (!n.ok || typeof n.value !== 'number' || !Number.isInteger(n.value)) fail(range, `a list index must be a whole number, got ${typeOfValue(i.value)}`);
    if (n.value < 0 || n.value >= value.length) fail(range, `index ${n.value} is out of range (the list has ${value.length} element${value.length === 1 ? '' : 's'})`);
    return wrap(value[n.value]!, sensitive);
  }
  if (isObject(value)) {
    const k = convert(i.value, STRING);
    if (!k.ok || typeof k.value !== 'string') fail(range, `a map key must be a string, got ${typeOfValue(i.value)}`);
    if (!(k.value in value)) {
      // neither a sensitive key nor the keys of a sensitive map are shown
      if (i.sensitive) fail(range, 'the map has no such key (the key is sensitive: it is not shown)');
      fail(range, `no key "${k.value}" in the map`, o.sensitive ? undefined : didYouMean(k.value, Object.keys(value)));
    }
    return wrap(value[k.value]!, sensitive);
  }
  fail(range, `cannot index a ${typeOfValue(value)}`);
}

function evalCall(e: Extract<Expression, { kind: 'Call' }>, scope: Scope, ctx: EvalContext): EvalValue {
  const special = evaluatorFunctions[e.name];
  if (special) return special.invoke(e, scope, ctx, evalExpr);
  let args = e.args.map((a) => evalExpr(a, scope, ctx));
  if (e.expandFinal && args.length > 0) {
    const { value: last, sensitive } = unwrap(args[args.length - 1]!);
    if (last === UNKNOWN) return wrap(UNKNOWN, sensitive);
    const list = last instanceof ResourceGroup ? expandGroup(last) : last;
    if (!Array.isArray(list)) fail(e.args[e.args.length - 1]!.range, `only a list can be expanded with ..., got ${typeOfValue(list)}`);
    args = [...args.slice(0, -1), ...list.map((x) => wrap(x, sensitive))];
  }
  try {
    return callFunction(e.name, args, ctx.functions);
  } catch (err) {
    if (err instanceof FunctionError) {
      const at = err.argument !== undefined && e.args[err.argument] ? e.args[err.argument]!.range : e.range;
      if (err.message.startsWith('unknown function')) failStatic(at, err.message, didYouMean(e.name, functionNames) ?? `functions: ${functionNames.join(', ')}`);
      fail(at, err.message);
    }
    throw err;
  }
}

function evalBinary(e: Extract<Expression, { kind: 'Binary' }>, scope: Scope, ctx: EvalContext): EvalValue {
  const l = unwrap(evalExpr(e.left, scope, ctx));
  const r = unwrap(evalExpr(e.right, scope, ctx));
  const sensitive = l.sensitive || r.sensitive;
  if (e.op === '==' || e.op === '!=') {
    if (containsUnknown(l.value) || containsUnknown(r.value)) return wrap(UNKNOWN, sensitive);
    const eq = valuesEqual(l.value, r.value);
    return wrap(e.op === '==' ? eq : !eq, sensitive);
  }
  if (l.value === UNKNOWN || r.value === UNKNOWN) return wrap(UNKNOWN, sensitive);
  if (e.op === '&&' || e.op === '||') {
    if (typeof l.value !== 'boolean') fail(e.left.range, `operator ${e.op}: expected bool, got ${typeOfValue(l.value)}`);
    if (typeof r.value !== 'boolean') fail(e.right.range, `operator ${e.op}: expected bool, got ${typeOfValue(r.value)}`);
    return wrap(e.op === '&&' ? l.value && r.value : l.value || r.value, sensitive);
  }
  const a = convert(l.value, { t: 'number' });
  const b = convert(r.value, { t: 'number' });
  if (!a.ok || typeof a.value !== 'number') fail(e.left.range, `operator ${e.op}: expected number, got ${typeOfValue(l.value)}`);
  if (!b.ok || typeof b.value !== 'number') fail(e.right.range, `operator ${e.op}: expected number, got ${typeOfValue(r.value)}`);
  const x = a.value;
  const y = b.value;
  let out: number | boolean;
  switch (e.op) {
    case '+': out = x + y; break;
    case '-': out = x - y; break;
    case '*': out = x * y; break;
    case '/':
      if (y === 0) fail(e.right.range, 'division by zero');
      out = x / y;
      break;
    case '%':
      if (y === 0) fail(e.right.range, 'division by zero');
      out = x % y;
      break;
    case '<': out = x < y; break;
    case '<=': out = x <= y; break;
    case '>': out = x > y; break;
    case '>=': out = x >= y; break;
  }
  return wrap(out, sensitive);
}

function evalFor(e: Extract<Expression, { kind: 'For' }>, scope: Scope, ctx: EvalContext): EvalValue {
  const { entries, sensitive } = forEntries(e.collection, scope, ctx, 'a for expression');
  if (!entries) return wrap(UNKNOWN, sensitive);
  const listOut: EvalValue[] = [];
  const objOut: { [k: string]: EvalValue } = {};
  for (const [k, v] of entries) {
    const names = new Map(scope.names ?? []);
    if (e.keyVar) names.set(e.keyVar, k);
    names.set(e.valueVar, v);
    const inner: Scope = { ...scope, names };
    if (e.condition) {
      const c = unwrap(evalExpr(e.condition, inner, ctx)).value;
      if (c === UNKNOWN) return wrap(UNKNOWN, sensitive);
      if (typeof c !== 'boolean') fail(e.condition.range, `a for condition must be a bool, got ${typeOfValue(c)}`);
      if (!c) continue;
    }
    const value = evalExpr(e.valueExpr, inner, ctx);
    if (e.result === 'list') {
      listOut.push(value);
      continue;
    }
    const kv = unwrap(evalExpr(e.keyExpr!, inner, ctx)).value;
    const key = convert(kv, STRING);
    if (kv === UNKNOWN || !key.ok || typeof key.value !== 'string') fail(e.keyExpr!.range, `a for key must be a known string, got ${typeOfValue(kv)}`);
    if (e.grouping) ((objOut[key.value] ??= []) as EvalValue[]).push(value);
    else {
      if (key.value in objOut) fail(e.keyExpr!.range, `duplicate key "${key.value}" in a for expression`, 'add ... after the value to group values by key');
      objOut[key.value] = value;
    }
  }
  return wrap(e.result === 'list' ? listOut : objOut, sensitive);
}

// Custom conditions, as in Terraform: a variable's `validation` blocks, and the `precondition`
// and `postcondition` blocks of a resource's `lifecycle`. Each states a `condition` (a bool) and
// the `error_message` shown when it is false, at the condition (file:line:col).
//
// All are checked while the configuration is evaluated, so `xp validate`, `xp plan` and
// `xp apply` fail on them before anything changes, with the same message:
// - a validation, once the variable has its value (converted to its type); it may refer to
//   the variable itself only (var.NAME), and must;
// - a precondition, before the instance's attributes are checked: it sees what the
//   resource's attributes see (var, local, each, count.index, other resources), not `self`;
// - an output's precondition, before its value: it sees what the value sees;
// - a postcondition, once the instance is built and valid: it sees the same, and `self`, the
//   instance as a reference to it reads (`self.name`, `self.owner`, defaults filled; what is
//   known only after apply, such as a generated password, is unknown).
// A condition that depends on a value known only after apply cannot be checked at plan time,
// and is an error. References in conditions are not dependencies (nothing is ordered by
// them: they are checked before apply). A configuration without these blocks does no work here.
import type { Attribute, Block, Expression } from '../dsl/ast.js';
import type { SourceRange } from '../dsl/diagnostics.js';
import { conditionAttributes, SELF } from '../dsl/condition-blocks.js';
import { resourceTypes } from '../kinds/index.js';
import { FAILED, attributesOf, where, type DiagnosticSink, type EvalContext, type Scope } from './context.js';
import { evalAttribute } from './expressions.js';
import { didYouMean } from './suggest.js';
import { convert } from './type-constraints.js';
import { STRING } from '../model/type-spec.js';
import { UNKNOWN, containsSensitive, containsUnknown, typeOfValue, unwrap, type EvalValue } from './values.js';

/** One condition block, checked statically: both attributes are there. */
export interface Condition {
  block: Block;
  condition: Attribute;
  message: Attribute;
}

/** The preconditions and postconditions of a resource block's lifecycle. */
export interface ResourceConditions {
  pre: Condition[];
  post: Condition[];
}

const SENSITIVE_MESSAGE = '(the error message refers to sensitive values and is not shown)';

// ── references ────────────────────────────────────────────────────────────────────────
/** A reference at the root of a traversal: `var.x` is { root: 'var', name: 'x' }. */
interface Reference {
  root: string;
  name?: string;
  range: SourceRange;
}

/** The references an expression makes (names bound by `for` and `%{ for }` left out). */
function referencesOf(e: Expression, bound: ReadonlySet<string> = new Set(), out: Reference[] = []): Reference[] {
  const parts = (ps: (string | Expression)[], b: ReadonlySet<string>) => {
    for (const p of ps) if (typeof p !== 'string') referencesOf(p, b, out);
  };
  const binding = (...names: (string | undefined)[]) => new Set([...bound, ...names.filter((n): n is string => n !== undefined)]);
  switch (e.kind) {
    case 'Literal':
    case 'SplatItem':
      break;
    case 'Variable':
      if (!bound.has(e.name)) out.push({ root: e.name, range: e.range });
      break;
    case 'GetAttr':
      if (e.object.kind === 'Variable') {
        if (!bound.has(e.object.name)) out.push({ root: e.object.name, name: e.name, range: e.range });
      } else referencesOf(e.object, bound, out);
      break;
    case 'Index':
      referencesOf(e.object, bound, out);
      referencesOf(e.index, bound, out);
      break;
    case 'Splat':
      referencesOf(e.object, bound, out);
      referencesOf(e.each, bound, out);
      break;
    case 'Template':
      parts(e.parts, bound);
      break;
    case 'TemplateInterp':
      referencesOf(e.expr, bound, out);
      break;
    case 'TemplateIf':
      referencesOf(e.condition, bound, out);
      parts(e.then, bound);
      if (e.else) parts(e.else, bound);
      break;
    case 'TemplateFor':
      referencesOf(e.collection, bound, out);
      parts(e.body, binding(e.keyVar, e.valueVar));
      break;
    case 'List':
      for (const x of e.items) referencesOf(x, bound, out);
      break;
    case 'Object':
      for (const item of e.items) {
        if (typeof item.key !== 'string') referencesOf(item.key, bound, out);
        referencesOf(item.value, bound, out);
      }
      break;
    case 'Call':
      for (const a of e.args) referencesOf(a, bound, out);
      break;
    case 'Unary':
      referencesOf(e.operand, bound, out);
      break;
    case 'Binary':
      referencesOf(e.left, bound, out);
      referencesOf(e.right, bound, out);
      break;
    case 'Conditional':
      referencesOf(e.condition, bound, out);
      referencesOf(e.then, bound, out);
      referencesOf(e.else, bound, out);
      break;
    case 'For': {
      referencesOf(e.collection, bound, out);
      const inner = binding(e.keyVar, e.valueVar);
      if (e.keyExpr) referencesOf(e.keyExpr, inner, out);
      referencesOf(e.valueExpr, inner, out);
      if (e.condition) referencesOf(e.condition, inner, out);
      break;
    }
    case 'Paren':
      referencesOf(e.inner, bound, out);
      break;
  }
  return out;
}

/** The roots that name something outside the expression (an unknown name is left to the evaluator). */
const outsideRoots = new Set<string>(['var', 'local', 'each', 'count', 'provider', SELF, ...resourceTypes]);

const text = (r: Reference) => (r.name === undefined ? r.root : `${r.root}.${r.name}`);

// ── reading the blocks ─────────────────────────────────────────────────────────────────
/** A condition block's attributes, checked: no label, no nested block, both attributes, nothing else. */
function readCondition(block: Block, diagnostics: DiagnosticSink): Condition | undefined {
  if (block.labels.length > 0) diagnostics.report(block.typeRange, `a ${block.type} block takes no label`);
  for (const b of block.body.blocks) diagnostics.report(b.typeRange, `unexpected block "${b.type}" in ${block.type}`);
  const attrs = attributesOf(block, diagnostics);
  for (const [name, attr] of attrs) {
    if (!(conditionAttributes as readonly string[]).includes(name)) {
      diagnostics.report(attr.nameRange, `unknown attribute "${name}" in ${block.type}`, didYouMean(name, conditionAttributes) ?? `${block.type} has: ${conditionAttributes.join(', ')}`);
    }
  }
  const condition = attrs.get('condition');
  const message = attrs.get('error_message');
  for (const [name, attr] of [['condition', condition], ['error_message', message]] as const) {
    if (!attr) diagnostics.report(block.typeRange, `missing required attribute "${name}" in ${block.type}`, `${block.type} { condition = …, error_message = "…" }`);
  }
  if (!condition || !message) return undefined;
  const m = message.value;
  if (m.kind === 'Template' && m.parts.length <= 1 && (m.parts[0] ?? '') === '') diagnostics.report(m.range, 'error_message must not be empty', 'say what is wrong and what to do');
  return { block, condition, message };
}

/** A `validation` block of variable `variable`: its expressions may refer to var.NAME only, and its condition must. */
export function readValidation(block: Block, variable: string, diagnostics: DiagnosticSink): Condition | undefined {
  const errorsBefore = diagnostics.errors;
  const c = readCondition(block, diagnostics);
  if (!c) return undefined;
  let selfRefs = 0;
  for (const attr of [c.condition, c.message]) {
    for (const r of referencesOf(attr.value)) {
      if (r.root === 'var' && r.name === variable) {
        if (attr === c.condition) selfRefs++;
      } else if (outsideRoots.has(r.root)) {
        diagnostics.report(r.range, `the validation of variable "${variable}" can only refer to var.${variable}, not ${text(r)}`, 'a validation checks the value given for its variable; check other values where they are used');
      }
    }
  }
  if (selfRefs === 0 && diagnostics.errors === errorsBefore) {
    diagnostics.report(c.condition.value.range, `the condition of a validation must refer to var.${variable}`, 'it checks the value given for the variable');
  }
  return diagnostics.errors === errorsBefore ? c : undefined;
}

/** Per evaluation (an AST may be evaluated again), per resource block (every instance shares
 * them): its conditions, null when it has none. */
const read = new WeakMap<EvalContext, WeakMap<Block, ResourceConditions | null>>();

/**
 * The preconditions and postconditions in a resource block's lifecycle, read once per
 * evaluation, or undefined when it has none (the usual case: one scan of its nested blocks).
 */
export function resourceConditions(resource: Block, ctx: EvalContext): ResourceConditions | undefined {
  // most blocks have none: nothing to read or to remember (a WeakMap entry per block slows the collector)
  const lifecycle = resource.body.blocks.find((b) => b.type === 'lifecycle');
  if (!lifecycle?.body.blocks.some((b) => b.type === 'precondition' || b.type === 'postcondition')) return undefined;
  let byBlock = read.get(ctx);
  if (!byBlock) read.set(ctx, (byBlock = new WeakMap()));
  const known = byBlock.get(resource);
  if (known !== undefined) return known ?? undefined;
  const diagnostics = ctx.diagnostics;
  let found: ResourceConditions | null = null;
  for (const b of lifecycle.body.blocks) {
    if (b.type !== 'precondition' && b.type !== 'postcondition') continue;
    found ??= { pre: [], post: [] };
    const c = readCondition(b, diagnostics);
    if (!c) continue;
    if (b.type === 'postcondition') {
      found.post.push(c);
      continue;
    }
    if (noSelf(c, diagnostics)) found.pre.push(c);
  }
  byBlock.set(resource, found);
  return found ?? undefined;
}

/** A precondition refers to no `self` (each reference to it is reported). */
function noSelf(c: Condition, diagnostics: DiagnosticSink): boolean {
  const self = [c.condition, c.message].flatMap((attr) => referencesOf(attr.value)).filter((r) => r.root === SELF);
  for (const r of self) diagnostics.report(r.range, `${SELF} is only available in a postcondition`, `only a resource's postcondition reads the resource as ${SELF}: a precondition is checked before what it guards`);
  return self.length === 0;
}

/** A `precondition` block of an output (as in Terraform), checked statically. */
export function readOutputPrecondition(block: Block, diagnostics: DiagnosticSink): Condition | undefined {
  const c = readCondition(block, diagnostics);
  return c && noSelf(c, diagnostics) ? c : undefined;
}

/** The preconditions of output `name`, before its value: they see what the value sees. */
export function checkOutputPreconditions(conditions: readonly Condition[], name: string, ctx: EvalContext): boolean {
  return check(conditions, () => `precondition failed for output "${name}"`, { where: 'output', deps: new Set<string>() }, ctx);
}

/** Whether a lifecycle may hold a block of this type (the others are reported by the caller). */
export function isLifecycleCondition(type: string): boolean {
  return type === 'precondition' || type === 'postcondition';
}

// ── checking ───────────────────────────────────────────────────────────────────────────
/**
 * Checks conditions in `scope`; each false one is reported at its condition as
 * `${subject}: ${error_message}`. False when one failed or could not be evaluated.
 */
function check(conditions: readonly Condition[], subject: (c: Condition) => string, scope: Scope, ctx: EvalContext, hint?: string): boolean {
  let ok = true;
  for (const c of conditions) {
    const result = conditionValue(c, scope, ctx);
    if (result === true) continue;
    ok = false;
    if (result === FAILED) continue;
    const message = errorMessage(c, scope, ctx);
    if (message !== undefined) ctx.diagnostics.report(c.condition.range, `${subject(c)}: ${message}`, hint);
  }
  return ok;
}

function conditionValue(c: Condition, scope: Scope, ctx: EvalContext): boolean | typeof FAILED {
  const v = evalAttribute(c.condition, scope, ctx);
  if (v === FAILED) return FAILED;
  const range = c.condition.value.range;
  const { value } = unwrap(v);
  if (value === UNKNOWN || containsUnknown(value)) {
    ctx.diagnostics.report(range, `the condition of this ${c.block.type} depends on values known only after apply`, 'xp checks conditions before anything changes: they can use only what is known at plan time');
    return FAILED;
  }
  if (value === null) {
    ctx.diagnostics.report(range, `the condition of this ${c.block.type} must be true or false, got null`);
    return FAILED;
  }
  const b = convert(value, { t: 'bool' });
  if (!b.ok || typeof b.value !== 'boolean') {
    ctx.diagnostics.report(range, `the condition of this ${c.block.type} must be a bool, got ${typeOfValue(value)}`);
    return FAILED;
  }
  return b.value;
}

/** The author's message; a sensitive one is not shown (the value could be a password). */
function errorMessage(c: Condition, scope: Scope, ctx: EvalContext): string | undefined {
  const v = evalAttribute(c.message, scope, ctx);
  if (v === FAILED) return undefined;
  const { value, sensitive } = unwrap(v);
  if (sensitive || containsSensitive(value)) return SENSITIVE_MESSAGE;
  const range = c.message.value.range;
  if (value === UNKNOWN || containsUnknown(value)) {
    ctx.diagnostics.report(range, 'error_message depends on values known only after apply');
    return undefined;
  }
  const s = convert(value, STRING);
  if (!s.ok || typeof s.value !== 'string') {
    ctx.diagnostics.report(range, `error_message: expected string, got ${typeOfValue(value)}`);
    return undefined;
  }
  if (s.value.trim() === '') {
    ctx.diagnostics.report(range, 'error_message must not be empty', 'say what is wrong and what to do');
    return undefined;
  }
  return s.value;
}

/**
 * The validations of variable `name`, once it has its value; `origin` is where the value came
 * from (`default`, `--var x`, a var file) and `valueRange` where it is written, when it is.
 */
export function checkValidations(name: string, validations: readonly Condition[], origin: string, valueRange: SourceRange | undefined, ctx: EvalContext): boolean {
  const hint = valueRange ? `the value is at ${where(valueRange)}` : undefined;
  return check(validations, () => `invalid value for variable "${name}" (${origin})`, { where: 'validation' }, ctx, hint);
}

/**
 * The preconditions (`self` undefined) or the postconditions (`self` the instance) of one
 * resource instance, in the instance's scope; references made here record no dependency.
 */
export function checkResourceConditions(conditions: readonly Condition[], address: string, instanceScope: Scope, ctx: EvalContext, self?: EvalValue): boolean {
  if (conditions.length === 0) return true;
  const scope: Scope = { ...instanceScope, deps: new Set<string>() };
  if (self !== undefined) scope.names = new Map([...(instanceScope.names ?? []), [SELF, self]]);
  return check(conditions, (c) => `${c.block.type} failed for ${address}`, scope, ctx);
}

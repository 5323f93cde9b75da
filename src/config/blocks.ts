// The top-level blocks other than resources: variables (declared, then given their values
// from the command line, var files, XP_VAR_* or defaults), locals (evaluated lazily, in any
// order, a cycle reported once), the stack, providers and outputs. Variables and locals are
// the resolver's answers to `var.x` and `local.x` (context.ts).
import type { Attribute, Block, Expression } from '../dsl/ast.js';
import type { Diagnostic, SourceRange } from '../dsl/diagnostics.js';
import type { Configuration, OutputValue, ProviderBlock } from '../model/types.js';
import { ANY, type TypeSpec } from '../model/type-spec.js';
import { BUSY, FAILED, alreadyReported, attributesOf, fail, failStatic, where, type DiagnosticSink, type EvalContext, type Scope } from './context.js';
import { checkOutputPreconditions, checkValidations, readOutputPrecondition, readValidation, type Condition } from './conditions.js';
import { evalAttribute, evalTop } from './expressions.js';
import { didYouMean } from './suggest.js';
import { convert, typeFromExpression } from './type-constraints.js';
import { UNKNOWN, containsSensitive, toPlain, typeOfValue, unwrap, wrap, type EvalValue } from './values.js';

/** A value given for a variable from outside the configuration. */
export type VariableInput =
  /** `--var name=value`, `XP_VAR_name`: a string, parsed as an expression unless the type is string. */
  | { name: string; raw: string; source: string; parseRaw: (raw: string) => Expression | Diagnostic[] }
  /** A `name = value` line of a var file. */
  | { name: string; expression: Expression; source: string }
  /** A key of a JSON var file; an argument of a module block (evaluated where the block is, with
   * the resources it refers to, which every reference to the variable then depends on). */
  | { name: string; value: EvalValue; source: string; range?: SourceRange; deps?: ReadonlySet<string> };

interface VariableState {
  block: Block;
  type: TypeSpec;
  sensitive: boolean;
  value: EvalValue | typeof FAILED;
  /** Its validation blocks (absent: none). */
  validations?: Condition[];
  /** The resources its value refers to (a module argument). */
  deps?: ReadonlySet<string>;
}

/** The variables of a configuration. */
export class Variables {
  private readonly states = new Map<string, VariableState>();
  private readonly diagnostics: DiagnosticSink;

  constructor(private readonly ctx: EvalContext) {
    this.diagnostics = ctx.diagnostics;
  }

  /** A variable block: its type and sensitivity (its value comes with resolve). */
  declare(block: Block): void {
    const attrs = attributesOf(block, this.diagnostics);
    let type: TypeSpec = ANY;
    let sensitive = false;
    let validations: Condition[] | undefined;
    for (const b of block.body.blocks) {
      if (b.type !== 'validation') this.diagnostics.report(b.typeRange, `unexpected block "${b.type}" in variable`, didYouMean(b.type, ['validation']) ?? 'variable has blocks: validation');
      else {
        const v = readValidation(b, block.labels[0]!, this.diagnostics);
        if (v) (validations ??= []).push(v);
      }
    }
    for (const [name, attr] of attrs) {
      if (name === 'type') {
        const t = typeFromExpression(attr.value);
        if (typeof t === 'string') this.diagnostics.report(attr.value.range, t);
        else type = t;
      } else if (name === 'sensitive') {
        const v = evalAttribute(attr, { where: 'variable' }, this.ctx);
        if (v !== FAILED && typeof v !== 'boolean') this.diagnostics.report(attr.value.range, `sensitive: expected bool, got ${typeOfValue(v)}`);
        sensitive = v === true;
      } else if (name === 'description') {
        const v = evalAttribute(attr, { where: 'variable' }, this.ctx);
        if (v !== FAILED && typeof v !== 'string') this.diagnostics.report(attr.value.range, `description: expected string, got ${typeOfValue(v)}`);
      } else if (name !== 'default') {
        this.diagnostics.report(attr.nameRange, `unknown attribute "${name}" in variable`, didYouMean(name, ['type', 'default', 'description', 'sensitive']));
      }
    }
    this.states.set(block.labels[0]!, { block, type, sensitive, value: FAILED, ...(validations ? { validations } : {}) });
  }

  /** The value of every variable: the last input given for it, else its default, converted to its type. */
  resolve(inputs: readonly VariableInput[]): void {
    const given = new Map<string, VariableInput>();
    for (const input of inputs) {
      if (this.states.has(input.name)) given.set(input.name, input);
      else if (input.source.startsWith('XP_VAR_')) continue; // the environment may hold variables of other stacks
      else {
        this.diagnostics.push({
          severity: input.source.startsWith('--var ') ? 'error' : 'warning',
          message: `a value was given for undeclared variable "${input.name}" (${input.source})`,
          hint: didYouMean(input.name, this.states.keys()) ?? `declare it: variable "${input.name}" {}`,
        });
      }
    }
    for (const [name, state] of this.states) {
      const attrs = attributesOf(state.block, this.diagnostics);
      const input = given.get(name);
      let raw: EvalValue | typeof FAILED;
      let range: SourceRange | undefined = state.block.typeRange;
      let origin = 'default';
      if (input) {
        origin = input.source;
        if ('raw' in input) {
          // the command line gives strings; other declared types are written as expressions:
          // '["a","b"]' (as in Terraform, a variable without a type takes the string as is)
          if (state.type.t === 'string' || state.type.t === 'any') raw = input.raw;
          else {
            const parsed = input.parseRaw(input.raw);
            if (Array.isArray(parsed)) {
              this.diagnostics.push(...parsed.map((d) => ({ ...d, message: `variable "${name}" (${input.source}): ${d.message}` })));
              raw = FAILED;
            } else raw = evalTop(parsed, 'var-file', this.ctx);
          }
          range = undefined;
        } else if ('expression' in input) {
          raw = evalTop(input.expression, 'var-file', this.ctx);
          range = input.expression.range;
        } else {
          raw = input.value;
          range = input.range;
          if (input.deps) state.deps = input.deps;
        }
      } else {
        const def = attrs.get('default');
        if (!def) {
          this.diagnostics.report(state.block.typeRange, `no value for required variable "${name}"`, `set it with --var ${name}=…, a --var-file, XP_VAR_${name}, or give it a default`);
          continue;
        }
        raw = evalAttribute(def, { where: 'variable' }, this.ctx);
        range = def.value.range;
      }
      if (raw === FAILED) continue;
      const c = convert(raw, state.type);
      if (!c.ok) {
        this.diagnostics.report(range ?? state.block.typeRange, `invalid value for variable "${name}" (${origin}): ${c.message}`);
        continue;
      }
      state.value = wrap(c.value, state.sensitive);
      // the validations read var.NAME: the value is set first, and taken back when one fails
      if (state.validations && !checkValidations(name, state.validations, origin, range, this.ctx)) state.value = FAILED;
    }
  }

  /** The declared variables: whether each has a default. */
  declared(): Map<string, { hasDefault: boolean; block: Block }> {
    const out = new Map<string, { hasDefault: boolean; block: Block }>();
    for (const [name, s] of this.states) out.set(name, { hasDefault: s.block.body.attributes.some((a) => a.name === 'default'), block: s.block });
    return out;
  }

  /** `var.name` */
  reference(name: string, range: SourceRange, scope: Scope): EvalValue {
    const v = this.states.get(name);
    if (!v) failStatic(range, `unknown variable "${name}"`, didYouMean(name, this.states.keys()) ?? `declare it: variable "${name}" {}`);
    if (scope.where === 'variable') fail(range, 'a variable default cannot refer to variables');
    if (v.value === FAILED) throw alreadyReported(); // reported at the variable
    if (v.deps && scope.deps) for (const d of v.deps) scope.deps.add(d);
    return v.value;
  }
}

interface LocalState {
  attr: Attribute;
  state: 'pending' | typeof BUSY | 'done' | typeof FAILED;
  value: EvalValue;
  deps: Set<string>;
}

/** The locals of a configuration. */
export class Locals {
  private readonly states = new Map<string, LocalState>();
  /** The locals being evaluated, innermost last: where a cycle starts. */
  private readonly stack: string[] = [];
  private readonly diagnostics: DiagnosticSink;

  constructor(private readonly ctx: EvalContext) {
    this.diagnostics = ctx.diagnostics;
  }

  declare(attr: Attribute): void {
    this.states.set(attr.name, { attr, state: 'pending', value: null, deps: new Set() });
  }

  /** Evaluates every local, also those nothing refers to (their mistakes are mistakes too). */
  evaluateAll(): void {
    for (const [name, l] of this.states) {
      try {
        this.reference(name, l.attr.nameRange, { where: 'local' });
      } catch (err) {
        this.diagnostics.caught(err);
      }
    }
  }

  /** `local.name`: evaluated once, when first needed; a cycle between locals is reported once. */
  reference(name: string, range: SourceRange, scope: Scope): EvalValue {
    if (scope.where === 'variable') fail(range, 'a variable default cannot refer to locals');
    const l = this.states.get(name);
    if (!l) failStatic(range, `unknown local "${name}"`, didYouMean(name, this.states.keys()) ?? 'locals are declared in a locals { … } block');
    if (l.state === BUSY) {
      const cycle = this.stack.slice(this.stack.indexOf(name));
      const path = [...cycle, name].map((n) => `local.${n}`).join(' → ');
      const members = cycle.map((n) => `local.${n} (${where(this.states.get(n)!.attr.nameRange)})`).join(', ');
      for (const n of cycle) this.states.get(n)!.state = FAILED;
      this.diagnostics.report(this.states.get(cycle[0]!)!.attr.nameRange, `cycle between locals: ${path}`, `each of ${members} depends on the next`);
      throw alreadyReported();
    }
    if (l.state === FAILED) throw alreadyReported();
    if (l.state === 'pending') {
      l.state = BUSY;
      this.stack.push(name);
      let v: EvalValue | typeof FAILED;
      try {
        v = evalAttribute(l.attr, { where: 'local', deps: l.deps }, this.ctx);
      } finally {
        this.stack.pop();
      }
      if ((l.state as LocalState['state']) === FAILED || v === FAILED) {
        l.state = FAILED;
        throw alreadyReported();
      }
      l.value = v;
      l.state = 'done';
    }
    if (scope.deps) for (const d of l.deps) scope.deps.add(d);
    return l.value;
  }
}

/** The stack block: its name (else the directory's) and mode. */
export function readStack(block: Block | undefined, defaultStack: string, ctx: EvalContext): { stack: string; stackMode: Configuration['stackMode'] } {
  let stack = defaultStack;
  let stackMode: Configuration['stackMode'] = 'enforce';
  if (block) {
    stack = block.labels[0]!;
    for (const b of block.body.blocks) ctx.diagnostics.report(b.typeRange, `unexpected block "${b.type}" in stack`);
    for (const [name, attr] of attributesOf(block, ctx.diagnostics)) {
      if (name !== 'mode') {
        ctx.diagnostics.report(attr.nameRange, `unknown attribute "${name}" in stack`, didYouMean(name, ['mode']) ?? 'stack has: mode');
        continue;
      }
      const v = evalAttribute(attr, { where: 'stack' }, ctx);
      if (v === FAILED) continue;
      if (v !== 'enforce' && v !== 'observe') {
        ctx.diagnostics.report(attr.value.range, `mode: invalid value ${typeof v === 'string' ? `"${v}"` : typeOfValue(v)}, expected one of: "enforce", "observe"`, typeof v === 'string' ? didYouMean(v, ['enforce', 'observe']) : undefined);
      } else stackMode = v;
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) ctx.diagnostics.report(block.typeRange, `invalid stack name "${stack}"`, 'use letters, digits, ".", "_" and "-"');
  }
  return { stack, stackMode };
}

/** The provider blocks, in the order they were declared. */
export function readProviders(blocks: ReadonlyMap<string, Block>, ctx: EvalContext): ProviderBlock[] {
  const providers: ProviderBlock[] = [];
  for (const [name, block] of blocks) {
    const p: ProviderBlock = { name, range: block.range };
    for (const b of block.body.blocks) ctx.diagnostics.report(b.typeRange, `unexpected block "${b.type}" in provider`);
    for (const [attrName, attr] of attributesOf(block, ctx.diagnostics)) {
      if (attrName !== 'url') {
        ctx.diagnostics.report(attr.nameRange, `unknown attribute "${attrName}" in provider`, didYouMean(attrName, ['url']) ?? 'provider has: url');
        continue;
      }
      const v = evalAttribute(attr, { where: 'provider' }, ctx);
      if (v === FAILED) continue;
      const u = unwrap(v).value;
      if (u === UNKNOWN) ctx.diagnostics.report(attr.value.range, 'url must be known before apply');
      else if (u !== null && typeof u !== 'string') ctx.diagnostics.report(attr.value.range, `url: expected string, got ${typeOfValue(u)}`);
      else if (u) p.url = u;
    }
    providers.push(p);
  }
  return providers;
}

export function readOutput(block: Block, ctx: EvalContext): OutputValue | undefined {
  const out = evaluateOutput(block, ctx);
  return out && { name: out.name, value: toPlain(out.value), sensitive: out.sensitive, range: block.range };
}

/** An output block, checked: its value as references see it (a module's outputs) and what it refers to. */
export function evaluateOutput(block: Block, ctx: EvalContext): { name: string; value: EvalValue; sensitive: boolean; deps: Set<string> } | undefined {
  const attrs = attributesOf(block, ctx.diagnostics);
  const preconditions: Condition[] = [];
  for (const b of block.body.blocks) {
    if (b.type !== 'precondition') ctx.diagnostics.report(b.typeRange, `unexpected block "${b.type}" in output`, didYouMean(b.type, ['precondition']) ?? 'output has blocks: precondition');
    else {
      const c = readOutputPrecondition(b, ctx.diagnostics);
      if (c) preconditions.push(c);
    }
  }
  // checked before the value, which they may guard
  if (preconditions.length > 0 && !checkOutputPreconditions(preconditions, block.labels[0]!, ctx)) return undefined;
  let sensitive = false;
  let value: EvalValue | typeof FAILED = null;
  const deps = new Set<string>();
  for (const [name, attr] of attrs) {
    if (name === 'value') value = evalAttribute(attr, { where: 'output', deps }, ctx);
    else if (name === 'sensitive') {
      const v = evalAttribute(attr, { where: 'output' }, ctx);
      if (v !== FAILED && typeof v !== 'boolean') ctx.diagnostics.report(attr.value.range, `sensitive: expected bool, got ${typeOfValue(v)}`);
      sensitive = v === true;
    } else if (name === 'description') {
      evalAttribute(attr, { where: 'output' }, ctx);
    } else ctx.diagnostics.report(attr.nameRange, `unknown attribute "${name}" in output`, didYouMean(name, ['value', 'sensitive', 'description']));
  }
  if (!attrs.has('value')) {
    ctx.diagnostics.report(block.typeRange, `missing required attribute "value" in output "${block.labels[0]}"`);
    return undefined;
  }
  if (value === FAILED) return undefined;
  if (!sensitive && containsSensitive(value)) {
    ctx.diagnostics.report(attrs.get('value')!.value.range, `output "${block.labels[0]}" contains a sensitive value`, 'mark it sensitive = true: it is then shown only with xp output --json');
    return undefined;
  }
  return { name: block.labels[0]!, value, sensitive, deps };
}

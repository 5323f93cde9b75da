// The functions that need the evaluator, not values: try() and can() evaluate their arguments
// themselves (an error in an argument is what they look at), templatefile() parses a file as
// a template and evaluates it with the variables it is given. The evaluator (expressions.ts)
// calls them with the call's AST and passes itself in, so that this file does not import it.
import { readFileSync } from 'node:fs';
import type { CallExpr, Expression, TemplateExpr } from '../dsl/ast.js';
import type { Diagnostic } from '../dsl/diagnostics.js';
import { fullFrontEnd } from '../dsl/front-end.js';
import { decodeSource } from '../dsl/source.js';
import { EvalFailure, fail, where, type EvalContext, type Resolver, type Scope } from './context.js';
import { FunctionError } from './function-args.js';
import { STRING } from '../model/type-spec.js';
import { convert } from './type-constraints.js';
import { configPath } from './function-paths.js';
import { ResourceGroup, UNKNOWN, containsUnknown, isObject, typeOfValue, unwrap, wrap, type EvalValue } from './values.js';

export type Evaluate = (e: Expression, scope: Scope, ctx: EvalContext) => EvalValue;

export interface EvaluatorFunction {
  arity: [number, number];
  signature: string;
  invoke(e: CallExpr, scope: Scope, ctx: EvalContext, evaluate: Evaluate): EvalValue;
}

/** The argument count and the absence of `...`, checked as callFunction checks them. */
function checkCall(e: CallExpr, fn: EvaluatorFunction): void {
  const [min, max] = fn.arity;
  const n = e.args.length;
  if (n < min || n > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    const said = min === max || max === Infinity ? min : max;
    fail(e.range, `${e.name}: expected ${expected} argument${said === 1 ? '' : 's'}, got ${n} (${fn.signature})`);
  }
  if (e.expandFinal) fail(e.args[n - 1]!.range, `${e.name}: its arguments cannot be expanded with ...`);
}

/**
 * The value of an argument, or the diagnostic of its failure. Only dynamic errors are caught,
 * as in Terraform: a reference to something undeclared, an unknown function, or an error
 * already reported elsewhere (a failed variable) goes on.
 */
function attempt(a: Expression, scope: Scope, ctx: EvalContext, evaluate: Evaluate): { value: EvalValue } | { error: Diagnostic } {
  try {
    return { value: evaluate(a, scope, ctx) };
  } catch (err) {
    if (!(err instanceof EvalFailure) || err.isStatic || err.diagnostic.message === '') throw err;
    return { error: err.diagnostic };
  }
}

const tryFn: EvaluatorFunction = {
  arity: [1, Infinity],
  signature: 'try(expression, fallbacks...)',
  invoke(e, scope, ctx, evaluate) {
    checkCall(e, this);
    const errors: string[] = [];
    for (const [i, a] of e.args.entries()) {
      const r = attempt(a, scope, ctx, evaluate);
      if ('error' in r) {
        const at = r.error.range ? `${where(r.error.range)}: ` : '';
        errors.push(`argument ${i + 1}: ${at}${r.error.message}`);
        continue;
      }
      // a value known only after apply might still fail then: the result is not known either
      if (containsUnknown(r.value)) return wrap(UNKNOWN, unwrap(r.value).sensitive);
      return r.value;
    }
    fail(e.range, `try: no argument succeeded (${errors.join('; ')})`, 'at least one argument of try() must evaluate without an error');
  },
};

const canFn: EvaluatorFunction = {
  arity: [1, 1],
  signature: 'can(expression)',
  invoke(e, scope, ctx, evaluate) {
    checkCall(e, this);
    const r = attempt(e.args[0]!, scope, ctx, evaluate);
    if ('error' in r) return false;
    return containsUnknown(r.value) ? UNKNOWN : true;
  },
};

/** A template sees the variables passed to it, nothing of the configuration. */
const noReferences: Resolver = {
  variable: (name, range) => fail(range, `templatefile: a template cannot refer to var.${name}`, 'pass the value in the variables: templatefile(path, { name = var.name })'),
  local: (name, range) => fail(range, `templatefile: a template cannot refer to local.${name}`, 'pass the value in the variables: templatefile(path, { name = local.name })'),
  resource: (type, label, range) => fail(range, `templatefile: a template cannot refer to ${type}.${label}`, 'pass the value in the variables of templatefile()'),
  module: (name, range) => fail(range, `templatefile: a template cannot refer to module.${name}`, 'pass the value in the variables of templatefile()'),
  path: (name, range) => fail(range, `templatefile: a template cannot refer to path.${name}`, 'pass the value in the variables of templatefile()'),
};

/** Parsed templates by absolute path and text, for one evaluation (10,000 calls parse once). */
interface ParsedTemplate {
  text: string;
  template: TemplateExpr;
  diagnostics: Diagnostic[];
}
const parsedTemplates = new WeakMap<object, Map<string, ParsedTemplate>>();

/** The name of a template variable: an identifier (Terraform's rule). */
const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

const templatefileFn: EvaluatorFunction = {
  arity: [2, 2],
  signature: 'templatefile(path, variables)',
  invoke(e, scope, ctx, evaluate) {
    checkCall(e, this);
    if (ctx.inTemplate) fail(e.range, 'templatefile: a template cannot call templatefile()', `called from the template ${ctx.inTemplate}`);
    const [pathArg, varsArg] = e.args as [Expression, Expression];
    const p = unwrap(evaluate(pathArg, scope, ctx));
    const v = unwrap(evaluate(varsArg, scope, ctx));
    if (p.value === UNKNOWN) return wrap(UNKNOWN, p.sensitive || v.sensitive);
    if (typeof p.value !== 'string') fail(pathArg.range, `templatefile: argument 1 must be a string, got ${typeOfValue(p.value)}`);
    if (!p.sensitive) return render(p.value);
    // every message below names the path (and the template's diagnostics are in that file)
    try {
      return wrap(render(p.value), true);
    } catch (err) {
      if (err instanceof EvalFailure) fail(pathArg.range, 'templatefile: the call fails on a sensitive path (the reason is not shown, as it could show the path)');
      throw err;
    }

    function render(path: string): EvalValue {
      const vars = v.value;
      if (vars instanceof ResourceGroup) fail(varsArg.range, 'templatefile: argument 2 must be an object of variables, got a resource group');
      if (!isObject(vars) && vars !== UNKNOWN) fail(varsArg.range, `templatefile: argument 2 must be an object of variables, got ${typeOfValue(vars)}`);
      let full: string;
      try {
        full = configPath(ctx.functions.dir, path, 'templatefile');
      } catch (err) {
        if (err instanceof FunctionError) fail(pathArg.range, err.message);
        throw err;
      }
      const parsed = readTemplate(ctx, full, path, pathArg);
      const called = `in templatefile("${path}") at ${where(e.range)}`;
      if (parsed.diagnostics.some((d) => d.severity === 'error')) {
        const d = parsed.diagnostics.find((x) => x.severity === 'error')!;
        throw new EvalFailure({ ...d, hint: d.hint ? `${d.hint} (${called})` : called });
      }
      if (vars === UNKNOWN) return wrap(UNKNOWN, v.sensitive || p.sensitive);
      const names = new Map<string, EvalValue>();
      for (const key of Object.keys(vars)) {
        if (!VARIABLE_NAME.test(key)) fail(varsArg.range, `templatefile: invalid template variable name "${key}": it must start with a letter, followed by letters, digits and underscores`);
        names.set(key, v.sensitive ? wrap(vars[key]!, true) : vars[key]!);
      }
      const inner: EvalContext = { ...ctx, resolver: noReferences, inTemplate: path };
      const out = evaluate(parsed.template, { where: scope.where, names }, inner);
      // the whole file is a template: "${x}" alone is still a string
      const { value, sensitive } = unwrap(out);
      if (value === UNKNOWN || typeof value === 'string') return out;
      const s = value === null || Array.isArray(value) || isObject(value) || value instanceof ResourceGroup ? undefined : convert(value, STRING);
      if (!s?.ok) fail(parsed.template.range, `templatefile: the template "${path}" gives a ${typeOfValue(value)}, not a string`, called);
      return wrap(s.value, sensitive);
    }
  },
};

function readTemplate(ctx: EvalContext, full: string, path: string, pathArg: Expression): ParsedTemplate {
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch (err) {
    fail(pathArg.range, `templatefile: cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const decoded = decodeSource(path, bytes);
  if (!decoded.ok) {
    const at = decoded.diagnostic.range!.start;
    fail(pathArg.range, `templatefile: "${path}" is not UTF-8: ${decoded.diagnostic.message.replace(/^invalid UTF-8: /, '')} at ${at.line}:${at.column}`);
  }
  let cache = parsedTemplates.get(ctx.functions);
  if (!cache) parsedTemplates.set(ctx.functions, (cache = new Map<string, ParsedTemplate>()));
  const hit = cache.get(full);
  if (hit && hit.text === decoded.text) return hit;
  const parsed = { text: decoded.text, ...fullFrontEnd().parseTemplate(path, decoded.text) };
  cache.set(full, parsed);
  return parsed;
}

export const evaluatorFunctions: Record<string, EvaluatorFunction> = {
  try: tryFn,
  can: canFn,
  templatefile: templatefileFn,
};

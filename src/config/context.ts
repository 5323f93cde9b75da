// The evaluation context: what an expression sees beyond its own syntax (HCL's `EvalContext`).
// A Scope says where the expression is (each, count.index, `for` variables, where references
// are recorded); a Resolver answers `var.x`, `local.x` and `type.label`; the DiagnosticSink
// collects mistakes. expressions.ts evaluates against this seam only, so the modules that own
// variables and locals (blocks.ts) and resources (instances.ts) plug in without it knowing them.
import type { Attribute, Block, Expression } from '../dsl/ast.js';
import type { Diagnostic, SourceRange } from '../dsl/diagnostics.js';
import type { ResourceType } from '../model/types.js';
import type { FunctionContext } from './functions.js';
import type { EvalValue } from './values.js';

/** A value that could not be evaluated; its diagnostic has been reported. */
export const FAILED = Symbol('failed');
/** A memo being computed: meeting it again is a cycle. */
export const BUSY = Symbol('busy');

/** What is being evaluated, for "a variable default cannot refer to …" messages. */
export type Where = 'variable' | 'local' | 'resource' | 'output' | 'provider' | 'stack' | 'var-file' | 'import' | 'validation' | 'module';

export interface Scope {
  /** Where references to resources are recorded (absent: references are not allowed). */
  deps?: Set<string>;
  each?: { key: EvalValue; value: EvalValue };
  countIndex?: number;
  /** `for` expression variables. */
  names?: Map<string, EvalValue>;
  /** What is being evaluated, for "each.key is only available in …" messages. */
  where: Where;
}

/** Answers the references of an expression; each throws an EvalFailure for a bad one. */
export interface Resolver {
  /** `var.name` */
  variable(name: string, range: SourceRange, scope: Scope): EvalValue;
  /** `local.name` (the local's dependencies are added to the scope's). */
  local(name: string, range: SourceRange, scope: Scope): EvalValue;
  /** `type.label`, or `type.label[index]`: one instance or the group of them; records the dependency. */
  resource(type: ResourceType, label: string, range: SourceRange, scope: Scope, index?: Expression): EvalValue;
  /** `module.NAME`, `module.NAME[index]`, optionally `.output`: outputs of a module call; records the dependencies. */
  module(name: string, range: SourceRange, scope: Scope, index?: Expression, output?: { name: string; range: SourceRange }): EvalValue;
  /** `path.module`, `path.root`, `path.cwd` (docs/language.md, Files). */
  path(name: string, range: SourceRange): EvalValue;
  /** `module.NAME` or `module.NAME[KEY]` in a depends_on: adds every resource inside to `deps`; false for anything else. */
  dependsOnModule?(item: Expression, deps: Set<string>): boolean;
}

export interface EvalContext {
  readonly resolver: Resolver;
  readonly diagnostics: DiagnosticSink;
  readonly functions: FunctionContext;
  /** Set while a templatefile() template is evaluated: its path (templates do not nest). */
  readonly inTemplate?: string;
}

/** The diagnostics of one evaluation, in the order they were found, with a count of errors. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private errorTotal = 0;

  get errors(): number {
    return this.errorTotal;
  }

  push(...diagnostics: Diagnostic[]): void {
    for (const d of diagnostics) {
      if (d.severity === 'error') this.errorTotal++;
      this.list.push(d);
    }
  }

  report(range: SourceRange | undefined, message: string, hint?: string): void {
    this.push({ severity: 'error', message, ...(range ? { range } : {}), ...(hint ? { hint } : {}) });
  }

  /** Reports the diagnostic of an EvalFailure (none when its cause was reported already); rethrows anything else. */
  caught(err: unknown): void {
    if (!(err instanceof EvalFailure)) throw err;
    if (err.diagnostic.message) this.push(err.diagnostic);
  }
}

/** Stops the evaluation of one attribute; caught where the attribute is evaluated. */
export class EvalFailure extends Error {
  constructor(
    readonly diagnostic: Diagnostic,
    /** A mistake in the text itself (an undeclared name, an unknown function), which try() and
     * can() do not catch, as in Terraform: only errors of dynamic evaluation are theirs. */
    readonly isStatic = false,
  ) {
    super(diagnostic.message);
  }
}

export function fail(range: SourceRange | undefined, message: string, hint?: string): never {
  throw new EvalFailure({ severity: 'error', message, ...(range ? { range } : {}), ...(hint ? { hint } : {}) });
}

/** fail() for a reference to something not declared (or an unknown function): try() does not catch it. */
export function failStatic(range: SourceRange | undefined, message: string, hint?: string): never {
  throw new EvalFailure({ severity: 'error', message, ...(range ? { range } : {}), ...(hint ? { hint } : {}) }, true);
}

/** Stops an evaluation whose cause has already been reported (a failed variable or local). */
export function alreadyReported(): EvalFailure {
  return new EvalFailure({ severity: 'error', message: '' });
}

/** The attributes of a block by name; a repeated attribute is reported (the first counts). */
export function attributesOf(block: Block, diagnostics: DiagnosticSink): AttributesByName {
  const all = block.body.attributes;
  let firsts: Attribute[] | undefined; // made only when a name repeats
  for (let i = 0; i < all.length; i++) {
    const attr = all[i]!;
    const prev = firstNamed(all, attr.name, i);
    if (prev) {
      diagnostics.report(attr.nameRange, `attribute "${attr.name}" is set twice`, `first set at ${where(prev.nameRange)}`);
      firsts ??= all.slice(0, i);
    } else firsts?.push(attr);
  }
  return new AttributesByName(firsts ?? all);
}

/**
 * A block's attributes by name, looked up by a scan: a block has a few, and an index lives as
 * long as the evaluation for each of tens of thousands of blocks (a Map each was ~4 MB more for
 * the garbage collector to copy at 10,000 tenants).
 */
export class AttributesByName implements Iterable<[string, Attribute]> {
  constructor(private readonly list: readonly Attribute[]) {}

  get(name: string): Attribute | undefined {
    return firstNamed(this.list, name, this.list.length);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  *[Symbol.iterator](): Iterator<[string, Attribute]> {
    for (const a of this.list) yield [a.name, a];
  }
}

/** The first of list[0, end) named `name`. */
function firstNamed(list: readonly Attribute[], name: string, end: number): Attribute | undefined {
  for (let i = 0; i < end; i++) if (list[i]!.name === name) return list[i];
  return undefined;
}

/** `file:line:col`, for hints that point at another place. */
export function where(range: SourceRange): string {
  return `${range.file}:${range.start.line}:${range.start.column}`;
}

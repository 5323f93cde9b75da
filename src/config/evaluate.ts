// Evaluation: the ASTs of a configuration's files → a Configuration of resource instances.
// Variables, locals (lazily, in any order), for_each/count, functions, references between
// resources (recorded as dependencies) and the validation of every resource against its
// kind (src/kinds). Every mistake is a Diagnostic at file:line:col; nothing here throws for
// user input (EvalFailure is caught at the attribute that raised it).
//
// This file sorts the top-level blocks and runs the stages in order; the work is in
// context.ts (the evaluation context: scope, resolver, diagnostics), expressions.ts,
// blocks.ts (variables, locals, stack, providers, outputs), instances.ts (resources, their
// for_each/count instances, nested blocks, lifecycle) and checks.ts (validation).
import type { Block, Expression, File } from '../dsl/ast.js';
import type { Diagnostic, SourceRange } from '../dsl/diagnostics.js';
import { resourceTypes } from '../kinds/index.js';
import type { Configuration, OutputValue, ResourceInstance, ResourceType } from '../model/types.js';
import { Locals, Variables, readOutput, readProviders, readStack, type VariableInput } from './blocks.js';
import { checkNames, checkNamesWrittenAsStrings } from './checks.js';
import { readImports } from './imports.js';
import { readMoved } from './moved.js';
import { DiagnosticSink, where, type EvalContext, type Resolver, type Scope } from './context.js';
import { Resources, type ResourceBlock } from './instances.js';
import { didYouMean } from './suggest.js';
import type { EvalValue } from './values.js';

export type { VariableInput } from './blocks.js';

export interface EvaluateOptions {
  dir: string;
  /** Stack name when no `stack` block says one (the directory's base name). */
  defaultStack: string;
  /** In increasing precedence: later inputs for the same name win. */
  variables: VariableInput[];
  env: Readonly<Record<string, string | undefined>>;
}

export interface EvaluateResult {
  config?: Configuration;
  diagnostics: Diagnostic[];
}

const topLevelBlockTypes = ['variable', 'locals', 'provider', 'output', 'stack', 'import', 'moved', ...resourceTypes];

/** One evaluation of one configuration; the resolver of its expressions. */
class Evaluator implements Resolver {
  private readonly diagnostics = new DiagnosticSink();
  private readonly ctx: EvalContext;
  private readonly variables: Variables;
  private readonly locals: Locals;
  private readonly resources: Resources;
  private readonly providerBlocks = new Map<string, Block>();
  private readonly outputBlocks: Block[] = [];
  private stackBlock?: Block;
  private readonly importBlocks: Block[] = [];
  private readonly movedBlocks: Block[] = [];

  constructor(
    private readonly files: readonly File[],
    private readonly options: EvaluateOptions,
  ) {
    this.ctx = { resolver: this, diagnostics: this.diagnostics, functions: { env: options.env, dir: options.dir } };
    this.variables = new Variables(this.ctx);
    this.locals = new Locals(this.ctx);
    this.resources = new Resources(this.ctx, options.dir);
  }

  variable(name: string, range: SourceRange, scope: Scope): EvalValue {
    return this.variables.reference(name, range, scope);
  }

  local(name: string, range: SourceRange, scope: Scope): EvalValue {
    return this.locals.reference(name, range, scope);
  }

  resource(type: ResourceType, label: string, range: SourceRange, scope: Scope, index?: Expression): EvalValue {
    return this.resources.reference(type, label, range, scope, index);
  }

  /** Sorts the top-level blocks by type; a duplicate, an unknown block or a wrong label is reported. */
  private collect(): void {
    const firstSeen = new Map<string, SourceRange>();
    const duplicate = (key: string, what: string, range: SourceRange): boolean => {
      const prev = firstSeen.get(key);
      if (prev) {
        this.diagnostics.report(range, `duplicate ${what}`, `first defined at ${where(prev)}`);
        return true;
      }
      firstSeen.set(key, range);
      return false;
    };
    for (const file of this.files) {
      for (const attr of file.body.attributes) {
        this.diagnostics.report(attr.nameRange, `unexpected attribute "${attr.name}" at the top level`, 'attributes belong inside a block, e.g. locals { … }');
      }
      for (const block of file.body.blocks) {
        const wantLabels = block.type === 'locals' || block.type === 'import' || block.type === 'moved' ? 0 : 1;
        if (!topLevelBlockTypes.includes(block.type)) {
          this.diagnostics.report(block.typeRange, `unknown block type "${block.type}"`, didYouMean(block.type, topLevelBlockTypes) ?? `expected one of: ${topLevelBlockTypes.join(', ')}`);
          continue;
        }
        if (block.labels.length !== wantLabels) {
          this.diagnostics.report(
            block.typeRange,
            wantLabels === 0 ? `${block.type === 'import' ? 'an' : 'a'} ${block.type} block takes no label` : `a ${block.type} block takes exactly one label: ${block.type} "name" { … }`,
          );
          continue;
        }
        if (block.type === 'import' || block.type === 'moved') {
          (block.type === 'import' ? this.importBlocks : this.movedBlocks).push(block);
          continue;
        }
        const label = block.labels[0]!;
        switch (block.type) {
          case 'variable':
            if (!duplicate(`var.${label}`, `variable "${label}"`, block.typeRange)) this.variables.declare(block);
            break;
          case 'locals':
            for (const b of block.body.blocks) this.diagnostics.report(b.typeRange, `unexpected block "${b.type}" in locals`);
            for (const attr of block.body.attributes) {
              if (!duplicate(`local.${attr.name}`, `local "${attr.name}"`, attr.nameRange)) {
                this.locals.declare(attr);
              }
            }
            break;
          case 'provider':
            if (!duplicate(`provider.${label}`, `provider "${label}"`, block.typeRange)) this.providerBlocks.set(label, block);
            break;
          case 'output':
            if (!duplicate(`output.${label}`, `output "${label}"`, block.typeRange)) this.outputBlocks.push(block);
            break;
          case 'stack':
            if (!duplicate('stack', 'stack block (a configuration is one stack)', block.typeRange)) this.stackBlock = block;
            break;
          default:
            this.resources.add(block.type as ResourceType, label, block);
        }
      }
    }
  }

  /** Runs the stages in order: blocks, variables, locals, stack, providers, resources, checks, outputs. */
  run(): EvaluateResult {
    this.collect();
    this.variables.resolve(this.options.variables);
    this.locals.evaluateAll();
    const { stack, stackMode } = readStack(this.stackBlock, this.options.defaultStack, this.ctx);
    const providers = readProviders(this.providerBlocks, this.ctx);

    const providerNames = new Set(this.providerBlocks.keys());
    const resources: ResourceInstance[] = [];
    const blockOf = new Map<ResourceInstance, ResourceBlock>();
    for (const r of this.resources.blocks) {
      const instances = this.resources.expand(r);
      if (!instances) continue;
      for (const inst of instances.values()) {
        const built = this.resources.build(inst, providerNames);
        if (built) {
          resources.push(built);
          blockOf.set(built, r);
        }
      }
    }
    checkNames(resources, this.diagnostics);
    readImports(this.importBlocks, resources, this.ctx);
    const moved = readMoved(this.movedBlocks, resources, this.ctx);
    if (this.diagnostics.errors === 0) checkNamesWrittenAsStrings(resources, blockOf, this.diagnostics);

    const outputs: OutputValue[] = [];
    for (const block of this.outputBlocks) {
      const out = readOutput(block, this.ctx);
      if (out) outputs.push(out);
    }

    // diagnostics raised twice for one place (a shared attribute read by several instances) once
    const seen = new Set<string>();
    const diagnostics = this.diagnostics.list.filter((d) => {
      const key = `${d.range?.file}:${d.range?.start.offset}:${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const failed = diagnostics.some((d) => d.severity === 'error');
    return {
      diagnostics,
      ...(failed ? {} : { config: { dir: this.options.dir, stack, stackMode, providers, resources, outputs, ...(moved.length > 0 ? { moved } : {}) } }),
    };
  }
}

/** The ASTs of a configuration's files → its resource instances, or diagnostics. */
export function evaluate(files: readonly File[], options: EvaluateOptions): EvaluateResult {
  return new Evaluator(files, options).run();
}

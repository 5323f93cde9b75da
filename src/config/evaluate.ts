// Evaluation: the ASTs of a configuration's files → a Configuration of resource instances.
// Variables, locals (lazily, in any order), for_each/count, functions, references between
// resources (recorded as dependencies) and the validation of every resource against its
// kind (src/kinds). Every mistake is a Diagnostic at file:line:col; nothing here throws for
// user input (EvalFailure is caught at the attribute that raised it).
//
// This file sorts the top-level blocks and runs the stages in order; the work is in
// context.ts (the evaluation context: scope, resolver, diagnostics), expressions.ts,
// blocks.ts (variables, locals, stack, providers, outputs), instances.ts (resources, their
// for_each/count instances, nested blocks, lifecycle), modules.ts (module calls: each instance
// is an Evaluator of its own, sharing the diagnostics) and checks.ts (validation).
import { relative, resolve, sep } from 'node:path';
import type { Block, Expression, File } from '../dsl/ast.js';
import type { Diagnostic, SourceRange } from '../dsl/diagnostics.js';
import { resourceTypes } from '../kinds/index.js';
import type { Configuration, OutputValue, ResourceType } from '../model/types.js';
import { Locals, Variables, evaluateOutput, readOutput, readProviders, readStack, type VariableInput } from './blocks.js';
import { SecretFiles, checkNames, checkNamesWrittenAsStrings } from './checks.js';
import { readImports } from './imports.js';
import { readMoved } from './moved.js';
import { BUSY, DiagnosticSink, FAILED, alreadyReported, failStatic, where, type EvalContext, type Resolver, type Scope } from './context.js';
import { Resources, instancesOf, type ResourceBlock } from './instances.js';
import { ModuleCalls, type Built, type ModuleEvaluator, type ModuleFrame, type ModuleLoader } from './modules.js';
import { didYouMean } from './suggest.js';
import { wrap, type EvalValue } from './values.js';

export type { VariableInput } from './blocks.js';

export interface EvaluateOptions {
  dir: string;
  /** Stack name when no `stack` block says one (the directory's base name). */
  defaultStack: string;
  /** In increasing precedence: later inputs for the same name win. */
  variables: VariableInput[];
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a module's files (load.ts); without it, module blocks are refused. */
  loadModule?: ModuleLoader;
  /** The directory as diagnostics name it (module files are named under it). */
  displayDir?: string;
}

/** What the root and every module instance of one evaluation share. */
interface Shared {
  options: EvaluateOptions;
  diagnostics: DiagnosticSink;
  secretFiles: SecretFiles;
  /** The root's provider blocks, which resources in modules use too. */
  providerNames: Set<string>;
}

type OutputState = { name: string; value: EvalValue; sensitive: boolean; deps: Set<string> } | typeof BUSY | typeof FAILED;

export interface EvaluateResult {
  config?: Configuration;
  diagnostics: Diagnostic[];
}

const topLevelBlockTypes = ['variable', 'locals', 'provider', 'output', 'stack', 'import', 'moved', 'module', ...resourceTypes];
/** Blocks of the root configuration only. */
const rootOnly = ['provider', 'stack', 'import'];

/** One evaluation of one configuration, or of one module instance; the resolver of its expressions. */
class Evaluator implements Resolver, ModuleEvaluator {
  private readonly diagnostics: DiagnosticSink;
  private readonly options: EvaluateOptions;
  private readonly ctx: EvalContext;
  private readonly variables: Variables;
  private readonly locals: Locals;
  private readonly resources: Resources;
  private readonly modules: ModuleCalls;
  private readonly providerBlocks = new Map<string, Block>();
  private readonly outputBlocks: Block[] = [];
  private readonly outputs = new Map<string, { block: Block; state?: OutputState }>();
  private stackBlock?: Block;
  private readonly importBlocks: Block[] = [];
  private readonly movedBlocks: Block[] = [];

  constructor(
    private readonly files: readonly File[],
    private readonly shared: Shared,
    private readonly frame: ModuleFrame,
  ) {
    this.options = shared.options;
    this.diagnostics = shared.diagnostics;
    this.ctx = { resolver: this, diagnostics: this.diagnostics, functions: { env: this.options.env, dir: this.options.dir } };
    this.variables = new Variables(this.ctx);
    this.locals = new Locals(this.ctx);
    this.resources = new Resources(this.ctx, shared.secretFiles, frame.prefix);
    this.modules = new ModuleCalls(this.ctx, frame, this.options.dir, this.options.loadModule, (files, f) => new Evaluator(files, shared, f));
    this.collect();
  }

  private get isRoot(): boolean {
    return this.frame.prefix === '';
  }

  module(name: string, range: SourceRange, scope: Scope, index?: Expression, output?: { name: string; range: SourceRange }): EvalValue {
    return this.modules.reference(name, range, scope, index, output);
  }

  dependsOnModule(item: Expression, deps: Set<string>): boolean {
    return this.modules.dependsOnModule(item, deps);
  }

  /**
   * Terraform's `path`, with the root configuration's directory where Terraform has the working
   * directory: `path.module` is this module's directory relative to it (`modules/tenant`; `.` at
   * the root), `path.root` is `.`, `path.cwd` its absolute path. File functions take paths
   * relative to it, so `file("${path.module}/grants.sql")` reads the module's own file.
   */
  path(name: string, range: SourceRange): EvalValue {
    const root = resolve(this.options.dir);
    const slashes = (p: string) => p.split(sep).join('/');
    if (name === 'module') return slashes(relative(root, resolve(this.frame.dir))) || '.';
    if (name === 'root') return '.';
    if (name === 'cwd') return slashes(root);
    failStatic(range, `unknown attribute "path.${name}"`, didYouMean(name, ['module', 'root', 'cwd']) ?? 'path has module, root and cwd');
  }

  declared(): ReturnType<Variables['declared']> {
    return this.variables.declared();
  }

  prepare(inputs: VariableInput[]): void {
    this.variables.resolve(inputs);
    this.locals.evaluateAll();
  }

  outputNames(): string[] {
    return [...this.outputs.keys()];
  }

  /** A module's output, evaluated once; a cycle through it is reported at the output. */
  output(name: string): { value: EvalValue; deps: ReadonlySet<string> } | undefined {
    const o = this.outputs.get(name);
    if (!o) return undefined;
    if (o.state === BUSY) {
      this.diagnostics.report(o.block.typeRange, `output "${name}" of ${this.frame.prefix.slice(0, -1)} refers to itself`);
      o.state = FAILED;
    }
    if (o.state === FAILED) throw alreadyReported();
    if (o.state) return o.state;
    o.state = BUSY;
    const out = evaluateOutput(o.block, this.ctx);
    if ((o.state as OutputState) === FAILED || !out) {
      o.state = FAILED;
      throw alreadyReported();
    }
    o.state = { ...out, value: out.sensitive ? wrap(out.value, true) : out.value };
    return o.state;
  }

  addresses(out: Set<string>): void {
    for (const r of this.resources.blocks) {
      const instances = this.resources.expand(r);
      if (instances) for (const inst of instancesOf(instances)) out.add(inst.address);
    }
    this.modules.addresses(out);
  }

  /** The resource instances of this configuration or module instance, and of the modules it calls. */
  buildAll(out: Built): void {
    const inherited = this.frame.inherited;
    const providers = this.shared.providerNames;
    const onlyProvider = providers.size === 1 ? [...providers][0]! : undefined; // once, not per instance
    for (const r of this.resources.blocks) {
      const instances = this.resources.expand(r);
      if (!instances) continue;
      for (const inst of instancesOf(instances)) {
        const built = this.resources.build(inst, providers, onlyProvider);
        if (!built) continue;
        if (inherited.size > 0) built.dependsOn = [...new Set([...built.dependsOn, ...inherited])].sort();
        out.resources.push(built);
        out.blocks.push(r);
      }
    }
    for (const block of this.movedBlocks) out.moved.push({ block, prefix: this.frame.prefix });
    this.modules.buildAll(out);
    if (!this.isRoot) for (const name of this.outputs.keys()) this.outputOnce(name);
  }

  /** Evaluates an output nothing refers to (its mistakes are mistakes too). */
  private outputOnce(name: string): void {
    try {
      this.output(name);
    } catch (err) {
      this.diagnostics.caught(err);
    }
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
        if (!this.isRoot && rootOnly.includes(block.type)) {
          this.diagnostics.report(block.typeRange, `${block.type === 'import' ? 'an' : 'a'} ${block.type} block belongs in the root configuration, not in a module`, block.type === 'provider' ? 'resources in a module use the providers of the root configuration' : undefined);
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
            if (!duplicate(`output.${label}`, `output "${label}"`, block.typeRange)) {
              this.outputBlocks.push(block);
              this.outputs.set(label, { block });
            }
            break;
          case 'module':
            this.modules.declare(block);
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
    for (const name of this.providerBlocks.keys()) this.shared.providerNames.add(name);
    this.prepare(this.options.variables);
    const { stack, stackMode } = readStack(this.stackBlock, this.options.defaultStack, this.ctx);
    const providers = readProviders(this.providerBlocks, this.ctx);

    const built: Built = { resources: [], blocks: [], moved: [] };
    this.buildAll(built);
    const { resources } = built;
    checkNames(resources, this.diagnostics);
    readImports(this.importBlocks, resources, this.ctx);
    const moved = readMoved(built.moved, resources, this.ctx);
    if (this.diagnostics.errors === 0) checkNamesWrittenAsStrings(resources, built.blocks as ResourceBlock[], this.diagnostics);

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
  const diagnostics = new DiagnosticSink();
  const shared: Shared = { options, diagnostics, secretFiles: new SecretFiles(options.dir, diagnostics), providerNames: new Set() };
  const frame: ModuleFrame = { prefix: '', dir: options.dir, displayDir: options.displayDir ?? options.dir, ancestry: [], inherited: new Set() };
  return new Evaluator(files, shared, frame).run();
}

// Module calls: `module "tenant" { source = "./modules/tenant", for_each = …, name = each.key }`.
// A module is a directory of *.xp files with its own variables, locals, resources, outputs and
// module calls; each instance of a call (for_each, count, or one) evaluates it with the call's
// arguments as its variables, and its resources' addresses start with the call's path
// (`module.tenant["acme"].role.app`). References to `module.NAME` read the instance's outputs and
// depend on what those outputs refer to; a module argument's references become the
// dependencies of whatever inside reads that variable. A source is a local directory, relative
// to the calling file's directory and inside the root configuration's directory.
import { statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Block, Expression, File } from '../dsl/ast.js';
import type { Diagnostic, SourceRange } from '../dsl/diagnostics.js';
import { keySuffix } from '../model/address.js';
import type { ResourceInstance } from '../model/types.js';
import type { VariableInput } from './blocks.js';
import { BUSY, FAILED, alreadyReported, attributesOf, fail, type AttributesByName, failStatic, where, type EvalContext, type Scope } from './context.js';
import { expansionKeys } from './expansion.js';
import { evalAttribute, evalExpr } from './expressions.js';
import { staysInside } from './function-paths.js';
import { didYouMean } from './suggest.js';
import { convert } from './type-constraints.js';
import { ResourceGroup, ResourceRef, UNKNOWN, toPlain, typeOfValue, unwrap, type EvalValue } from './values.js';

/** The arguments of a module block that are not the module's variables. */
export const MODULE_META = ['source', 'for_each', 'count', 'depends_on'];

/** How deep module calls nest before it is surely a mistake. */
const MAX_DEPTH = 32;

/** Reads and parses the *.xp files of a module's directory (load.ts; cached per directory). */
export type ModuleLoader = (dir: string, displayDir: string) => { files: File[]; diagnostics: Diagnostic[] } | { error: string };

/** One evaluation of a module instance, as its caller sees it (evaluate.ts's Evaluator). */
export interface ModuleEvaluator {
  /** The variables it declares, and whether each has a default. */
  declared(): Map<string, { hasDefault: boolean; block: Block }>;
  /** Gives the variables their values and evaluates the locals. */
  prepare(inputs: VariableInput[]): void;
  /** An output's value and what it refers to; undefined when there is no such output. */
  output(name: string): { value: EvalValue; deps: ReadonlySet<string> } | undefined;
  outputNames(): string[];
  /** Every resource instance address inside (nested modules too): what depends_on a module means. */
  addresses(out: Set<string>): void;
  /** Builds the resource instances inside into `out`, and collects the moved blocks. */
  buildAll(out: Built): void;
}

export interface Built {
  resources: ResourceInstance[];
  /** The resource block of each of `resources`, at the same index (an array, not a map keyed by object). */
  blocks: unknown[];
  moved: { block: Block; prefix: string }[];
}

/** Where a module instance is evaluated: what its evaluator needs to know about its place. */
export interface ModuleFrame {
  /** `module.a["k"].` ('' at the root). */
  prefix: string;
  /** Its directory (absolute), and as diagnostics name it. */
  dir: string;
  displayDir: string;
  /** The directories of the module calls that lead here, root first (a module calling itself is a cycle). */
  ancestry: string[];
  /** What every resource inside depends on: its calls' for_each, count and depends_on. */
  inherited: ReadonlySet<string>;
}

interface ModuleInstance {
  address: string;
  /** Undefined when its arguments failed (reported). */
  evaluator?: ModuleEvaluator;
}

interface ModuleCall {
  name: string;
  address: string;
  block: Block;
  attrs: AttributesByName;
  mode: 'single' | 'for_each' | 'count';
  expansion?: Map<string | number, ModuleInstance> | typeof BUSY | typeof FAILED;
}

/** The module calls of one configuration or module instance. */
export class ModuleCalls {
  readonly calls: ModuleCall[] = [];
  private readonly byName = new Map<string, ModuleCall>();

  constructor(
    private readonly ctx: EvalContext,
    private readonly frame: ModuleFrame,
    private readonly rootDir: string,
    private readonly loader: ModuleLoader | undefined,
    private readonly spawn: (files: File[], frame: ModuleFrame) => ModuleEvaluator,
  ) {}

  declare(block: Block): void {
    const name = block.labels[0]!;
    const prev = this.byName.get(name);
    if (prev) {
      this.ctx.diagnostics.report(block.typeRange, `duplicate module "${name}"`, `first defined at ${where(prev.block.typeRange)}`);
      return;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
      this.ctx.diagnostics.report(block.typeRange, `invalid module name "${name}"`, 'a module name is letters, digits, "_" and "-", not starting with a digit');
      return;
    }
    for (const b of block.body.blocks) this.ctx.diagnostics.report(b.typeRange, `unexpected block "${b.type}" in module`, 'a module block holds source, for_each or count, depends_on and the module\'s variables');
    const call: ModuleCall = { name, address: `${this.frame.prefix}module.${name}`, block, attrs: attributesOf(block, this.ctx.diagnostics), mode: 'single' };
    this.calls.push(call);
    this.byName.set(name, call);
  }

  /** The module's files, from its source; undefined when they cannot be read (reported). */
  private source(call: ModuleCall): { files: File[]; dir: string; displayDir: string } | undefined {
    const report = (range: SourceRange, message: string, hint?: string) => {
      this.ctx.diagnostics.report(range, message, hint);
      return undefined;
    };
    const attr = call.attrs.get('source');
    if (!attr) return report(call.block.typeRange, `missing required attribute "source" in module "${call.name}"`, 'source = "./modules/NAME": the directory of the module, relative to this file');
    const e = attr.value;
    const parts = e.kind === 'Template' ? e.parts.filter((p): p is string => typeof p === 'string') : [];
    if (e.kind !== 'Template' || parts.length !== e.parts.length) return report(e.range, 'source must be a string written out: a module\'s source is known before anything is evaluated');
    const source = parts.join('');
    if (!source.startsWith('./') && !source.startsWith('../')) {
      return report(e.range, `module source "${source}" is not a local path`, 'xp modules are directories of this configuration: source = "./modules/NAME" (registries and URLs are not supported)');
    }
    const dir = resolve(this.frame.dir, source);
    const rel = relative(this.rootDir, dir);
    if (rel.startsWith('..') || isAbsolute(rel) || !staysInside(this.rootDir, dir)) {
      return report(e.range, `module source "${source}" is outside the configuration directory`, 'a module lives in a directory inside the root configuration\'s directory');
    }
    try {
      if (!statSync(dir).isDirectory()) return report(e.range, `module source "${source}" is not a directory`);
    } catch (err) {
      return report(e.range, `module source "${source}": no such directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'source is relative to the directory of the file that declares the module');
    }
    if (dir === this.frame.dir || this.frame.ancestry.includes(dir)) {
      return report(e.range, `module "${call.name}" calls its own module (${source}): modules cannot call themselves`);
    }
    if (this.frame.ancestry.length >= MAX_DEPTH) return report(e.range, `modules are nested more than ${MAX_DEPTH} deep`);
    if (!this.loader) return report(call.block.typeRange, 'modules are read from the configuration directory: load the configuration with loadConfiguration');
    const displayDir = join(this.frame.displayDir, source);
    const loaded = this.loader(dir, displayDir);
    if ('error' in loaded) return report(e.range, loaded.error);
    this.ctx.diagnostics.push(...loaded.diagnostics);
    if (loaded.diagnostics.some((d) => d.severity === 'error')) return undefined;
    return { files: loaded.files, dir, displayDir };
  }

  /** The instances of a module call, once; undefined when they cannot be known (reported). */
  expand(call: ModuleCall): Map<string | number, ModuleInstance> | undefined {
    if (call.expansion === BUSY) {
      this.ctx.diagnostics.report(call.block.typeRange, `the arguments of ${call.address} refer to ${call.address} itself`, 'a module\'s arguments cannot depend on its outputs');
      call.expansion = FAILED;
      return undefined;
    }
    if (call.expansion === FAILED) return undefined;
    if (call.expansion) return call.expansion;
    call.expansion = BUSY;
    const failed = () => {
      call.expansion = FAILED;
      return undefined;
    };
    const src = this.source(call);
    if (!src) return failed();
    const forEach = call.attrs.get('for_each');
    const count = call.attrs.get('count');
    if (forEach && count) {
      this.ctx.diagnostics.report(count.nameRange, `${call.address} sets both for_each and count`, 'use one of them');
      return failed();
    }
    const blockDeps = new Set<string>(this.frame.inherited);
    const base: Scope = { where: 'module', deps: blockDeps };
    let keys: { key: string | number | undefined; scope: Scope }[] = [{ key: undefined, scope: base }];
    if (forEach || count) {
      const expanded = expansionKeys(forEach, count, base, this.ctx, 'module');
      if (!expanded) return failed();
      call.mode = expanded.mode;
      keys = expanded.keys;
    }
    this.dependsOn(call, blockDeps);
    const out = new Map<string | number, ModuleInstance>();
    const frame = (prefix: string): ModuleFrame => ({ prefix, dir: src.dir, displayDir: src.displayDir, ancestry: [...this.frame.ancestry, this.frame.dir], inherited: blockDeps });
    // the arguments are checked once, also when for_each or count makes no instance
    if (keys.length === 0 && !this.checkArguments(call, this.spawn(src.files, frame(`${call.address}.`)).declared())) return failed();
    let checked = keys.length === 0;
    for (const { key, scope } of keys) {
      const prefix = `${call.address}${keySuffix(key)}.`;
      const evaluator = this.spawn(src.files, frame(prefix));
      if (!checked && !this.checkArguments(call, evaluator.declared())) return failed();
      checked = true;
      const errors = this.ctx.diagnostics.errors;
      const inputs: VariableInput[] = [];
      for (const [name, attr] of call.attrs) {
        if (MODULE_META.includes(name)) continue;
        const deps = new Set<string>();
        const v = evalAttribute(attr, { ...scope, deps }, this.ctx);
        if (v !== FAILED) inputs.push({ name, value: v, source: `${prefix.slice(0, -1)}, argument ${name}`, range: attr.value.range, deps });
      }
      const instance: ModuleInstance = { address: prefix.slice(0, -1) };
      if (this.ctx.diagnostics.errors === errors) {
        evaluator.prepare(inputs);
        instance.evaluator = evaluator;
      }
      out.set(key ?? '', instance);
    }
    call.expansion = out;
    return out;
  }

  /** Every argument names a variable of the module, and every variable without a default has one. */
  private checkArguments(call: ModuleCall, declared: Map<string, { hasDefault: boolean; block: Block }>): boolean {
    let ok = true;
    for (const [name, attr] of call.attrs) {
      if (MODULE_META.includes(name) || declared.has(name)) continue;
      this.ctx.diagnostics.report(
        attr.nameRange,
        `unknown argument "${name}" for module "${call.name}": the module declares no variable "${name}"`,
        didYouMean(name, [...declared.keys(), ...MODULE_META]) ?? (declared.size > 0 ? `its variables: ${[...declared.keys()].join(', ')}` : 'the module declares no variables'),
      );
      ok = false;
    }
    for (const [name, v] of declared) {
      if (v.hasDefault || call.attrs.has(name)) continue;
      this.ctx.diagnostics.report(call.block.typeRange, `module "${call.name}": missing argument "${name}"`, `variable "${name}" has no default (${where(v.block.typeRange)}): set ${name} = … in the module block`);
      ok = false;
    }
    return ok;
  }

  /** depends_on = [role.x, module.y]: every resource inside depends on them (all of module.y's resources). */
  private dependsOn(call: ModuleCall, deps: Set<string>): void {
    const attr = call.attrs.get('depends_on');
    if (!attr) return;
    if (attr.value.kind !== 'List') {
      this.ctx.diagnostics.report(attr.value.range, 'depends_on must be a list of resources or modules: [role.x, module.y]');
      return;
    }
    for (const item of attr.value.items) {
      try {
        if (this.dependsOnModule(item, deps)) continue;
        const v = evalExpr(item, { where: 'module', deps }, this.ctx);
        if (!(v instanceof ResourceRef) && !(v instanceof ResourceGroup) && v !== UNKNOWN) {
          this.ctx.diagnostics.report(item.range, `depends_on: expected a resource or a module (role.x, module.y), got ${typeOfValue(v)}`);
        }
      } catch (err) {
        this.ctx.diagnostics.caught(err);
      }
    }
  }

  /** `module.NAME` or `module.NAME[KEY]` in a depends_on: every resource inside goes into `deps`; false for anything else. */
  dependsOnModule(item: Expression, deps: Set<string>): boolean {
    const m = moduleReference(item);
    if (!m) return false;
    this.addressesOf(m.name, m.range, m.index, deps);
    return true;
  }

  /** The addresses of the resources inside module.NAME (or one of its instances). */
  private addressesOf(name: string, range: SourceRange, index: Expression | undefined, out: Set<string>): void {
    const call = this.call(name, range);
    const instances = this.expand(call);
    if (!instances) return;
    for (const inst of index ? [this.instance(call, instances, index, { where: 'module' })] : instances.values()) {
      inst.evaluator?.addresses(out);
    }
  }

  private call(name: string, range: SourceRange): ModuleCall {
    const call = this.byName.get(name);
    if (!call) failStatic(range, `reference to undeclared module module.${name}`, didYouMean(name, this.byName.keys()) ?? `declare it: module "${name}" { source = "./modules/${name}" }`);
    return call;
  }

  private instance(call: ModuleCall, instances: Map<string | number, ModuleInstance>, index: Expression, scope: Scope): ModuleInstance {
    if (call.mode === 'single') fail(index.range, `${call.address} has neither for_each nor count: it cannot be indexed`);
    const k = unwrap(evalExpr(index, scope, this.ctx)).value;
    if (k === UNKNOWN) fail(index.range, 'the key of a module instance must be known before apply');
    const key = convert(k, call.mode === 'count' ? { t: 'number' } : { t: 'string' });
    const inst = key.ok ? instances.get(key.value as string | number) : undefined;
    if (!inst) {
      const keys = [...instances.keys()].map((x) => JSON.stringify(x));
      fail(index.range, `${call.address} has no instance [${JSON.stringify(toPlain(k))}]`, keys.length === 0 ? `${call.address} has no instances` : `its instances are ${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ', …' : ''}`);
    }
    return inst;
  }

  /**
   * `module.NAME`, `module.NAME[KEY]`, `module.NAME.OUT`, `module.NAME[KEY].OUT`: the outputs (an
   * object; for_each: an object of them by key; count: a list), or one output. Depends on what
   * the outputs read refer to.
   */
  reference(name: string, range: SourceRange, scope: Scope, index?: Expression, output?: { name: string; range: SourceRange }): EvalValue {
    const call = this.call(name, range);
    if (!scope.deps) fail(range, `a ${scope.where === 'variable' ? 'variable default' : scope.where} cannot refer to a module`, 'modules can be referred to from resources, locals, outputs and module arguments');
    const instances = this.expand(call);
    if (!instances) throw alreadyReported();
    const read = (inst: ModuleInstance): EvalValue => {
      const ev = inst.evaluator;
      if (!ev) throw alreadyReported();
      if (output) return this.output(ev, inst, output, scope);
      const obj: Record<string, EvalValue> = {};
      for (const n of ev.outputNames()) obj[n] = this.output(ev, inst, { name: n, range }, scope);
      return obj;
    };
    if (call.mode === 'single') {
      if (index) fail(index.range, `${call.address} has neither for_each nor count: it cannot be indexed`);
      return read(instances.get('')!);
    }
    if (index) return read(this.instance(call, instances, index, scope));
    if (output) {
      fail(output.range, `${call.address} has ${call.mode}: choose an instance first, ${call.address}[${call.mode === 'count' ? '0' : 'KEY'}].${output.name}`);
    }
    if (call.mode === 'count') return [...instances.values()].map(read);
    const obj: Record<string, EvalValue> = {};
    for (const [k, inst] of instances) obj[k] = read(inst);
    return obj;
  }

  private output(ev: ModuleEvaluator, inst: ModuleInstance, output: { name: string; range: SourceRange }, scope: Scope): EvalValue {
    const out = ev.output(output.name);
    if (!out) {
      failStatic(output.range, `${inst.address} has no output "${output.name}"`, didYouMean(output.name, ev.outputNames()) ?? `its outputs: ${ev.outputNames().join(', ') || 'none'}`);
    }
    if (scope.deps) for (const d of out.deps) scope.deps.add(d);
    return out.value;
  }

  /** Every resource instance address inside these calls. */
  addresses(out: Set<string>): void {
    for (const call of this.calls) for (const inst of this.expand(call)?.values() ?? []) inst.evaluator?.addresses(out);
  }

  buildAll(out: Built): void {
    for (const call of this.calls) for (const inst of this.expand(call)?.values() ?? []) inst.evaluator?.buildAll(out);
  }
}

/** `module.NAME` or `module.NAME[KEY]` as written (depends_on), else undefined. */
function moduleReference(e: Expression): { name: string; range: SourceRange; index?: Expression } | undefined {
  const index = e.kind === 'Index' ? e.index : undefined;
  const o = e.kind === 'Index' ? e.object : e;
  if (o.kind === 'GetAttr' && o.object.kind === 'Variable' && o.object.name === 'module') return { name: o.name, range: o.range, ...(index ? { index } : {}) };
  return undefined;
}

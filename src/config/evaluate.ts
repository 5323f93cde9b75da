// Evaluation: the ASTs of a configuration's files → a Configuration of resource instances.
// Variables, locals (lazily, in any order), for_each/count, functions, references between
// resources (recorded as dependencies) and the validation of every resource against its
// kind (src/kinds). Every mistake is a Diagnostic at file:line:col; nothing here throws for
// user input (EvalFailure is caught at the attribute that raised it).
import type { Attribute, Block, Expression, File } from '../dsl/ast.js';
import type { Diagnostic, SourceRange } from '../dsl/diagnostics.js';
import {
  deletionPolicies,
  kindByType,
  lifecycleAttributes,
  metaArguments,
  metaBlocks,
  resourceTypes,
  type AttributeSchema,
  type BlockSchema,
  type KindDefinition,
  type SpecProblem,
} from '../kinds/index.js';
import { callFunction, FunctionError, functionNames, type FunctionContext } from './functions.js';
import { domainOf, identifierProblem, valueProblem } from '../kinds/domains.js';
import { didYouMean } from './suggest.js';
import { checkSecretPath, SecretPathError } from '../secrets/secret-file.js';
import { convert, typeFromExpression } from './type-constraints.js';
import { ANY, STRING, type TypeSpec } from '../model/type-spec.js';
import type {
  Configuration,
  ConnectionSecret,
  Lifecycle,
  OutputValue,
  ProviderBlock,
  ResourceInstance,
  ResourceType,
  Value,
} from '../model/types.js';
import {
  ResourceGroup,
  ResourceRef,
  Sensitive,
  UNKNOWN,
  containsSensitive,
  containsUnknown,
  deepUnwrap,
  expandGroup,
  isObject,
  toPlain,
  typeOfValue,
  unwrap,
  valuesEqual,
  wrap,
  type EvalValue,
  type InstanceHandle,
} from './values.js';

/** A value given for a variable from outside the configuration. */
export type VariableInput =
  /** `--var name=value`, `XP_VAR_name`: a string, parsed as an expression unless the type is string. */
  | { name: string; raw: string; source: string; parseRaw: (raw: string) => Expression | Diagnostic[] }
  /** A `name = value` line of a var file. */
  | { name: string; expression: Expression; source: string }
  /** A key of a JSON var file. */
  | { name: string; value: EvalValue; source: string };

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

class EvalFailure extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

const BUSY = Symbol('busy');
const FAILED = Symbol('failed');

interface Scope {
  /** Where references to resources are recorded (absent: references are not allowed). */
  deps?: Set<string>;
  each?: { key: EvalValue; value: EvalValue };
  countIndex?: number;
  /** `for` expression variables. */
  names?: Map<string, EvalValue>;
  /** What is being evaluated, for "each.key is only available in …" messages. */
  where: 'variable' | 'local' | 'resource' | 'output' | 'provider' | 'stack' | 'var-file';
}

interface VariableState {
  block: Block;
  type: TypeSpec;
  sensitive: boolean;
  value: EvalValue | typeof FAILED;
}

interface LocalState {
  attr: Attribute;
  state: 'pending' | typeof BUSY | 'done' | typeof FAILED;
  value: EvalValue;
  deps: Set<string>;
}

/** The most instances one `count` makes (range() has the same limit on elements). */
const MAX_COUNT = 1_000_000;

const topLevelBlockTypes = ['variable', 'locals', 'provider', 'output', 'stack', ...resourceTypes];

class Instance implements InstanceHandle {
  readonly deps = new Set<string>();
  /** A plain object, not a Map: instances of one kind share its hidden class, and it is cheaper to allocate. */
  readonly memo: Record<string, EvalValue | typeof BUSY | typeof FAILED> = {};
  private nameMemo: string | typeof UNKNOWN | typeof BUSY | undefined;

  constructor(
    readonly resource: ResourceBlock,
    readonly address: string,
    readonly scope: Scope,
    private readonly ev: Evaluator,
  ) {}

  get type(): ResourceType {
    return this.resource.type;
  }

  name(): string | typeof UNKNOWN {
    if (this.nameMemo === BUSY) {
      const attr = this.resource.attrs.get('name')!;
      this.ev.report(attr.value.range, `the name of ${this.address} refers to itself`);
      return UNKNOWN;
    }
    if (this.nameMemo !== undefined) return this.nameMemo;
    const attr = this.resource.attrs.get('name');
    if (!attr) {
      // a label is ASCII: only its length can be wrong
      const fromLabel = this.resource.label.replace(/-/g, '_');
      const problem = identifierProblem(fromLabel);
      if (problem === undefined) return (this.nameMemo = fromLabel);
      this.ev.report(this.resource.block.typeRange, `the name "${fromLabel}" (from the label) ${problem}`, 'set a shorter name with name = "…"');
      return (this.nameMemo = UNKNOWN);
    }
    this.nameMemo = BUSY;
    let result: string | typeof UNKNOWN = UNKNOWN;
    const v = this.ev.evalAttribute(attr, this.scope);
    if (v !== FAILED) {
      const { value, sensitive } = unwrap(v);
      const s = convert(value, STRING);
      if (sensitive) this.ev.report(attr.value.range, 'a name must not be sensitive');
      else if (value === UNKNOWN || (s.ok && s.value === UNKNOWN))
        this.ev.report(attr.value.range, 'the name must be known before apply', 'a name cannot depend on a value known only after apply');
      else if (!s.ok || typeof s.value !== 'string') this.ev.report(attr.value.range, `name: expected string, got ${typeOfValue(value)}`);
      else if (identifierProblem(s.value) !== undefined) this.ev.report(attr.value.range, `name ${identifierProblem(s.value)}`);
      else result = s.value;
    }
    return (this.nameMemo = result);
  }

  /** An attribute as the spec will hold it (converted, default filled), for references. */
  attribute(name: string): EvalValue | undefined {
    if (name === 'name') return this.name();
    const kind = this.resource.kind;
    const schema = kind.attributes[name];
    if (!schema) {
      if (kind.computed?.[name]) return kind.computed[name].sensitive ? new Sensitive<EvalValue>(UNKNOWN) : UNKNOWN;
      return undefined;
    }
    const attr = this.resource.attrs.get(name);
    if (!attr) {
      if (schema.sensitive) return new Sensitive<EvalValue>(UNKNOWN);
      return schema.default !== undefined ? (schema.default as EvalValue) : UNKNOWN;
    }
    const v = this.attributeValue(name);
    if (v === FAILED) return UNKNOWN;
    const c = convert(v, schema.type);
    const out = c.ok ? c.value : UNKNOWN;
    return schema.sensitive ? wrap(out, true) : out;
  }

  attributeNames(): string[] {
    return ['name', ...Object.keys(this.resource.kind.attributes), ...Object.keys(this.resource.kind.computed ?? {})];
  }

  /** The evaluated expression of one attribute of the block (memoised; a cycle reads as unknown). */
  attributeValue(name: string): EvalValue | typeof FAILED {
    const m = this.memo[name];
    if (m === BUSY) return UNKNOWN; // a cycle between resources: the graph reports it
    if (m !== undefined) return m;
    const attr = this.resource.attrs.get(name);
    if (!attr) return FAILED;
    this.memo[name] = BUSY;
    const v = this.ev.evalAttribute(attr, this.scope);
    this.memo[name] = v;
    return v;
  }
}

interface ResourceBlock {
  type: ResourceType;
  label: string;
  address: string;
  kind: KindDefinition;
  block: Block;
  attrs: Map<string, Attribute>;
  mode: 'single' | 'for_each' | 'count';
  expansion?: Map<string | number, Instance> | typeof BUSY | typeof FAILED;
}

export class Evaluator {
  readonly diagnostics: Diagnostic[] = [];
  private readonly variables = new Map<string, VariableState>();
  private readonly locals = new Map<string, LocalState>();
  private readonly localStack: string[] = [];
  /** In source order, and by type then label. */
  private readonly resources: ResourceBlock[] = [];
  private readonly resourcesByType = new Map<string, Map<string, ResourceBlock>>();
  private readonly providerBlocks = new Map<string, Block>();
  private readonly outputBlocks: Block[] = [];
  private stackBlock?: Block;
  private readonly fnContext: FunctionContext;

  constructor(
    private readonly files: readonly File[],
    private readonly options: EvaluateOptions,
  ) {
    this.fnContext = { env: options.env, dir: options.dir };
  }

  private errors = 0;
  /** connection_secret files by path relative to the directory: which instance writes each. */
  private secretFiles = new Map<string, string>();

  private push(...diagnostics: Diagnostic[]): void {
    for (const d of diagnostics) {
      if (d.severity === 'error') this.errors++;
      this.diagnostics.push(d);
    }
  }

  report(range: SourceRange | undefined, message: string, hint?: string): void {
    this.push({ severity: 'error', message, ...(range ? { range } : {}), ...(hint ? { hint } : {}) });
  }

  private fail(range: SourceRange | undefined, message: string, hint?: string): never {
    throw new EvalFailure({ severity: 'error', message, ...(range ? { range } : {}), ...(hint ? { hint } : {}) });
  }

  // ── collecting the blocks ─────────────────────────────────────────────────────────────
  private collect(): void {
    const firstSeen = new Map<string, SourceRange>();
    const duplicate = (key: string, what: string, range: SourceRange): boolean => {
      const prev = firstSeen.get(key);
      if (prev) {
        this.report(range, `duplicate ${what}`, `first defined at ${where(prev)}`);
        return true;
      }
      firstSeen.set(key, range);
      return false;
    };
    for (const file of this.files) {
      for (const attr of file.body.attributes) {
        this.report(attr.nameRange, `unexpected attribute "${attr.name}" at the top level`, 'attributes belong inside a block, e.g. locals { … }');
      }
      for (const block of file.body.blocks) {
        const wantLabels = block.type === 'locals' ? 0 : 1;
        if (!topLevelBlockTypes.includes(block.type)) {
          this.report(block.typeRange, `unknown block type "${block.type}"`, didYouMean(block.type, topLevelBlockTypes) ?? `expected one of: ${topLevelBlockTypes.join(', ')}`);
          continue;
        }
        if (block.labels.length !== wantLabels) {
          this.report(
            block.typeRange,
            wantLabels === 0 ? `a locals block takes no label` : `a ${block.type} block takes exactly one label: ${block.type} "name" { … }`,
          );
          continue;
        }
        const label = block.labels[0]!;
        switch (block.type) {
          case 'variable':
            if (!duplicate(`var.${label}`, `variable "${label}"`, block.typeRange)) this.collectVariable(block);
            break;
          case 'locals':
            for (const b of block.body.blocks) this.report(b.typeRange, `unexpected block "${b.type}" in locals`);
            for (const attr of block.body.attributes) {
              if (!duplicate(`local.${attr.name}`, `local "${attr.name}"`, attr.nameRange)) {
                this.locals.set(attr.name, { attr, state: 'pending', value: null, deps: new Set() });
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
          default: {
            const type = block.type as ResourceType;
            const address = `${type}.${label}`;
            const prev = this.resourcesByType.get(type)?.get(label);
            if (prev) {
              this.report(block.typeRange, `duplicate resource ${address}`, `first defined at ${where(prev.block.typeRange)}`);
              break;
            }
            if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(label)) {
              this.report(block.typeRange, `invalid resource label "${label}"`, 'a label is a name: letters, digits, "_" and "-", not starting with a digit (set `name = "…"` for any PostgreSQL name)');
              break;
            }
            const resource: ResourceBlock = {
              type,
              label,
              address,
              kind: kindByType(type)!,
              block,
              attrs: this.attributesOf(block),
              mode: 'single',
            };
            this.resources.push(resource);
            let byLabel = this.resourcesByType.get(type);
            if (!byLabel) this.resourcesByType.set(type, (byLabel = new Map()));
            byLabel.set(label, resource);
          }
        }
      }
    }
  }

  /** The attributes of a block by name; a repeated attribute is reported. */
  private attributesOf(block: Block): Map<string, Attribute> {
    const out = new Map<string, Attribute>();
    for (const attr of block.body.attributes) {
      const prev = out.get(attr.name);
      if (prev) this.report(attr.nameRange, `attribute "${attr.name}" is set twice`, `first set at ${where(prev.nameRange)}`);
      else out.set(attr.name, attr);
    }
    return out;
  }

  // ── variables ─────────────────────────────────────────────────────────────────────────
  private collectVariable(block: Block): void {
    const attrs = this.attributesOf(block);
    let type: TypeSpec = ANY;
    let sensitive = false;
    for (const b of block.body.blocks) this.report(b.typeRange, `unexpected block "${b.type}" in variable`);
    for (const [name, attr] of attrs) {
      if (name === 'type') {
        const t = typeFromExpression(attr.value);
        if (typeof t === 'string') this.report(attr.value.range, t);
        else type = t;
      } else if (name === 'sensitive') {
        const v = this.evalAttribute(attr, { where: 'variable' });
        if (v !== FAILED && typeof v !== 'boolean') this.report(attr.value.range, `sensitive: expected bool, got ${typeOfValue(v)}`);
        sensitive = v === true;
      } else if (name === 'description') {
        const v = this.evalAttribute(attr, { where: 'variable' });
        if (v !== FAILED && typeof v !== 'string') this.report(attr.value.range, `description: expected string, got ${typeOfValue(v)}`);
      } else if (name !== 'default') {
        this.report(attr.nameRange, `unknown attribute "${name}" in variable`, didYouMean(name, ['type', 'default', 'description', 'sensitive']));
      }
    }
    this.variables.set(block.labels[0]!, { block, type, sensitive, value: FAILED });
  }

  private resolveVariables(): void {
    const given = new Map<string, VariableInput>();
    for (const input of this.options.variables) {
      if (this.variables.has(input.name)) given.set(input.name, input);
      else if (input.source.startsWith('XP_VAR_')) continue; // the environment may hold variables of other stacks
      else {
        this.push({
          severity: input.source.startsWith('--var ') ? 'error' : 'warning',
          message: `a value was given for undeclared variable "${input.name}" (${input.source})`,
          hint: didYouMean(input.name, this.variables.keys()) ?? `declare it: variable "${input.name}" {}`,
        });
      }
    }
    for (const [name, state] of this.variables) {
      const attrs = this.attributesOf(state.block);
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
              this.push(...parsed.map((d) => ({ ...d, message: `variable "${name}" (${input.source}): ${d.message}` })));
              raw = FAILED;
            } else raw = this.evalTop(parsed, 'var-file');
          }
          range = undefined;
        } else if ('expression' in input) {
          raw = this.evalTop(input.expression, 'var-file');
          range = input.expression.range;
        } else {
          raw = input.value;
          range = undefined;
        }
      } else {
        const def = attrs.get('default');
        if (!def) {
          this.report(state.block.typeRange, `no value for required variable "${name}"`, `set it with --var ${name}=…, a --var-file, XP_VAR_${name}, or give it a default`);
          continue;
        }
        raw = this.evalAttribute(def, { where: 'variable' });
        range = def.value.range;
      }
      if (raw === FAILED) continue;
      const c = convert(raw, state.type);
      if (!c.ok) {
        this.report(range ?? state.block.typeRange, `invalid value for variable "${name}" (${origin}): ${c.message}`);
        continue;
      }
      state.value = wrap(c.value, state.sensitive);
    }
  }

  private evalTop(e: Expression, where: Scope['where']): EvalValue | typeof FAILED {
    try {
      return this.evalExpr(e, { where });
    } catch (err) {
      if (err instanceof EvalFailure) {
        if (err.diagnostic.message) this.push(err.diagnostic);
        return FAILED;
      }
      throw err;
    }
  }

  /** Evaluates one attribute's expression; a mistake becomes a diagnostic and FAILED. */
  evalAttribute(attr: Attribute, scope: Scope): EvalValue | typeof FAILED {
    try {
      return this.evalExpr(attr.value, scope);
    } catch (err) {
      if (err instanceof EvalFailure) {
        if (err.diagnostic.message) this.push(err.diagnostic);
        return FAILED;
      }
      if (err instanceof RangeError && /call stack/i.test(err.message)) {
        this.report(attr.value.range, `the value of "${attr.name}" is nested too deeply to evaluate`);
        return FAILED;
      }
      throw err;
    }
  }

  // ── locals ────────────────────────────────────────────────────────────────────────────
  private local(name: string, range: SourceRange, scope: Scope): EvalValue {
    const l = this.locals.get(name);
    if (!l) this.fail(range, `unknown local "${name}"`, didYouMean(name, this.locals.keys()) ?? 'locals are declared in a locals { … } block');
    if (l.state === BUSY) {
      const cycle = this.localStack.slice(this.localStack.indexOf(name));
      const path = [...cycle, name].map((n) => `local.${n}`).join(' → ');
      const members = cycle.map((n) => `local.${n} (${where(this.locals.get(n)!.attr.nameRange)})`).join(', ');
      for (const n of cycle) this.locals.get(n)!.state = FAILED;
      this.report(this.locals.get(cycle[0]!)!.attr.nameRange, `cycle between locals: ${path}`, `each of ${members} depends on the next`);
      throw alreadyReported();
    }
    if (l.state === FAILED) throw alreadyReported();
    if (l.state === 'pending') {
      l.state = BUSY;
      this.localStack.push(name);
      let v: EvalValue | typeof FAILED;
      try {
        v = this.evalAttribute(l.attr, { where: 'local', deps: l.deps });
      } finally {
        this.localStack.pop();
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

  // ── resources and their instances ─────────────────────────────────────────────────────
  private expand(r: ResourceBlock): Map<string | number, Instance> | undefined {
    if (r.expansion === BUSY) {
      this.report(r.block.typeRange, `the for_each or count of ${r.address} refers to ${r.address} itself`);
      r.expansion = FAILED;
      return undefined;
    }
    if (r.expansion === FAILED) return undefined;
    if (r.expansion) return r.expansion;
    r.expansion = BUSY;
    const out = new Map<string | number, Instance>();
    const forEach = r.attrs.get('for_each');
    const count = r.attrs.get('count');
    // what for_each / count refer to, given to every instance (no set for a single instance)
    const blockDeps = forEach || count ? new Set<string>() : EMPTY_SET;
    const base: Scope = { where: 'resource', deps: blockDeps };
    const make = (address: string, scope: Scope) => {
      const inst = new Instance(r, address, { ...scope, deps: undefined }, this);
      inst.scope.deps = inst.deps;
      return inst;
    };
    if (forEach && count) {
      this.report(count.nameRange, `${r.address} sets both for_each and count`, 'use one of them');
      r.expansion = FAILED;
      return undefined;
    }
    if (forEach) {
      r.mode = 'for_each';
      const v = this.evalAttribute(forEach, base);
      if (v === FAILED) return this.expansionFailed(r);
      const { value, sensitive } = unwrap(v);
      const plain = value instanceof ResourceGroup ? expandGroup(value) : value;
      if (sensitive || containsSensitive(plain)) {
        this.report(forEach.value.range, 'for_each must not be sensitive', 'instance keys appear in addresses and plans');
        return this.expansionFailed(r);
      }
      if (containsUnknown(plain)) {
        this.report(forEach.value.range, 'for_each depends on values known only after apply', 'the instances of a resource must be known at plan time');
        return this.expansionFailed(r);
      }
      if (Array.isArray(plain)) {
        const seen = new Set<string>();
        for (const item of plain) {
          const s = item instanceof ResourceRef ? item.instance.name() : unwrap(item).value;
          if (typeof s !== 'string') {
            this.report(forEach.value.range, `for_each must be a set of strings or a map, got a list containing ${typeOfValue(item)}`);
            return this.expansionFailed(r);
          }
          if (seen.has(s)) {
            this.report(forEach.value.range, `for_each has the key "${s}" twice`, 'use toset(…) to remove duplicates');
            return this.expansionFailed(r);
          }
          seen.add(s);
        }
        for (const s of [...seen].sort()) out.set(s, make(`${r.address}[${JSON.stringify(s)}]`, { ...base, each: { key: s, value: s } }));
      } else if (isObject(plain)) {
        for (const k of Object.keys(plain).sort()) {
          out.set(k, make(`${r.address}[${JSON.stringify(k)}]`, { ...base, each: { key: k, value: plain[k]! } }));
        }
      } else {
        this.report(forEach.value.range, `for_each must be a set of strings or a map, got ${typeOfValue(plain)}`);
        return this.expansionFailed(r);
      }
    } else if (count) {
      r.mode = 'count';
      const v = this.evalAttribute(count, base);
      if (v === FAILED) return this.expansionFailed(r);
      const { value } = unwrap(v);
      if (value === UNKNOWN) {
        this.report(count.value.range, 'count depends on values known only after apply', 'the instances of a resource must be known at plan time');
        return this.expansionFailed(r);
      }
      const n = convert(value, { t: 'number' });
      if (!n.ok || typeof n.value !== 'number' || !Number.isInteger(n.value) || n.value < 0) {
        this.report(count.value.range, `count must be a whole number ≥ 0, got ${n.ok ? String(n.value) : typeOfValue(value)}`);
        return this.expansionFailed(r);
      }
      if (n.value > MAX_COUNT) {
        // as range(): a typo (1e20) would otherwise run out of memory instead of being reported
        this.report(count.value.range, `count must be at most ${MAX_COUNT.toLocaleString('en')}, got ${n.value}`);
        return this.expansionFailed(r);
      }
      for (let i = 0; i < n.value; i++) out.set(i, make(`${r.address}[${i}]`, { ...base, countIndex: i }));
    } else {
      const inst = new Instance(r, r.address, { where: 'resource', deps: undefined }, this);
      inst.scope.deps = inst.deps;
      out.set('', inst);
    }
    if (blockDeps.size > 0) for (const inst of out.values()) for (const d of blockDeps) inst.deps.add(d);
    r.expansion = out;
    return out;
  }

  private expansionFailed(r: ResourceBlock): undefined {
    r.expansion = FAILED;
    return undefined;
  }

  /** `type.label` in an expression: one instance, or the group of them. Records the dependency. */
  private resourceReference(type: ResourceType, label: string, range: SourceRange, scope: Scope, indexExpr?: Expression): EvalValue {
    // looked up by type then label: no address string to build and hash for every reference
    const r = this.resourcesByType.get(type)?.get(label);
    if (!r) {
      const address = `${type}.${label}`;
      const same = [...(this.resourcesByType.get(type)?.keys() ?? [])];
      this.fail(range, `reference to undeclared resource ${address}`, didYouMean(label, same) ?? `declare it: ${type} "${label}" { … }`);
    }
    const address = r.address;
    if (!scope.deps) {
      this.fail(range, `a ${scope.where === 'variable' ? 'variable default' : scope.where} cannot refer to a resource`, 'resources can be referred to from resources, locals and outputs');
    }
    const instances = this.expand(r);
    if (!instances) {
      scope.deps.add(address);
      return UNKNOWN;
    }
    if (r.mode === 'single') {
      const inst = instances.get('')!;
      if (indexExpr) this.fail(indexExpr.range, `${address} has neither for_each nor count: it cannot be indexed`);
      scope.deps.add(inst.address);
      return new ResourceRef(inst);
    }
    if (indexExpr) {
      const k = unwrap(this.evalExpr(indexExpr, scope)).value;
      if (k === UNKNOWN) {
        for (const inst of instances.values()) scope.deps.add(inst.address);
        return UNKNOWN;
      }
      const key = r.mode === 'count' ? convert(k, { t: 'number' }) : convert(k, STRING);
      const inst = key.ok ? instances.get(key.value as string | number) : undefined;
      if (!inst) {
        const keys = [...instances.keys()].map((x) => JSON.stringify(x));
        this.fail(
          indexExpr.range,
          `${address} has no instance [${JSON.stringify(toPlain(k))}]`,
          keys.length === 0 ? `${address} has no instances` : `its instances are ${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ', …' : ''}`,
        );
      }
      scope.deps.add(inst.address);
      return new ResourceRef(inst);
    }
    const refs = new Map<string | number, ResourceRef>();
    for (const [k, inst] of instances) {
      scope.deps.add(inst.address);
      refs.set(k, new ResourceRef(inst));
    }
    return new ResourceGroup(address, r.mode, refs);
  }

  // ── expressions ───────────────────────────────────────────────────────────────────────
  evalExpr(e: Expression, scope: Scope): EvalValue {
    switch (e.kind) {
      case 'Literal':
        return e.value;
      case 'Paren':
        return this.evalExpr(e.inner, scope);
      case 'Template':
        return this.evalTemplate(e.parts, scope);
      case 'List':
        return e.items.map((x) => this.evalExpr(x, scope));
      case 'Object': {
        const out: { [k: string]: EvalValue } = {};
        for (const item of e.items) {
          let key: string;
          if (typeof item.key === 'string') key = item.key;
          else {
            const k = unwrap(this.evalExpr(item.key, scope)).value;
            const s = convert(k, STRING);
            if (k === UNKNOWN || !s.ok || typeof s.value !== 'string') this.fail(item.key.range, `an object key must be a known string, got ${typeOfValue(k)}`);
            key = s.value;
          }
          out[key] = this.evalExpr(item.value, scope);
        }
        return out;
      }
      case 'Variable':
        return this.evalName(e.name, e.range, scope);
      case 'GetAttr': {
        if (e.object.kind === 'Variable' && !scope.names?.has(e.object.name)) {
          const root = this.evalRoot(e.object.name, e.name, e.range, scope);
          if (root !== NOT_A_ROOT) return root;
        }
        return this.getAttr(this.evalExpr(e.object, scope), e.name, e.range);
      }
      case 'Index': {
        // `schema.tenant[each.key]`: depend on that one instance, not on all of them
        const o = e.object;
        if (o.kind === 'GetAttr' && o.object.kind === 'Variable' && (resourceTypes as string[]).includes(o.object.name) && !scope.names?.has(o.object.name)) {
          return this.resourceReference(o.object.name as ResourceType, o.name, o.range, scope, e.index);
        }
        const obj = this.evalExpr(e.object, scope);
        const idx = this.evalExpr(e.index, scope);
        return this.index(obj, idx, e.index.range);
      }
      case 'Call':
        return this.evalCall(e, scope);
      case 'Unary': {
        const { value, sensitive } = unwrap(this.evalExpr(e.operand, scope));
        if (value === UNKNOWN) return wrap(UNKNOWN, sensitive);
        if (e.op === '!') {
          if (typeof value !== 'boolean') this.fail(e.operand.range, `operator !: expected bool, got ${typeOfValue(value)}`);
          return wrap(!value, sensitive);
        }
        const n = convert(value, { t: 'number' });
        if (!n.ok || typeof n.value !== 'number') this.fail(e.operand.range, `operator -: expected number, got ${typeOfValue(value)}`);
        return wrap(-n.value, sensitive);
      }
      case 'Binary':
        return this.evalBinary(e, scope);
      case 'Conditional': {
        const { value, sensitive } = unwrap(this.evalExpr(e.condition, scope));
        if (value === UNKNOWN) {
          // both sides are evaluated so that their references still count as dependencies
          this.evalExpr(e.then, scope);
          this.evalExpr(e.else, scope);
          return wrap(UNKNOWN, sensitive);
        }
        const b = convert(value, { t: 'bool' });
        if (!b.ok || typeof b.value !== 'boolean') this.fail(e.condition.range, `condition: expected bool, got ${typeOfValue(value)}`);
        return wrap(this.evalExpr(b.value ? e.then : e.else, scope), sensitive);
      }
      case 'For':
        return this.evalFor(e, scope);
    }
  }

  private evalTemplate(parts: (string | Expression)[], scope: Scope): EvalValue {
    if (parts.length === 1 && typeof parts[0] !== 'string') return this.evalExpr(parts[0]!, scope); // "${x}" keeps x's type
    let out = '';
    let unknown = false;
    let sensitive = false;
    for (const p of parts) {
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      const u = unwrap(this.evalExpr(p, scope));
      sensitive ||= u.sensitive;
      const v = u.value;
      if (v === UNKNOWN) {
        unknown = true;
        continue;
      }
      if (v === null) this.fail(p.range, 'cannot interpolate null', 'use coalesce(x, "") for a default');
      if (Array.isArray(v) || isObject(v) || v instanceof ResourceGroup) {
        this.fail(p.range, `cannot interpolate a ${typeOfValue(v)}`, v instanceof ResourceGroup || Array.isArray(v) ? 'use join(", ", …) to make a string of a list' : 'use jsonencode(…) to make a string of an object');
      }
      const s = convert(v, STRING);
      if (!s.ok || s.value === UNKNOWN) {
        unknown = true;
        continue;
      }
      if (containsSensitive(s.value)) sensitive = true;
      out += String(unwrap(s.value).value);
    }
    return wrap(unknown ? UNKNOWN : out, sensitive);
  }

  /** A bare name: a `for` variable, or a root used without an attribute (an error). */
  private evalName(name: string, range: SourceRange, scope: Scope): EvalValue {
    if (scope.names?.has(name)) return scope.names.get(name)!;
    if (name === 'var' || name === 'local') this.fail(range, `"${name}" needs a name: ${name}.NAME`);
    if (name === 'each') this.fail(range, '"each" needs an attribute: each.key or each.value');
    if (name === 'count') this.fail(range, '"count" needs an attribute: count.index');
    if ((resourceTypes as string[]).includes(name)) this.fail(range, `a reference to a ${name} needs its label: ${name}.LABEL`);
    const candidates = ['var', 'local', 'each', 'count', ...resourceTypes, ...(scope.names?.keys() ?? [])];
    this.fail(range, `unknown name "${name}"`, didYouMean(name, candidates) ?? 'references start with var., local., each., count. or a resource type (role.x)');
  }

  /** `root.name` for the roots of references; NOT_A_ROOT for anything else. */
  private evalRoot(root: string, name: string, range: SourceRange, scope: Scope): EvalValue | typeof NOT_A_ROOT {
    switch (root) {
      case 'var': {
        const v = this.variables.get(name);
        if (!v) this.fail(range, `unknown variable "${name}"`, didYouMean(name, this.variables.keys()) ?? `declare it: variable "${name}" {}`);
        if (scope.where === 'variable') this.fail(range, 'a variable default cannot refer to variables');
        if (v.value === FAILED) throw alreadyReported(); // reported at the variable
        return v.value;
      }
      case 'local':
        if (scope.where === 'variable') this.fail(range, 'a variable default cannot refer to locals');
        return this.local(name, range, scope);
      case 'each':
        if (!scope.each) this.fail(range, `each.${name} is only available in a resource with for_each`);
        if (name === 'key') return scope.each.key;
        if (name === 'value') return scope.each.value;
        this.fail(range, `unknown attribute "each.${name}"`, 'each has key and value');
      // falls through (fail never returns)
      case 'count':
        if (scope.countIndex === undefined) this.fail(range, `count.${name} is only available in a resource with count`);
        if (name === 'index') return scope.countIndex;
        this.fail(range, `unknown attribute "count.${name}"`, 'count has index');
      // falls through
      case 'provider':
        this.fail(range, 'provider.NAME is only allowed as the value of a resource\'s provider attribute');
      // falls through
      default:
        if ((resourceTypes as string[]).includes(root)) return this.resourceReference(root as ResourceType, name, range, scope);
        return NOT_A_ROOT;
    }
  }

  private getAttr(obj: EvalValue, name: string, range: SourceRange): EvalValue {
    const { value, sensitive } = unwrap(obj);
    if (value === UNKNOWN) return wrap(UNKNOWN, sensitive);
    if (value instanceof ResourceRef) {
      const v = value.instance.attribute(name);
      if (v === undefined) {
        this.fail(range, `${value.instance.type} has no attribute "${name}"`, didYouMean(name, value.instance.attributeNames()) ?? `readable: ${value.instance.attributeNames().join(', ')}`);
      }
      return wrap(v, sensitive);
    }
    if (value instanceof ResourceGroup) {
      this.fail(range, `${value.address} has ${value.mode === 'count' ? 'count' : 'for_each'}: choose an instance first, ${value.address}[${value.mode === 'count' ? '0' : 'KEY'}].${name}`);
    }
    if (isObject(value)) {
      if (!(name in value)) this.fail(range, `object has no attribute "${name}"`, didYouMean(name, Object.keys(value)));
      return wrap(value[name]!, sensitive);
    }
    this.fail(range, `cannot read attribute "${name}" of a ${typeOfValue(value)}`);
  }

  private index(obj: EvalValue, idx: EvalValue, range: SourceRange): EvalValue {
    const o = unwrap(obj);
    const i = unwrap(idx);
    const sensitive = o.sensitive || i.sensitive;
    let value = o.value;
    if (value === UNKNOWN || i.value === UNKNOWN) return wrap(UNKNOWN, sensitive);
    if (value instanceof ResourceGroup) value = expandGroup(value);
    if (Array.isArray(value)) {
      const n = convert(i.value, { t: 'number' });
      if (!n.ok || typeof n.value !== 'number' || !Number.isInteger(n.value)) this.fail(range, `a list index must be a whole number, got ${typeOfValue(i.value)}`);
      if (n.value < 0 || n.value >= value.length) this.fail(range, `index ${n.value} is out of range (the list has ${value.length} element${value.length === 1 ? '' : 's'})`);
      return wrap(value[n.value]!, sensitive);
    }
    if (isObject(value)) {
      const k = convert(i.value, STRING);
      if (!k.ok || typeof k.value !== 'string') this.fail(range, `a map key must be a string, got ${typeOfValue(i.value)}`);
      if (!(k.value in value)) this.fail(range, `no key "${k.value}" in the map`, didYouMean(k.value, Object.keys(value)));
      return wrap(value[k.value]!, sensitive);
    }
    this.fail(range, `cannot index a ${typeOfValue(value)}`);
  }

  private evalCall(e: Extract<Expression, { kind: 'Call' }>, scope: Scope): EvalValue {
    let args = e.args.map((a) => this.evalExpr(a, scope));
    if (e.expandFinal && args.length > 0) {
      const { value: last, sensitive } = unwrap(args[args.length - 1]!);
      if (last === UNKNOWN) return wrap(UNKNOWN, sensitive);
      const list = last instanceof ResourceGroup ? expandGroup(last) : last;
      if (!Array.isArray(list)) this.fail(e.args[e.args.length - 1]!.range, `only a list can be expanded with ..., got ${typeOfValue(list)}`);
      args = [...args.slice(0, -1), ...list.map((x) => wrap(x, sensitive))];
    }
    try {
      return callFunction(e.name, args, this.fnContext);
    } catch (err) {
      if (err instanceof FunctionError) {
        const at = err.argument !== undefined && e.args[err.argument] ? e.args[err.argument]!.range : e.range;
        const hint = err.message.startsWith('unknown function') ? didYouMean(e.name, functionNames) ?? `functions: ${functionNames.join(', ')}` : undefined;
        this.fail(at, err.message, hint);
      }
      throw err;
    }
  }

  private evalBinary(e: Extract<Expression, { kind: 'Binary' }>, scope: Scope): EvalValue {
    const l = unwrap(this.evalExpr(e.left, scope));
    const r = unwrap(this.evalExpr(e.right, scope));
    const sensitive = l.sensitive || r.sensitive;
    if (e.op === '==' || e.op === '!=') {
      if (containsUnknown(l.value) || containsUnknown(r.value)) return wrap(UNKNOWN, sensitive);
      const eq = valuesEqual(l.value, r.value);
      return wrap(e.op === '==' ? eq : !eq, sensitive);
    }
    if (l.value === UNKNOWN || r.value === UNKNOWN) return wrap(UNKNOWN, sensitive);
    if (e.op === '&&' || e.op === '||') {
      if (typeof l.value !== 'boolean') this.fail(e.left.range, `operator ${e.op}: expected bool, got ${typeOfValue(l.value)}`);
      if (typeof r.value !== 'boolean') this.fail(e.right.range, `operator ${e.op}: expected bool, got ${typeOfValue(r.value)}`);
      return wrap(e.op === '&&' ? l.value && r.value : l.value || r.value, sensitive);
    }
    const a = convert(l.value, { t: 'number' });
    const b = convert(r.value, { t: 'number' });
    if (!a.ok || typeof a.value !== 'number') this.fail(e.left.range, `operator ${e.op}: expected number, got ${typeOfValue(l.value)}`);
    if (!b.ok || typeof b.value !== 'number') this.fail(e.right.range, `operator ${e.op}: expected number, got ${typeOfValue(r.value)}`);
    const x = a.value;
    const y = b.value;
    let out: number | boolean;
    switch (e.op) {
      case '+': out = x + y; break;
      case '-': out = x - y; break;
      case '*': out = x * y; break;
      case '/':
        if (y === 0) this.fail(e.right.range, 'division by zero');
        out = x / y;
        break;
      case '%':
        if (y === 0) this.fail(e.right.range, 'division by zero');
        out = x % y;
        break;
      case '<': out = x < y; break;
      case '<=': out = x <= y; break;
      case '>': out = x > y; break;
      case '>=': out = x >= y; break;
    }
    return wrap(out, sensitive);
  }

  private evalFor(e: Extract<Expression, { kind: 'For' }>, scope: Scope): EvalValue {
    const { value: coll0, sensitive } = unwrap(this.evalExpr(e.collection, scope));
    if (coll0 === UNKNOWN) return wrap(UNKNOWN, sensitive);
    const coll = coll0 instanceof ResourceGroup ? expandGroup(coll0) : coll0;
    let entries: [EvalValue, EvalValue][];
    if (Array.isArray(coll)) entries = coll.map((v, i) => [i, v]);
    else if (isObject(coll)) entries = Object.keys(coll).sort().map((k) => [k, coll[k]!]);
    else this.fail(e.collection.range, `a for expression needs a list or a map, got ${typeOfValue(coll)}`);
    const listOut: EvalValue[] = [];
    const objOut: { [k: string]: EvalValue } = {};
    for (const [k, v] of entries) {
      const names = new Map(scope.names ?? []);
      if (e.keyVar) names.set(e.keyVar, k);
      names.set(e.valueVar, v);
      const inner: Scope = { ...scope, names };
      if (e.condition) {
        const c = unwrap(this.evalExpr(e.condition, inner)).value;
        if (c === UNKNOWN) return wrap(UNKNOWN, sensitive);
        if (typeof c !== 'boolean') this.fail(e.condition.range, `a for condition must be a bool, got ${typeOfValue(c)}`);
        if (!c) continue;
      }
      const value = this.evalExpr(e.valueExpr, inner);
      if (e.result === 'list') {
        listOut.push(value);
        continue;
      }
      const kv = unwrap(this.evalExpr(e.keyExpr!, inner)).value;
      const key = convert(kv, STRING);
      if (kv === UNKNOWN || !key.ok || typeof key.value !== 'string') this.fail(e.keyExpr!.range, `a for key must be a known string, got ${typeOfValue(kv)}`);
      if (e.grouping) ((objOut[key.value] ??= []) as EvalValue[]).push(value);
      else {
        if (key.value in objOut) this.fail(e.keyExpr!.range, `duplicate key "${key.value}" in a for expression`, 'add ... after the value to group values by key');
        objOut[key.value] = value;
      }
    }
    return wrap(e.result === 'list' ? listOut : objOut, sensitive);
  }

  // ── building the instances ────────────────────────────────────────────────────────────
  private buildInstance(inst: Instance, providers: Set<string>): ResourceInstance | undefined {
    const r = inst.resource;
    const kind = r.kind;
    const errorsBefore = this.errorCount();
    const spec: Record<string, Value> = {};
    for (const attr of r.block.body.attributes) {
      const name = attr.name;
      if (r.attrs.get(name) !== attr) continue; // set twice: reported by attributesOf
      if ((metaArguments as readonly string[]).includes(name)) continue;
      const schema = kind.attributes[name];
      if (!schema) {
        const known = [...Object.keys(kind.attributes), ...metaArguments];
        this.report(attr.nameRange, `unknown attribute "${name}" in ${r.type}`, didYouMean(name, known) ?? `${r.type} has: ${known.join(', ')}`);
        continue;
      }
      const v = inst.attributeValue(name);
      if (v === FAILED) continue;
      const checked = this.checkAttribute(name, schema, v, attr.value.range);
      if (checked !== undefined) spec[name] = checked;
    }
    // depends_on: references only; evaluating them records the dependencies
    const dependsOn = r.attrs.get('depends_on');
    if (dependsOn) {
      if (dependsOn.value.kind !== 'List') this.report(dependsOn.value.range, 'depends_on must be a list of resources: [role.x, schema.y]');
      else {
        for (const item of dependsOn.value.items) {
          try {
            const v = this.evalExpr(item, inst.scope);
            if (!(v instanceof ResourceRef) && !(v instanceof ResourceGroup) && v !== UNKNOWN) {
              this.report(item.range, `depends_on: expected a resource (role.x), got ${typeOfValue(v)}`);
            }
          } catch (err) {
            if (!(err instanceof EvalFailure)) throw err;
            if (err.diagnostic.message) this.push(err.diagnostic);
          }
        }
      }
    }
    // without provider = …: the only provider block, else the one named "default", else the
    // default connection (LANGUAGE.md: "without any, the default connection is used")
    let provider = providers.size === 1 ? [...providers][0]! : 'default';
    const providerAttr = r.attrs.get('provider');
    if (providerAttr) {
      const p = providerAttr.value;
      if (p.kind === 'GetAttr' && p.object.kind === 'Variable' && p.object.name === 'provider') {
        if (!providers.has(p.name)) this.report(p.range, `unknown provider "${p.name}"`, didYouMean(p.name, providers) ?? `declare it: provider "${p.name}" { url = … }`);
        else provider = p.name;
      } else this.report(p.range, 'provider must be a reference to a provider block: provider.NAME');
    }
    const lifecycle: Lifecycle = { prevent_destroy: false, deletion_policy: 'delete', ignore_changes: [] };
    let connectionSecret: ConnectionSecret | undefined;
    const blockCounts: Record<string, number> = {};
    for (const b of r.block.body.blocks) {
      const n = (blockCounts[b.type] ?? 0) + 1;
      blockCounts[b.type] = n;
      if (b.labels.length > 0) this.report(b.typeRange, `a ${b.type} block takes no label`);
      for (const nested of b.body.blocks) this.report(nested.typeRange, `unexpected block "${nested.type}" in ${b.type}`);
      if (b.type === 'lifecycle') {
        if (n > 1) this.report(b.typeRange, 'only one lifecycle block is allowed');
        else this.readLifecycle(b, inst, lifecycle);
        continue;
      }
      const schema = kind.blocks[b.type];
      if (!schema) {
        const candidates = [...Object.keys(kind.blocks), ...metaBlocks];
        this.report(b.typeRange, `unknown block "${b.type}" in ${r.type}`, didYouMean(b.type, candidates) ?? (candidates.length ? `${r.type} has blocks: ${candidates.join(', ')}` : undefined));
        continue;
      }
      if (!schema.multiple && n > 1) {
        this.report(b.typeRange, `only one ${b.type} block is allowed`);
        continue;
      }
      const obj = this.readNestedBlock(b, schema, inst);
      if (!obj) continue;
      if (schema.specKey) {
        const list = (spec[schema.specKey] ??= []) as Value[];
        list.push(obj);
      } else if (b.type === 'connection_secret') {
        if (typeof obj['path'] === 'string') {
          connectionSecret = { path: obj['path'], format: obj['format'] as ConnectionSecret['format'] };
          this.checkSecretFile(connectionSecret.path, inst.address, b.body.attributes.find((a) => a.name === 'path')?.value.range ?? b.typeRange);
        } else if (obj['path'] !== undefined) this.report(b.typeRange, 'connection_secret: path must be known before apply');
      }
    }
    for (const [name, schema] of entriesOf(kind.attributes)) {
      if (spec[name] !== undefined && spec[name] !== null) continue;
      if (schema.required) {
        this.report(r.block.typeRange, `missing required attribute "${name}" in ${inst.address}`, `${name}: ${schema.description}`);
      } else if (schema.default !== undefined && schema.observed !== false) {
        spec[name] = cloneDefault(schema.default);
      } else if (spec[name] === null) delete spec[name];
    }
    if (kind.finalize) {
      for (const p of kind.finalize(spec)) this.reportProblem(p, r.block);
    }
    if (this.errorCount() > errorsBefore) return undefined;
    const name = inst.name();
    if (name === UNKNOWN) return undefined;
    return {
      address: inst.address,
      type: r.type,
      kind: kind.kind,
      name,
      spec: inKeyOrder(spec, specKeyOrder(kind)),
      provider,
      lifecycle,
      ...(connectionSecret ? { connectionSecret } : {}),
      dependsOn: sortedStrings(inst.deps),
      range: r.block.range,
    };
  }

  /**
   * A connection_secret path stays inside the configuration directory, through no symbolic
   * link (src/secrets/secret-file.ts, checked again when the file is written), and two
   * instances never share a file.
   */
  private checkSecretFile(path: string, address: string, range: SourceRange): void {
    let relative: string;
    try {
      relative = checkSecretPath(this.options.dir, path).relative;
    } catch (err) {
      if (!(err instanceof SecretPathError)) throw err;
      this.report(range, err.message, err.hint);
      return;
    }
    const other = this.secretFiles.get(relative);
    if (other !== undefined && other !== address)
      this.report(range, `connection_secret path "${relative}" is also the connection secret of ${other}`, 'each service account needs its own file, e.g. "secrets/${each.key}.env"');
    else this.secretFiles.set(relative, address);
  }

  private errorCount(): number {
    return this.errors;
  }

  private reportProblem(p: SpecProblem, block: Block): void {
    let range = block.typeRange;
    if (p.attribute) range = block.body.attributes.find((a) => a.name === p.attribute)?.range ?? range;
    if (p.block) {
      const nested = block.body.blocks.filter((b) => b.type === p.block!.type)[p.block.index];
      if (nested) {
        range = nested.typeRange;
        if (p.block.attribute) range = nested.body.attributes.find((a) => a.name === p.block!.attribute)?.value.range ?? range;
      }
    }
    this.report(range, p.message, p.hint);
  }

  /** Converts an attribute's value to its schema's type, checking references and enums. */
  private checkAttribute(name: string, schema: AttributeSchema, v: EvalValue, range: SourceRange): Value | undefined {
    if (schema.references) {
      const refs: ResourceRef[] = [];
      const { value } = unwrap(v);
      if (value instanceof ResourceRef) refs.push(value);
      else if (value instanceof ResourceGroup) refs.push(...value.instances.values());
      else if (Array.isArray(value)) {
        for (const x of value) if (x instanceof ResourceRef) refs.push(x);
      }
      for (const ref of refs) {
        if (!schema.references.includes(ref.instance.type)) {
          this.report(range, `${name}: expected a reference to ${schema.references.map((t) => `a ${t}`).join(' or ')}, got ${ref.instance.address}`);
          return undefined;
        }
      }
    }
    const c = convert(v, schema.type);
    if (!c.ok) {
      this.report(range, `${name}: ${c.message}`);
      return undefined;
    }
    if (schema.enum) {
      const { value } = unwrap(c.value);
      if (typeof value === 'string') {
        const ok = schema.caseInsensitive ? schema.enum.some((x) => x.toLowerCase() === value.toLowerCase()) : schema.enum.includes(value);
        if (!ok) {
          this.report(range, `${name}: invalid value "${value}", expected one of: ${schema.enum.map((x) => `"${x}"`).join(', ')}`, didYouMean(value, schema.enum));
          return undefined;
        }
      }
    }
    const out = toPlain(c.value);
    const plain = deepUnwrap(out as EvalValue);
    const bad = valueProblem(domainOf(schema), plain.value, plain.sensitive || schema.sensitive === true, '', schema.keyDomain);
    if (bad) {
      this.report(range, `${name}${bad.path}: ${bad.problem}`);
      return undefined;
    }
    if (out === null) return null;
    return schema.sensitive ? wrap(out as EvalValue, true) as Value : out;
  }

  private readNestedBlock(b: Block, schema: BlockSchema, inst: Instance): Record<string, Value> | undefined {
    const out: Record<string, Value> = {};
    let ok = true;
    const attrs = this.attributesOf(b);
    for (const attr of b.body.attributes) {
      const name = attr.name;
      if (attrs.get(name) !== attr) continue; // set twice: reported by attributesOf
      const s = schema.attributes[name];
      if (!s) {
        const names = Object.keys(schema.attributes);
        this.report(attr.nameRange, `unknown attribute "${name}" in ${b.type}`, didYouMean(name, names) ?? `${b.type} has: ${names.join(', ')}`);
        ok = false;
        continue;
      }
      const v = this.evalAttribute(attr, inst.scope);
      if (v === FAILED) {
        ok = false;
        continue;
      }
      const checked = this.checkAttribute(name, s, v, attr.value.range);
      if (checked === undefined) ok = false;
      else out[name] = checked;
    }
    for (const [name, s] of entriesOf(schema.attributes)) {
      if (out[name] !== undefined && out[name] !== null) continue;
      if (s.required && !ok && attrs.has(name)) continue; // set, but invalid: reported already
      if (s.required) {
        this.report(b.typeRange, `missing required attribute "${name}" in ${b.type}`, `${name}: ${s.description}`);
        ok = false;
      } else if (s.default !== undefined) out[name] = cloneDefault(s.default);
    }
    return ok ? inKeyOrder(out, Object.keys(schema.attributes)) : undefined;
  }

  private readLifecycle(b: Block, inst: Instance, out: Lifecycle): void {
    const kind = inst.resource.kind;
    for (const [name, attr] of this.attributesOf(b)) {
      if (name === 'ignore_changes') {
        // bare attribute names (as in Terraform) or strings
        const items = attr.value.kind === 'List' ? attr.value.items : undefined;
        if (!items) {
          this.report(attr.value.range, 'ignore_changes must be a list of attribute names: [comment, connection_limit]');
          continue;
        }
        for (const item of items) {
          let n: string | undefined;
          if (item.kind === 'Variable') n = item.name;
          else if (item.kind === 'Template' && item.parts.length === 1 && typeof item.parts[0] === 'string') n = item.parts[0];
          const attrs = Object.keys(kind.attributes).concat(Object.values(kind.blocks).flatMap((s) => (s.specKey ? [s.specKey] : [])));
          if (n === undefined) this.report(item.range, 'ignore_changes: expected an attribute name');
          else if (!attrs.includes(n)) this.report(item.range, `ignore_changes: ${inst.resource.type} has no attribute "${n}"`, didYouMean(n, attrs));
          else out.ignore_changes.push(n);
        }
        continue;
      }
      if (!(lifecycleAttributes as readonly string[]).includes(name)) {
        this.report(attr.nameRange, `unknown attribute "${name}" in lifecycle`, didYouMean(name, lifecycleAttributes) ?? `lifecycle has: ${lifecycleAttributes.join(', ')}`);
        continue;
      }
      const v = this.evalAttribute(attr, inst.scope);
      if (v === FAILED) continue;
      if (name === 'prevent_destroy') {
        const c = convert(v, { t: 'bool' });
        if (!c.ok || typeof c.value !== 'boolean') this.report(attr.value.range, `prevent_destroy: expected bool, got ${typeOfValue(v)}`);
        else out.prevent_destroy = c.value;
      } else {
        if (typeof v !== 'string' || !(deletionPolicies as readonly string[]).includes(v)) {
          this.report(attr.value.range, `deletion_policy: invalid value ${typeof v === 'string' ? `"${v}"` : typeOfValue(v)}, expected one of: "delete", "orphan"`, typeof v === 'string' ? didYouMean(v, deletionPolicies) : undefined);
        } else out.deletion_policy = v as Lifecycle['deletion_policy'];
      }
    }
  }

  // ── the whole configuration ───────────────────────────────────────────────────────────
  run(): EvaluateResult {
    this.collect();
    this.resolveVariables();
    for (const name of this.locals.keys()) {
      try {
        this.local(name, this.locals.get(name)!.attr.nameRange, { where: 'local' });
      } catch (err) {
        if (!(err instanceof EvalFailure)) throw err;
        if (err.diagnostic.message) this.push(err.diagnostic);
      }
    }

    let stack = this.options.defaultStack;
    let stackMode: Configuration['stackMode'] = 'enforce';
    if (this.stackBlock) {
      stack = this.stackBlock.labels[0]!;
      for (const b of this.stackBlock.body.blocks) this.report(b.typeRange, `unexpected block "${b.type}" in stack`);
      for (const [name, attr] of this.attributesOf(this.stackBlock)) {
        if (name !== 'mode') {
          this.report(attr.nameRange, `unknown attribute "${name}" in stack`, didYouMean(name, ['mode']) ?? 'stack has: mode');
          continue;
        }
        const v = this.evalAttribute(attr, { where: 'stack' });
        if (v === FAILED) continue;
        if (v !== 'enforce' && v !== 'observe') {
          this.report(attr.value.range, `mode: invalid value ${typeof v === 'string' ? `"${v}"` : typeOfValue(v)}, expected one of: "enforce", "observe"`, typeof v === 'string' ? didYouMean(v, ['enforce', 'observe']) : undefined);
        } else stackMode = v;
      }
      if (!/^[A-Za-z0-9_.-]+$/.test(stack)) this.report(this.stackBlock.typeRange, `invalid stack name "${stack}"`, 'use letters, digits, ".", "_" and "-"');
    }

    const providers: ProviderBlock[] = [];
    for (const [name, block] of this.providerBlocks) {
      const p: ProviderBlock = { name, range: block.range };
      for (const [attrName, attr] of this.attributesOf(block)) {
        if (attrName !== 'url') {
          this.report(attr.nameRange, `unknown attribute "${attrName}" in provider`, didYouMean(attrName, ['url']) ?? 'provider has: url');
          continue;
        }
        const v = this.evalAttribute(attr, { where: 'provider' });
        if (v === FAILED) continue;
        const u = unwrap(v).value;
        if (u === UNKNOWN) this.report(attr.value.range, 'url must be known before apply');
        else if (u !== null && typeof u !== 'string') this.report(attr.value.range, `url: expected string, got ${typeOfValue(u)}`);
        else if (u) p.url = u;
      }
      providers.push(p);
    }

    const providerNames = new Set(this.providerBlocks.keys());
    const resources: ResourceInstance[] = [];
    const blockOf = new Map<ResourceInstance, ResourceBlock>();
    for (const r of this.resources) {
      const instances = this.expand(r);
      if (!instances) continue;
      for (const inst of instances.values()) {
        const built = this.buildInstance(inst, providerNames);
        if (built) {
          resources.push(built);
          blockOf.set(built, r);
        }
      }
    }
    this.checkNames(resources);
    if (this.errors === 0) this.checkNamesWrittenAsStrings(resources, blockOf);

    const outputs: OutputValue[] = [];
    for (const block of this.outputBlocks) {
      const out = this.buildOutput(block);
      if (out) outputs.push(out);
    }

    // diagnostics raised twice for one place (a shared attribute read by several instances) once
    const seen = new Set<string>();
    const diagnostics = this.diagnostics.filter((d) => {
      const key = `${d.range?.file}:${d.range?.start.offset}:${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const failed = diagnostics.some((d) => d.severity === 'error');
    return {
      diagnostics,
      ...(failed ? {} : { config: { dir: this.options.dir, stack, stackMode, providers, resources, outputs } }),
    };
  }

  private buildOutput(block: Block): OutputValue | undefined {
    const attrs = this.attributesOf(block);
    let sensitive = false;
    let value: EvalValue | typeof FAILED = null;
    for (const [name, attr] of attrs) {
      if (name === 'value') value = this.evalAttribute(attr, { where: 'output', deps: new Set() });
      else if (name === 'sensitive') {
        const v = this.evalAttribute(attr, { where: 'output' });
        if (v !== FAILED && typeof v !== 'boolean') this.report(attr.value.range, `sensitive: expected bool, got ${typeOfValue(v)}`);
        sensitive = v === true;
      } else if (name === 'description') {
        this.evalAttribute(attr, { where: 'output' });
      } else this.report(attr.nameRange, `unknown attribute "${name}" in output`, didYouMean(name, ['value', 'sensitive', 'description']));
    }
    if (!attrs.has('value')) {
      this.report(block.typeRange, `missing required attribute "value" in output "${block.labels[0]}"`);
      return undefined;
    }
    if (value === FAILED) return undefined;
    if (!sensitive && containsSensitive(value)) {
      this.report(attrs.get('value')!.value.range, `output "${block.labels[0]}" contains a sensitive value`, 'mark it sensitive = true: it is then shown only with xp output --json');
      return undefined;
    }
    return { name: block.labels[0]!, value: toPlain(value), sensitive, range: block.range };
  }

  /**
   * `database = "saas"` where `database "saas" {}` is managed here: without the reference
   * there is no dependency, so nothing makes the database exist first. Warn, pointing at it.
   */
  private checkNamesWrittenAsStrings(resources: ResourceInstance[], blockOf: Map<ResourceInstance, ResourceBlock>): void {
    const managed = { database: new Map<string, ResourceInstance[]>(), role: new Map<string, ResourceInstance[]>() };
    for (const r of resources) {
      const ns = kindByType(r.type)!.namespace;
      if (ns !== 'database' && ns !== 'role') continue;
      const list = managed[ns].get(r.name);
      if (list) list.push(r);
      else managed[ns].set(r.name, [r]);
    }
    const reported = new Set<string>();
    const checkOne = (r: ResourceInstance, ns: 'database' | 'role', name: Value, range: SourceRange) => {
      if (typeof name !== 'string') return;
      const target = managed[ns].get(name)?.find((t) => t.provider === r.provider);
      if (!target || target === r || r.dependsOn.includes(target.address)) return;
      const key = `${range.start.offset}:${target.address}`;
      if (reported.has(key)) return;
      reported.add(key);
      this.push({
        severity: 'warning',
        message: `"${name}" is managed here as ${target.address}, but written as a string: nothing makes it exist first`,
        range,
        hint: `refer to it as ${target.address} to depend on it`,
      });
    };
    const check = (r: ResourceInstance, ns: 'database' | 'role', value: Value, range: SourceRange) => {
      if (Array.isArray(value)) for (const v of value) checkOne(r, ns, v, range);
      else checkOne(r, ns, value, range);
    };
    for (const r of resources) {
      const block = blockOf.get(r)!;
      const names = nameAttributes(block.kind);
      for (const [name, ns] of names.attributes) {
        const v = r.spec[name];
        if (v === undefined || v === null) continue;
        const attr = block.attrs.get(name);
        if (attr) check(r, ns, v, attr.value.range);
      }
      for (const [type, specKey, attrs] of names.blocks) {
        const items = r.spec[specKey];
        if (!Array.isArray(items) || items.length === 0) continue;
        let i = 0;
        for (const b of block.block.body.blocks) {
          if (b.type !== type) continue;
          const item = items[i++];
          if (typeof item !== 'object' || item === null || Array.isArray(item)) continue;
          for (const [name, ns] of attrs) {
            const v = (item as Record<string, Value>)[name];
            if (v === undefined || v === null) continue;
            const attr = b.body.attributes.find((a) => a.name === name);
            if (attr) check(r, ns, v, attr.value.range);
          }
        }
      }
    }
  }

  /** Two resources may not manage the same PostgreSQL object. */
  private checkNames(resources: ResourceInstance[]): void {
    // (provider, namespace, database) → name → resource; nested maps, no key strings to build
    const scopes = new Map<string, Map<string, Map<string, Map<string, ResourceInstance>>>>();
    const level = <V,>(m: Map<string, V>, k: string, make: () => V): V => {
      let v = m.get(k);
      if (v === undefined) m.set(k, (v = make()));
      return v;
    };
    for (const r of resources) {
      const kind = kindByType(r.type)!;
      const db = kind.perDatabase ? String(r.spec['database'] ?? '') : '';
      const names = level(level(level(scopes, r.provider, () => new Map()), kind.namespace, () => new Map()), db, () => new Map<string, ResourceInstance>());
      const prev = names.get(r.name);
      if (prev) {
        this.report(
          r.range,
          `${r.address} and ${prev.address} both manage the ${kind.namespace} "${r.name}"${db ? ` in database "${db}"` : ''}`,
          `${prev.address} is at ${where(prev.range)}; set a distinct name = "…"`,
        );
      } else names.set(r.name, r);
    }
  }

}

const NOT_A_ROOT = Symbol('not a root');
const EMPTY_SET: Set<string> = new Set();

/** Stops an evaluation whose cause has already been reported (a failed variable or local). */
function alreadyReported(): EvalFailure {
  return new EvalFailure({ severity: 'error', message: '' });
}

const keyOrders = new WeakMap<KindDefinition, string[]>();
const entryCache = new WeakMap<Record<string, AttributeSchema>, [string, AttributeSchema][]>();

/** Object.entries of a schema's attributes, computed once (it runs for every instance). */
function entriesOf(attributes: Record<string, AttributeSchema>): [string, AttributeSchema][] {
  let entries = entryCache.get(attributes);
  if (!entries) entryCache.set(attributes, (entries = Object.entries(attributes)));
  return entries;
}

interface NameAttributes {
  attributes: [string, 'database' | 'role'][];
  blocks: [string, string, [string, 'database' | 'role'][]][];
}
const nameAttributeCache = new WeakMap<KindDefinition, NameAttributes>();

/** The attributes of a kind (and of its blocks) that name a database or a role. */
function nameAttributes(kind: KindDefinition): NameAttributes {
  let out = nameAttributeCache.get(kind);
  if (!out) {
    const of = (attrs: Record<string, AttributeSchema>) =>
      Object.entries(attrs).flatMap(([name, a]): [string, 'database' | 'role'][] =>
        a.references?.includes('database') ? [[name, 'database']] : a.references?.includes('role') ? [[name, 'role']] : [],
      );
    out = {
      attributes: of(kind.attributes),
      blocks: Object.entries(kind.blocks).flatMap(([type, b]): [string, string, [string, 'database' | 'role'][]][] =>
        b.specKey ? [[type, b.specKey, of(b.attributes)]] : [],
      ),
    };
    nameAttributeCache.set(kind, out);
  }
  return out;
}

/** The keys of a kind's spec in order: its attributes, then the keys its blocks compile to. */
function specKeyOrder(kind: KindDefinition): string[] {
  let order = keyOrders.get(kind);
  if (!order) {
    order = [...Object.keys(kind.attributes), ...Object.values(kind.blocks).flatMap((b) => (b.specKey ? [b.specKey] : []))];
    keyOrders.set(kind, order);
  }
  return order;
}

/** The strings of a set, sorted; insertion sort for the usual handful (Array#sort allocates). */
function sortedStrings(set: Set<string>): string[] {
  const out = Array.from(set);
  if (out.length > 16) return out.sort();
  for (let i = 1; i < out.length; i++) {
    const x = out[i]!;
    let j = i - 1;
    while (j >= 0 && out[j]! > x) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = x;
  }
  return out;
}

/** A fresh copy of a default (defaults are scalars, [] or flat {}); structuredClone is slow at 100k calls. */
function cloneDefault(v: Value): Value {
  if (Array.isArray(v)) return [...v];
  if (v !== null && typeof v === 'object' && !(v instanceof Sensitive)) return { ...v };
  return v;
}

/** The spec with its keys in the kind's order (stable, readable JSON). */
function inKeyOrder(spec: Record<string, Value>, order: string[]): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const k of order) if (k in spec) out[k] = spec[k]!;
  for (const k of Object.keys(spec)) if (!(k in out)) out[k] = spec[k]!;
  return out;
}

function where(range: SourceRange): string {
  return `${range.file}:${range.start.line}:${range.start.column}`;
}

/** The ASTs of a configuration's files → its resource instances, or diagnostics. */
export function evaluate(files: readonly File[], options: EvaluateOptions): EvaluateResult {
  return new Evaluator(files, options).run();
}


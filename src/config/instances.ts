// Resources and their instances: the resource blocks of a configuration, their expansion by
// for_each or count into instances, references to them (`role.x`, `schema.t["a"]`, recorded as
// dependencies), and the building of each instance's ResourceInstance: its attributes, nested
// blocks and lifecycle, checked against its kind (src/kinds) by checks.ts.
import type { Block, Expression } from '../dsl/ast.js';
import type { SourceRange } from '../dsl/diagnostics.js';
import {
  deletionPolicies,
  kindByType,
  lifecycleAttributes,
  metaArguments,
  metaBlocks,
  type AttributeSchema,
  type BlockSchema,
  type KindDefinition,
} from '../kinds/index.js';
import { identifierProblem } from '../kinds/domains.js';
import { reservedRoleName } from '../kinds/role-names.js';
import type { ConnectionSecret, Lifecycle, ResourceInstance, ResourceType, Value } from '../model/types.js';
import { STRING } from '../model/type-spec.js';
import { checkAttribute, nestedSources, reportProblem, SecretFiles } from './checks.js';
import { checkResourceConditions, isLifecycleCondition, resourceConditions } from './conditions.js';
import { BUSY, FAILED, attributesOf, fail, type AttributesByName, failStatic, where, type DiagnosticSink, type EvalContext, type Scope } from './context.js';
import { nestedBlocks } from './dynamic.js';
import { expansionKeys } from './expansion.js';
import { evalAttribute, evalExpr } from './expressions.js';
import { keySuffix } from '../model/address.js';
import { didYouMean } from './suggest.js';
import { convert } from './type-constraints.js';
import {
  ResourceGroup,
  ResourceRef,
  Sensitive,
  UNKNOWN,
  toPlain,
  typeOfValue,
  unwrap,
  wrap,
  type EvalValue,
  type InstanceHandle,
} from './values.js';

/** One instance of a resource block, as references see it: its name and attributes, evaluated on demand. */
export class Instance implements InstanceHandle {
  readonly deps = new Set<string>();
  /** A plain object, not a Map: instances of one kind share its hidden class, and it is cheaper to allocate. */
  readonly memo: Record<string, EvalValue | typeof BUSY | typeof FAILED> = {};
  private nameMemo: string | typeof UNKNOWN | typeof BUSY | undefined;

  constructor(
    readonly resource: ResourceBlock,
    readonly address: string,
    readonly scope: Scope,
    private readonly ctx: EvalContext,
  ) {}

  get type(): ResourceType {
    return this.resource.type;
  }

  name(): string | typeof UNKNOWN {
    if (this.nameMemo === BUSY) {
      const attr = this.resource.attrs.get('name')!;
      this.ctx.diagnostics.report(attr.value.range, `the name of ${this.address} refers to itself`);
      return UNKNOWN;
    }
    if (this.nameMemo !== undefined) return this.nameMemo;
    const attr = this.resource.attrs.get('name');
    if (!attr) {
      // a label is ASCII: only its length can be wrong
      const fromLabel = this.resource.label.replace(/-/g, '_');
      const problem = identifierProblem(fromLabel);
      if (problem === undefined) return (this.nameMemo = fromLabel);
      this.ctx.diagnostics.report(this.resource.block.typeRange, `the name "${fromLabel}" (from the label) ${problem}`, 'set a shorter name with name = "…"');
      return (this.nameMemo = UNKNOWN);
    }
    this.nameMemo = BUSY;
    let result: string | typeof UNKNOWN = UNKNOWN;
    const v = evalAttribute(attr, this.scope, this.ctx);
    if (v !== FAILED) {
      const { value, sensitive } = unwrap(v);
      const s = convert(value, STRING);
      if (sensitive) this.ctx.diagnostics.report(attr.value.range, 'a name must not be sensitive');
      else if (value === UNKNOWN || (s.ok && s.value === UNKNOWN))
        this.ctx.diagnostics.report(attr.value.range, 'the name must be known before apply', 'a name cannot depend on a value known only after apply');
      else if (!s.ok || typeof s.value !== 'string') this.ctx.diagnostics.report(attr.value.range, `name: expected string, got ${typeOfValue(value)}`);
      else if (identifierProblem(s.value) !== undefined) this.ctx.diagnostics.report(attr.value.range, `name ${identifierProblem(s.value)}`);
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
    const v = evalAttribute(attr, this.scope, this.ctx);
    this.memo[name] = v;
    return v;
  }
}

/** The lifecycle of a resource without a lifecycle block: one object for all of them (frozen: nothing changes it). */
const DEFAULT_LIFECYCLE: Lifecycle = Object.freeze({ prevent_destroy: false, deletion_policy: 'delete', ignore_changes: Object.freeze([]) as unknown as string[] });

/** The instances Resources.expand gave, in order. */
export function instancesOf(expansion: Instance | Map<string | number, Instance>): Iterable<Instance> {
  return expansion instanceof Instance ? [expansion] : expansion.values();
}

/** A resource block as declared, and its instances once expanded. */
export interface ResourceBlock {
  type: ResourceType;
  label: string;
  address: string;
  kind: KindDefinition;
  block: Block;
  attrs: AttributesByName;
  mode: 'single' | 'for_each' | 'count';
  /** The one Instance of a block without for_each or count, else its instances by key or index. */
  expansion?: Instance | Map<string | number, Instance> | typeof BUSY | typeof FAILED;
}

/** The resource blocks of a configuration, by type and label, and their instances. */
export class Resources {
  /** In source order. */
  readonly blocks: ResourceBlock[] = [];
  /** By type then label. */
  private readonly byType = new Map<string, Map<string, ResourceBlock>>();
  private readonly diagnostics: DiagnosticSink;

  constructor(
    private readonly ctx: EvalContext,
    /** connection_secret files: which instance writes each (one for a configuration and its modules). */
    private readonly secretFiles: SecretFiles,
    /** `module.NAME[KEY].` inside a module instance: its resources' addresses start with it. */
    private readonly prefix = '',
  ) {
    this.diagnostics = ctx.diagnostics;
  }

  /** A resource block of the configuration (a duplicate or a bad label is reported). */
  add(type: ResourceType, label: string, block: Block): void {
    const address = `${this.prefix}${type}.${label}`;
    const prev = this.byType.get(type)?.get(label);
    if (prev) {
      this.diagnostics.report(block.typeRange, `duplicate resource ${address}`, `first defined at ${where(prev.block.typeRange)}`);
      return;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(label)) {
      this.diagnostics.report(block.typeRange, `invalid resource label "${label}"`, 'a label is a name: letters, digits, "_" and "-", not starting with a digit (set `name = "…"` for any PostgreSQL name)');
      return;
    }
    const resource: ResourceBlock = {
      type,
      label,
      address,
      kind: kindByType(type)!,
      block,
      attrs: attributesOf(block, this.diagnostics),
      mode: 'single',
    };
    this.blocks.push(resource);
    let byLabel = this.byType.get(type);
    if (!byLabel) this.byType.set(type, (byLabel = new Map<string, ResourceBlock>()));
    byLabel.set(label, resource);
  }

  /**
   * The instances of a resource block, once: its one Instance when it has neither for_each nor
   * count (most blocks: no map to hold it), else a map by for_each key or count index;
   * undefined when they cannot be known.
   */
  expand(r: ResourceBlock): Instance | Map<string | number, Instance> | undefined {
    if (r.expansion === BUSY) {
      this.diagnostics.report(r.block.typeRange, `the for_each or count of ${r.address} refers to ${r.address} itself`);
      r.expansion = FAILED;
      return undefined;
    }
    if (r.expansion === FAILED) return undefined;
    if (r.expansion) return r.expansion;
    const forEach = r.attrs.get('for_each');
    const count = r.attrs.get('count');
    if (!forEach && !count) {
      const inst = new Instance(r, r.address, { where: 'resource', deps: undefined }, this.ctx);
      inst.scope.deps = inst.deps;
      return (r.expansion = inst);
    }
    r.expansion = BUSY;
    const out = new Map<string | number, Instance>();
    // what for_each / count refer to, given to every instance
    const blockDeps = new Set<string>();
    const base: Scope = { where: 'resource', deps: blockDeps };
    const make = (address: string, scope: Scope) => {
      const inst = new Instance(r, address, { ...scope, deps: undefined }, this.ctx);
      inst.scope.deps = inst.deps;
      return inst;
    };
    if (forEach && count) {
      this.diagnostics.report(count.nameRange, `${r.address} sets both for_each and count`, 'use one of them');
      r.expansion = FAILED;
      return undefined;
    }
    const expanded = expansionKeys(forEach, count, base, this.ctx, 'resource');
    if (!expanded) return this.expansionFailed(r);
    r.mode = expanded.mode;
    for (const { key, scope } of expanded.keys) out.set(key, make(`${r.address}${keySuffix(key)}`, scope));
    if (blockDeps.size > 0) for (const inst of out.values()) for (const d of blockDeps) inst.deps.add(d);
    r.expansion = out;
    return out;
  }

  private expansionFailed(r: ResourceBlock): undefined {
    r.expansion = FAILED;
    return undefined;
  }

  /** `type.label` in an expression: one instance, or the group of them. Records the dependency. */
  reference(type: ResourceType, label: string, range: SourceRange, scope: Scope, indexExpr?: Expression): EvalValue {
    // looked up by type then label: no address string to build and hash for every reference
    const r = this.byType.get(type)?.get(label);
    if (!r) {
      const address = `${type}.${label}`;
      const same = [...(this.byType.get(type)?.keys() ?? [])];
      failStatic(range, `reference to undeclared resource ${address}`, didYouMean(label, same) ?? `declare it: ${type} "${label}" { … }`);
    }
    const address = r.address;
    if (!scope.deps) {
      fail(range, `a ${scope.where === 'variable' ? 'variable default' : scope.where} cannot refer to a resource`, 'resources can be referred to from resources, locals and outputs');
    }
    const instances = this.expand(r);
    if (!instances) {
      scope.deps.add(address);
      return UNKNOWN;
    }
    if (instances instanceof Instance) {
      const inst = instances;
      if (indexExpr) fail(indexExpr.range, `${address} has neither for_each nor count: it cannot be indexed`);
      scope.deps.add(inst.address);
      return new ResourceRef(inst);
    }
    if (indexExpr) {
      const k = unwrap(evalExpr(indexExpr, scope, this.ctx)).value;
      if (k === UNKNOWN) {
        for (const inst of instances.values()) scope.deps.add(inst.address);
        return UNKNOWN;
      }
      const key = r.mode === 'count' ? convert(k, { t: 'number' }) : convert(k, STRING);
      const inst = key.ok ? instances.get(key.value as string | number) : undefined;
      if (!inst) {
        const keys = [...instances.keys()].map((x) => JSON.stringify(x));
        fail(
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
    return new ResourceGroup(address, r.mode as 'for_each' | 'count', refs); // a map: for_each's or count's
  }

  /** The ResourceInstance of one instance: its spec checked against its kind, its provider, lifecycle and dependencies. */
  build(inst: Instance, providers: Set<string>, onlyProvider = providers.size === 1 ? [...providers][0]! : undefined): ResourceInstance | undefined {
    const r = inst.resource;
    const kind = r.kind;
    const errorsBefore = this.diagnostics.errors;
    const conditions = resourceConditions(r.block, this.ctx);
    if (conditions && !checkResourceConditions(conditions.pre, inst.address, inst.scope, this.ctx)) return undefined;
    const spec: Record<string, Value> = {};
    for (const attr of r.block.body.attributes) {
      const name = attr.name;
      if (r.attrs.get(name) !== attr) continue; // set twice: reported by attributesOf
      if ((metaArguments as readonly string[]).includes(name)) continue;
      const schema = kind.attributes[name];
      if (!schema) {
        const known = [...Object.keys(kind.attributes), ...metaArguments];
        this.diagnostics.report(attr.nameRange, `unknown attribute "${name}" in ${r.type}`, didYouMean(name, known) ?? `${r.type} has: ${known.join(', ')}`);
        continue;
      }
      const v = inst.attributeValue(name);
      if (v === FAILED) continue;
      const checked = checkAttribute(name, schema, v, attr.value.range, this.diagnostics);
      if (checked !== undefined) spec[name] = checked;
    }
    // depends_on: references only; evaluating them records the dependencies
    const dependsOn = r.attrs.get('depends_on');
    if (dependsOn) {
      if (dependsOn.value.kind !== 'List') this.diagnostics.report(dependsOn.value.range, 'depends_on must be a list of resources or modules: [role.x, module.y]');
      else {
        for (const item of dependsOn.value.items) {
          try {
            if (this.ctx.resolver.dependsOnModule?.(item, inst.deps)) continue;
            const v = evalExpr(item, inst.scope, this.ctx);
            if (!(v instanceof ResourceRef) && !(v instanceof ResourceGroup) && v !== UNKNOWN) {
              this.diagnostics.report(item.range, `depends_on: expected a resource (role.x), got ${typeOfValue(v)}`);
            }
          } catch (err) {
            this.diagnostics.caught(err);
          }
        }
      }
    }
    // without provider = …: the only provider block, else the one named "default", else the
    // default connection (LANGUAGE.md: "without any, the default connection is used")
    let provider = onlyProvider ?? 'default';
    const providerAttr = r.attrs.get('provider');
    if (providerAttr) {
      const p = providerAttr.value;
      if (p.kind === 'GetAttr' && p.object.kind === 'Variable' && p.object.name === 'provider') {
        if (!providers.has(p.name)) this.diagnostics.report(p.range, `unknown provider "${p.name}"`, didYouMean(p.name, providers) ?? `declare it: provider "${p.name}" { url = … }`);
        else provider = p.name;
      } else this.diagnostics.report(p.range, 'provider must be a reference to a provider block: provider.NAME');
    }
    let lifecycle = DEFAULT_LIFECYCLE; // a block of its own: read below
    let connectionSecret: ConnectionSecret | undefined;
    const blockCounts: Record<string, number> = {};
    const nested = nestedBlocks(r.block, inst.scope, this.ctx);
    for (const { block: b, scope } of nested) {
      const n = (blockCounts[b.type] ?? 0) + 1;
      blockCounts[b.type] = n;
      if (b.labels.length > 0) this.diagnostics.report(b.typeRange, `a ${b.type} block takes no label`);
      for (const nested of b.body.blocks) {
        if (b.type === 'lifecycle' && isLifecycleCondition(nested.type)) continue;
        this.diagnostics.report(nested.typeRange, `unexpected block "${nested.type}" in ${b.type}`, b.type === 'lifecycle' ? didYouMean(nested.type, ['precondition', 'postcondition']) : undefined);
      }
      if (b.type === 'lifecycle') {
        if (n > 1) this.diagnostics.report(b.typeRange, 'only one lifecycle block is allowed');
        else this.readLifecycle(b, inst, (lifecycle = { ...DEFAULT_LIFECYCLE, ignore_changes: [] }));
        continue;
      }
      const schema = kind.blocks[b.type];
      if (!schema) {
        const candidates = [...Object.keys(kind.blocks), ...metaBlocks];
        this.diagnostics.report(b.typeRange, `unknown block "${b.type}" in ${r.type}`, didYouMean(b.type, candidates) ?? (candidates.length ? `${r.type} has blocks: ${candidates.join(', ')}` : undefined));
        continue;
      }
      if (!schema.multiple && n > 1) {
        this.diagnostics.report(b.typeRange, `only one ${b.type} block is allowed`);
        continue;
      }
      const obj = this.readNestedBlock(b, schema, scope);
      if (!obj) continue;
      if (schema.specKey) {
        const list = (spec[schema.specKey] ??= []) as Value[];
        list.push(obj);
      } else if (b.type === 'connection_secret') {
        if (typeof obj['path'] === 'string') {
          connectionSecret = { path: obj['path'], format: obj['format'] as ConnectionSecret['format'] };
          this.secretFiles.check(connectionSecret.path, inst.address, b.body.attributes.find((a) => a.name === 'path')?.value.range ?? b.typeRange);
        } else if (obj['path'] !== undefined) this.diagnostics.report(b.typeRange, 'connection_secret: path must be known before apply');
      }
    }
    // indexed loops, no destructuring: they run for every attribute of every instance
    const entries = entriesOf(kind.attributes);
    for (let i = 0; i < entries.length; i++) {
      const name = entries[i]![0];
      const schema = entries[i]![1];
      if (spec[name] !== undefined && spec[name] !== null) continue;
      if (schema.required) {
        this.diagnostics.report(r.block.typeRange, `missing required attribute "${name}" in ${inst.address}`, `${name}: ${schema.description}`);
      } else if (schema.default !== undefined && schema.unobserved === undefined) {
        spec[name] = cloneDefault(schema.default);
      } else if (spec[name] === null) delete spec[name];
    }
    if (kind.finalize) {
      for (const p of kind.finalize(spec)) reportProblem(p, r.block, this.diagnostics, nested.map((x) => x.block));
    }
    if (this.diagnostics.errors > errorsBefore) return undefined;
    const name = inst.name();
    if (name === UNKNOWN) return undefined;
    const reserved = kind.namespace === 'role' ? reservedRoleName(name) : undefined;
    if (reserved) {
      this.diagnostics.report(r.attrs.get('name')?.value.range ?? r.block.typeRange, reserved.message, reserved.hint);
      return undefined;
    }
    if (conditions && !checkResourceConditions(conditions.post, inst.address, inst.scope, this.ctx, new ResourceRef(inst))) return undefined;
    const built: ResourceInstance = {
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
    if (!sameBlocks(nested, r.block.body.blocks)) nestedSources.set(built, nested.map((x) => x.block));
    return built;
  }

  /** The object of one nested block (grant, connection_secret): its attributes checked against the block's schema. */
  private readNestedBlock(b: Block, schema: BlockSchema, scope: Scope): Record<string, Value> | undefined {
    const out: Record<string, Value> = {};
    let ok = true;
    const attrs = attributesOf(b, this.diagnostics);
    for (const attr of b.body.attributes) {
      const name = attr.name;
      if (attrs.get(name) !== attr) continue; // set twice: reported by attributesOf
      const s = schema.attributes[name];
      if (!s) {
        const names = Object.keys(schema.attributes);
        this.diagnostics.report(attr.nameRange, `unknown attribute "${name}" in ${b.type}`, didYouMean(name, names) ?? `${b.type} has: ${names.join(', ')}`);
        ok = false;
        continue;
      }
      const v = evalAttribute(attr, scope, this.ctx);
      if (v === FAILED) {
        ok = false;
        continue;
      }
      const checked = checkAttribute(name, s, v, attr.value.range, this.diagnostics);
      if (checked === undefined) ok = false;
      else out[name] = checked;
    }
    const entries = entriesOf(schema.attributes);
    for (let i = 0; i < entries.length; i++) {
      const name = entries[i]![0];
      const s = entries[i]![1];
      if (out[name] !== undefined && out[name] !== null) continue;
      if (s.required && !ok && attrs.has(name)) continue; // set, but invalid: reported already
      if (s.required) {
        this.diagnostics.report(b.typeRange, `missing required attribute "${name}" in ${b.type}`, `${name}: ${s.description}`);
        ok = false;
      } else if (s.default !== undefined) out[name] = cloneDefault(s.default);
    }
    return ok ? inKeyOrder(out, Object.keys(schema.attributes)) : undefined;
  }

  private readLifecycle(b: Block, inst: Instance, out: Lifecycle): void {
    const kind = inst.resource.kind;
    for (const [name, attr] of attributesOf(b, this.diagnostics)) {
      if (name === 'ignore_changes') {
        // bare attribute names (as in Terraform) or strings
        const items = attr.value.kind === 'List' ? attr.value.items : undefined;
        if (!items) {
          this.diagnostics.report(attr.value.range, 'ignore_changes must be a list of attribute names: [comment, connection_limit]');
          continue;
        }
        for (const item of items) {
          let n: string | undefined;
          if (item.kind === 'Variable') n = item.name;
          else if (item.kind === 'Template' && item.parts.length === 1 && typeof item.parts[0] === 'string') n = item.parts[0];
          const attrs = Object.keys(kind.attributes).concat(Object.values(kind.blocks).flatMap((s) => (s.specKey ? [s.specKey] : [])));
          if (n === undefined) this.diagnostics.report(item.range, 'ignore_changes: expected an attribute name');
          else if (!attrs.includes(n)) this.diagnostics.report(item.range, `ignore_changes: ${inst.resource.type} has no attribute "${n}"`, didYouMean(n, attrs));
          else out.ignore_changes.push(n);
        }
        continue;
      }
      if (!(lifecycleAttributes as readonly string[]).includes(name)) {
        this.diagnostics.report(attr.nameRange, `unknown attribute "${name}" in lifecycle`, didYouMean(name, lifecycleAttributes) ?? `lifecycle has: ${lifecycleAttributes.join(', ')}`);
        continue;
      }
      const v = evalAttribute(attr, inst.scope, this.ctx);
      if (v === FAILED) continue;
      if (name === 'prevent_destroy') {
        const c = convert(v, { t: 'bool' });
        if (!c.ok || typeof c.value !== 'boolean') this.diagnostics.report(attr.value.range, `prevent_destroy: expected bool, got ${typeOfValue(v)}`);
        else out.prevent_destroy = c.value;
      } else {
        if (typeof v !== 'string' || !(deletionPolicies as readonly string[]).includes(v)) {
          this.diagnostics.report(attr.value.range, `deletion_policy: invalid value ${typeof v === 'string' ? `"${v}"` : typeOfValue(v)}, expected one of: "delete", "orphan"`, typeof v === 'string' ? didYouMean(v, deletionPolicies) : undefined);
        } else out.deletion_policy = v as Lifecycle['deletion_policy'];
      }
    }
  }
}

const keyOrders = new WeakMap<KindDefinition, string[]>();
const entryCache = new WeakMap<Record<string, AttributeSchema>, [string, AttributeSchema][]>();

/** Object.entries of a schema's attributes, computed once (it runs for every instance). */
function entriesOf(attributes: Record<string, AttributeSchema>): [string, AttributeSchema][] {
  let entries = entryCache.get(attributes);
  if (!entries) entryCache.set(attributes, (entries = Object.entries(attributes)));
  return entries;
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

/** Are the nested blocks the block's own, in order (no dynamic block)? */
function sameBlocks(nested: readonly { block: Block }[], blocks: readonly Block[]): boolean {
  if (nested.length !== blocks.length) return false;
  for (let i = 0; i < blocks.length; i++) if (nested[i]!.block !== blocks[i]) return false;
  return true;
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
  for (let i = 0; i < order.length; i++) {
    const k = order[i]!;
    if (k in spec) out[k] = spec[k]!;
  }
  for (const k in spec) if (!(k in out)) out[k] = spec[k]!;
  return out;
}

// Checks and validation: an attribute's value against its kind's schema (type, references,
// enum, the values PostgreSQL can hold), a kind's own problems placed at the attribute they are
// about, connection_secret files, and the checks across the whole configuration (two
// resources managing one PostgreSQL object; a managed name written as a string).
import type { Block } from '../dsl/ast.js';
import type { SourceRange } from '../dsl/diagnostics.js';
import { kindByType, namingAttributes, type AttributeSchema, type KindDefinition, type SpecProblem } from '../kinds/index.js';
import { domainOf, valueProblem } from '../kinds/domains.js';
import type { ResourceInstance, Value } from '../model/types.js';
import { checkSecretPath, SecretPathError } from '../secrets/secret-file.js';
import { where, type AttributesByName, type DiagnosticSink } from './context.js';
import { didYouMean } from './suggest.js';
import { convert } from './type-constraints.js';
import { ResourceGroup, ResourceRef, deepUnwrap, toPlain, unwrap, wrap, type EvalValue } from './values.js';

/** The source block of each nested block of an instance made with dynamic blocks, in the
 * order of its spec's items (instances.ts fills it; without dynamic blocks there is no entry). */
export const nestedSources = new WeakMap<ResourceInstance, Block[]>();

/** A problem a kind found in a spec (its finalize), placed at the attribute or nested block it is about. */
export function reportProblem(p: SpecProblem, block: Block, diagnostics: DiagnosticSink, nestedBlocks: readonly Block[] = block.body.blocks): void {
  let range = block.typeRange;
  if (p.attribute) range = block.body.attributes.find((a) => a.name === p.attribute)?.range ?? range;
  if (p.block) {
    const nested = nestedBlocks.filter((b) => b.type === p.block!.type)[p.block.index];
    if (nested) {
      range = nested.typeRange;
      if (p.block.attribute) range = nested.body.attributes.find((a) => a.name === p.block!.attribute)?.value.range ?? range;
    }
  }
  diagnostics.report(range, p.message, p.hint);
}

/** Converts an attribute's value to its schema's type, checking references and enums. */
export function checkAttribute(name: string, schema: AttributeSchema, v: EvalValue, range: SourceRange, diagnostics: DiagnosticSink): Value | undefined {
  if (schema.references) {
    // the first reference to another type, in order (no list of the references is built)
    const types = schema.references;
    const { value } = unwrap(v);
    let wrong: ResourceRef | undefined;
    if (value instanceof ResourceRef) {
      if (!types.includes(value.instance.type)) wrong = value;
    } else if (value instanceof ResourceGroup) {
      for (const ref of value.instances.values()) {
        if (!types.includes(ref.instance.type)) {
          wrong = ref;
          break;
        }
      }
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length && !wrong; i++) {
        const x = value[i];
        if (x instanceof ResourceRef && !types.includes(x.instance.type)) wrong = x;
      }
    }
    if (wrong) {
      diagnostics.report(range, `${name}: expected a reference to ${types.map((t) => `a ${t}`).join(' or ')}, got ${wrong.instance.address}`);
      return undefined;
    }
  }
  const c = convert(v, schema.type);
  if (!c.ok) {
    diagnostics.report(range, `${name}: ${c.message}`);
    return undefined;
  }
  if (schema.enum) {
    const { value } = unwrap(c.value);
    if (typeof value === 'string') {
      const ok = schema.caseInsensitive ? schema.enum.some((x) => x.toLowerCase() === value.toLowerCase()) : schema.enum.includes(value);
      if (!ok) {
        diagnostics.report(range, `${name}: invalid value "${value}", expected one of: ${schema.enum.map((x) => `"${x}"`).join(', ')}`, didYouMean(value, schema.enum));
        return undefined;
      }
    }
  }
  const out = toPlain(c.value);
  const plain = deepUnwrap(out as EvalValue);
  const bad = valueProblem(domainOf(schema), plain.value, plain.sensitive || schema.sensitive === true, '', schema.keyDomain);
  if (bad) {
    diagnostics.report(range, `${name}${bad.path}: ${bad.problem}`);
    return undefined;
  }
  if (out === null) return null;
  return schema.sensitive ? wrap(out as EvalValue, true) as Value : out;
}

/**
 * A connection_secret path stays inside the configuration directory, through no symbolic
 * link (src/secrets/secret-file.ts, checked again when the file is written), and two
 * instances never share a file.
 */
export class SecretFiles {
  /** By path relative to the directory: which instance writes each. */
  private readonly byPath = new Map<string, string>();

  constructor(
    private readonly dir: string,
    private readonly diagnostics: DiagnosticSink,
  ) {}

  check(path: string, address: string, range: SourceRange): void {
    let relative: string;
    try {
      relative = checkSecretPath(this.dir, path).relative;
    } catch (err) {
      if (!(err instanceof SecretPathError)) throw err;
      this.diagnostics.report(range, err.message, err.hint);
      return;
    }
    const other = this.byPath.get(relative);
    if (other !== undefined && other !== address)
      this.diagnostics.report(range, `connection_secret path "${relative}" is also the connection secret of ${other}`, 'each service account needs its own file, e.g. "secrets/${each.key}.env"');
    else this.byPath.set(relative, address);
  }
}

/**
 * `database = "saas"` where `database "saas" {}` is managed here: without the reference
 * there is no dependency, so nothing makes the database exist first. Warn, pointing at it.
 */
export function checkNamesWrittenAsStrings(
  resources: ResourceInstance[],
  /** The block of each resource, at the same index. */
  blockOf: readonly { kind: KindDefinition; block: Block; attrs: AttributesByName }[],
  diagnostics: DiagnosticSink,
): void {
  const managed = { database: new Map<string, ResourceInstance[]>(), role: new Map<string, ResourceInstance[]>() };
  // indexed loops: one pass over every resource, run once (for-of allocated an iterator result per step until optimised)
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i]!;
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
    diagnostics.push({
      severity: 'warning',
      message: `"${name}" is managed here as ${target.address}, but written as a string: nothing makes it exist first`,
      range,
      hint: `refer to it as ${target.address} to depend on it`,
    });
  };
  const check = (r: ResourceInstance, ns: 'database' | 'role', value: Value, range: SourceRange) => {
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) checkOne(r, ns, value[i]!, range);
    else checkOne(r, ns, value, range);
  };
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i]!;
    const block = blockOf[i]!;
    const names = namingAttributes(r.kind);
    for (let a = 0; a < names.attributes.length; a++) {
      const { attr: name, namespace: ns } = names.attributes[a]!;
      if (ns === 'schema') continue;
      const v = r.spec[name];
      if (v === undefined || v === null) continue;
      const attr = block.attrs.get(name);
      if (attr) check(r, ns, v, attr.value.range);
    }
    for (let n = 0; n < names.blocks.length; n++) {
      const { type, specKey, attributes: attrs } = names.blocks[n]!;
      const items = r.spec[specKey];
      if (!Array.isArray(items) || items.length === 0) continue;
      let itemIndex = 0;
      const nested = nestedSources.get(r) ?? block.block.body.blocks;
      for (let k = 0; k < nested.length; k++) {
        const b = nested[k]!;
        if (b.type !== type) continue;
        const item = items[itemIndex++];
        if (typeof item !== 'object' || item === null || Array.isArray(item)) continue;
        for (let x = 0; x < attrs.length; x++) {
          const { attr: name, namespace: ns } = attrs[x]!;
          if (ns === 'schema') continue;
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
export function checkNames(resources: ResourceInstance[], diagnostics: DiagnosticSink): void {
  // (provider, namespace, database) → name → resource; nested maps, no key strings to build
  const scopes = new Map<string, Map<string, Map<string, Map<string, ResourceInstance>>>>();
  const level = <V,>(m: Map<string, V>, k: string, make: () => V): V => {
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = make()));
    return v;
  };
  for (const r of resources) {
    const kind = kindByType(r.type)!;
    const database = r.spec['database'];
    const db = kind.perDatabase && typeof database === 'string' ? database : '';
    const byNamespace = level(scopes, r.provider, () => new Map<string, Map<string, Map<string, ResourceInstance>>>());
    const names = level(level(byNamespace, kind.namespace, () => new Map<string, Map<string, ResourceInstance>>()), db, () => new Map<string, ResourceInstance>());
    const prev = names.get(r.name);
    if (prev) {
      diagnostics.report(
        r.range,
        `${r.address} and ${prev.address} both manage the ${kind.namespace} "${r.name}"${db ? ` in database "${db}"` : ''}`,
        `${prev.address} is at ${where(prev.range)}; set a distinct name = "…"`,
      );
    } else names.set(r.name, r);
  }
}


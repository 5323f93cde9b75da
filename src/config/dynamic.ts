// `dynamic "grant" { for_each = …, iterator = g, content { … } }`: the nested blocks of a
// resource block for one instance, with each dynamic block replaced by the blocks it makes,
// whatever their type (grant, connection_secret …). Used by the instances (instances.ts).
import type { Block } from '../dsl/ast.js';
import { metaBlocks } from '../kinds/index.js';
import { FAILED, attributesOf, type EvalContext, type Scope } from './context.js';
import { evalAttribute } from './expressions.js';
import { ResourceGroup, UNKNOWN, containsUnknown, expandGroup, isObject, typeOfValue, unwrap, wrap, type EvalValue } from './values.js';

/** A nested block and the scope its attributes are evaluated in. */
export interface NestedBlock {
  block: Block;
  scope: Scope;
}

/**
 * The nested blocks of a resource block for one instance, in order, each with the scope its
 * attributes are evaluated in: a `dynamic "grant" { for_each = …, iterator = g, content { … } }`
 * block is replaced by one grant block per element of its for_each (with `g.key` and
 * `g.value` in scope), whatever the type of the blocks it makes.
 */
export function nestedBlocks(block: Block, scope: Scope, ctx: EvalContext): NestedBlock[] {
  const out: NestedBlock[] = [];
  for (const b of block.body.blocks) {
    if (b.type !== 'dynamic') out.push({ block: b, scope });
    else expandDynamic(b, scope, ctx, out);
  }
  return out;
}

function expandDynamic(d: Block, scope: Scope, ctx: EvalContext, out: NestedBlock[]): void {
  if (d.labels.length !== 1) {
    ctx.diagnostics.report(d.typeRange, 'a dynamic block takes one label, the type of the blocks it makes: dynamic "grant" { … }');
    return;
  }
  const type = d.labels[0]!;
  if ((metaBlocks as readonly string[]).includes(type) || type === 'dynamic') {
    ctx.diagnostics.report(d.typeRange, `a ${type} block cannot be dynamic`, type === 'dynamic' ? undefined : `write the ${type} block itself`);
    return;
  }
  const attrs = attributesOf(d, ctx.diagnostics);
  let ok = true;
  for (const [name, attr] of attrs) {
    if (name === 'for_each' || name === 'iterator') continue;
    ctx.diagnostics.report(attr.nameRange, `unknown attribute "${name}" in dynamic "${type}"`, name === 'labels' ? `${type} blocks take no label` : 'dynamic has: for_each, iterator and a content block');
    ok = false;
  }
  const contents = d.body.blocks.filter((b) => b.type === 'content');
  for (const b of d.body.blocks) {
    if (b.type !== 'content') ctx.diagnostics.report(b.typeRange, `unexpected block "${b.type}" in dynamic "${type}"`, `the attributes of each ${type} go in a content { … } block`);
    else if (b !== contents[0]) ctx.diagnostics.report(b.typeRange, `only one content block is allowed in dynamic "${type}"`);
    else if (b.labels.length > 0) ctx.diagnostics.report(b.typeRange, 'a content block takes no label');
  }
  const content = contents[0];
  if (!content) ctx.diagnostics.report(d.typeRange, `missing content block in dynamic "${type}"`, `dynamic "${type}" { for_each = …, content { … } }`);
  let iterator = type;
  const it = attrs.get('iterator');
  if (it) {
    if (it.value.kind === 'Variable') iterator = it.value.name;
    else {
      ctx.diagnostics.report(it.value.range, 'iterator must be a name: iterator = g');
      ok = false;
    }
  }
  const forEach = attrs.get('for_each');
  if (!forEach) {
    ctx.diagnostics.report(d.typeRange, `missing required attribute "for_each" in dynamic "${type}"`, 'for_each = a list, a set or a map: one block per element');
    return;
  }
  const v = evalAttribute(forEach, scope, ctx);
  if (v === FAILED || !ok || !content) return;
  const { value: coll0, sensitive } = unwrap(v);
  if (coll0 === UNKNOWN || containsUnknown(coll0)) {
    ctx.diagnostics.report(forEach.value.range, `the for_each of dynamic "${type}" must be known before apply`, 'it cannot depend on a value known only after apply');
    return;
  }
  const coll = coll0 instanceof ResourceGroup ? expandGroup(coll0) : coll0;
  let entries: [EvalValue, EvalValue][];
  if (Array.isArray(coll)) entries = coll.map((x, i) => [i, x]);
  else if (isObject(coll)) entries = Object.keys(coll).sort().map((k) => [k, coll[k]!]);
  else {
    ctx.diagnostics.report(forEach.value.range, `the for_each of dynamic "${type}" must be a list, a set or a map, got ${typeOfValue(coll)}`);
    return;
  }
  // the blocks it makes: the content's body, as a block of the type (errors about the whole block point at `dynamic`)
  const made: Block = { kind: 'Block', type, labels: [], body: content.body, range: content.range, typeRange: d.typeRange };
  for (const [key, value] of entries) {
    const names = new Map(scope.names ?? []);
    names.set(iterator, { key, value: sensitive ? wrap(value, true) : value });
    out.push({ block: made, scope: { ...scope, names } });
  }
}

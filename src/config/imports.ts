// `import { to = ADDRESS, id = "name" }` blocks (docs/language.md, "import blocks"): the
// explicit adoption of an object that exists on the server. `to` is a static address of a
// declared resource instance (`role.app`, `schema.tenant["acme"]`, `service_account.x[0]`);
// `id` is the PostgreSQL name of the object, which must be the name the declaration gives it —
// xp identifies an object by its name (and, for schemas and extensions, the declaration's
// database), and an import changes nothing, so it cannot rename. The result is the declared
// instance's `import` field; the planner decides what it means (src/plan/plan.ts).
import type { Block, Expression } from '../dsl/ast.js';
import type { SourceRange } from '../dsl/diagnostics.js';
import { resourceTypes } from '../kinds/index.js';
import { UNKNOWN, type ResourceInstance } from '../model/types.js';
import { attributesOf, FAILED, where, type EvalContext } from './context.js';
import { evalAttribute } from './expressions.js';
import { didYouMean } from './suggest.js';
import { typeOfValue, unwrap } from './values.js';

const ATTRIBUTES = ['to', 'id'];

/** The address an attribute (`to`; moved blocks: `from` too) names, or a message saying why it is not one. */
export function staticAddress(e: Expression, attribute = 'to', block = 'import'): string | { error: string; range: SourceRange } {
  const notAddress = { error: `${attribute} must be the address of a ${block === 'import' ? 'declared ' : ''}resource, e.g. role.app, schema.tenant["acme"] or module.tenant["acme"].role.app`, range: e.range };
  // the steps as written, outermost last: names and keys
  const steps: ({ name: string; range: SourceRange } | { key: string })[] = [];
  let expr = e;
  for (;;) {
    if (expr.kind === 'Index') {
      const k = expr.index;
      if (k.kind === 'Literal' && typeof k.value === 'number' && Number.isInteger(k.value) && k.value >= 0) steps.unshift({ key: `[${k.value}]` });
      else if (k.kind === 'Template' && !k.heredoc && k.parts.every((p) => typeof p === 'string')) steps.unshift({ key: `[${JSON.stringify(k.parts.join(''))}]` });
      else return { error: `the key in ${block === 'import' ? 'an import' : `a ${block}`} address must be written out: a string in quotes or a whole number`, range: k.range };
      expr = expr.object;
    } else if (expr.kind === 'GetAttr') {
      steps.unshift({ name: expr.name, range: expr.range });
      expr = expr.object;
    } else if (expr.kind === 'Variable') {
      steps.unshift({ name: expr.name, range: expr.range });
      break;
    } else return notAddress;
  }
  // (module NAME [KEY]?)* (TYPE LABEL [KEY]?) — or, in a moved block, a module alone
  let out = '';
  let i = 0;
  while (i < steps.length) {
    const first = steps[i];
    const second = steps[i + 1];
    if (!first || !('name' in first) || !second || !('name' in second)) return notAddress;
    const key = steps[i + 2] && 'key' in steps[i + 2]! ? (steps[i + 2] as { key: string }).key : '';
    i += key ? 3 : 2;
    out += `${first.name}.${second.name}${key}`;
    if (first.name === 'module') {
      if (i === steps.length) return block === 'import' ? notAddress : out;
      out += '.';
      continue;
    }
    if (!(resourceTypes as readonly string[]).includes(first.name)) return { error: `unknown resource type "${first.name}" in ${attribute}`, range: first.range };
    return i === steps.length ? out : notAddress;
  }
  return notAddress;
}

/**
 * Reads the import blocks and marks the instances they name (`instance.import`). Reports, at
 * the block's attribute: a `to` that is not a declared instance's address, an `id` that is not
 * a known string or is not that instance's name, and a second import of one instance.
 */
export function readImports(blocks: readonly Block[], resources: readonly ResourceInstance[], ctx: EvalContext): void {
  if (blocks.length === 0) return; // the usual case: no map of every address
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const seen = new Map<string, SourceRange>();
  for (const block of blocks) {
    for (const b of block.body.blocks) ctx.diagnostics.report(b.typeRange, `unexpected block "${b.type}" in import`);
    const attrs = attributesOf(block, ctx.diagnostics);
    for (const [name, attr] of attrs) {
      if (!ATTRIBUTES.includes(name)) ctx.diagnostics.report(attr.nameRange, `unknown attribute "${name}" in import`, didYouMean(name, ATTRIBUTES) ?? 'import has: to, id');
    }
    const to = attrs.get('to');
    const idAttr = attrs.get('id');
    if (!to || !idAttr) {
      ctx.diagnostics.report(block.typeRange, `missing required attribute "${!to ? 'to' : 'id'}" in import`, 'import { to = role.app, id = "app" }');
      continue;
    }
    const address = staticAddress(to.value);
    if (typeof address !== 'string') {
      ctx.diagnostics.report(address.range, address.error);
      continue;
    }
    const target = byAddress.get(address);
    if (!target) {
      const same = resources.filter((r) => r.address.startsWith(address.replace(/[.[].*$/, '') + '.')).map((r) => r.address);
      ctx.diagnostics.report(to.value.range, `import to ${address}: no such resource is declared`, didYouMean(address, same) ?? `declare it: ${address.replace(/\[.*$/, '').replace('.', ' "')}" { … }`);
      continue;
    }
    const id = evalAttribute(idAttr, { where: 'import' }, ctx);
    if (id === FAILED) continue;
    const v = unwrap(id).value;
    if (v === UNKNOWN || typeof v !== 'string') {
      ctx.diagnostics.report(idAttr.value.range, v === UNKNOWN ? 'id must be known before apply' : `id: expected string, got ${typeOfValue(v)}`);
      continue;
    }
    if (v !== target.name) {
      ctx.diagnostics.report(
        idAttr.value.range,
        `import to ${address}: id ${JSON.stringify(v)} is not the name it declares (${JSON.stringify(target.name)})`,
        `xp finds an object by its PostgreSQL name and an import changes nothing, so it cannot rename: set name = ${JSON.stringify(v)} in ${address}`,
      );
      continue;
    }
    const prev = seen.get(address);
    if (prev) {
      ctx.diagnostics.report(to.value.range, `${address} is imported twice`, `first imported at ${where(prev)}`);
      continue;
    }
    seen.set(address, to.value.range);
    target.import = { id: v, range: block.typeRange };
  }
}

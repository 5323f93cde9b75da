// `moved { from = ADDRESS, to = ADDRESS }` blocks (docs/language.md, "Renames without loss"):
// what the stack recorded under `from` is the resource now declared at `to`, so the plan moves
// it ("has moved to") instead of destroying one and creating the other. Addresses are static:
// `role.old`, `role.tenant["a"]`, `service_account.x[0]`, `module.tenant["a"].role.app`,
// `module.old`; a whole resource or module (no key on either side) moves all its instances,
// a module instance everything in it. A moved block inside a module speaks of addresses in that
// module instance: its module path prefixes them.
// Checked here, at the block: `from` still declared, `to` not declared, the two of different
// types, the same address moved twice or onto twice, and chains or cycles of moves. The planner
// decides what a move means for each record (src/plan/renames.ts).
import type { Block } from '../dsl/ast.js';
import type { SourceRange } from '../dsl/diagnostics.js';
import type { MovedBlock, ResourceInstance } from '../model/types.js';
import { addressCovers, addressType, endsWithKey, resourcePart, withoutInstanceKey } from '../model/address.js';
import { attributesOf, where, type EvalContext } from './context.js';
import { staticAddress } from './imports.js';
import { didYouMean } from './suggest.js';

const ATTRIBUTES = ['from', 'to'];

interface Read extends MovedBlock {
  fromRange: SourceRange;
  toRange: SourceRange;
}

const typeOf = addressType;
/** `role.tenant["a"]` → `role.tenant`. */
const resourceOf = withoutInstanceKey;

/** Is `address` declared: an instance's address, or something that holds instances (a resource or module without its key, a module instance)? */
function declaredAt(address: string, addresses: ReadonlySet<string>, resources: ReadonlySet<string>): boolean {
  if (addresses.has(address) || (!endsWithKey(address) && resources.has(address))) return true;
  return addressType(address) === 'module' && [...addresses].some((a) => addressCovers(address, a));
}

/** Reads and checks the moved blocks (each with the module path of where it is written); the valid ones, in order. */
export function readMoved(blocks: readonly { block: Block; prefix: string }[], instances: readonly ResourceInstance[], ctx: EvalContext): MovedBlock[] {
  // most configurations have no moved block: no sets of every address for them
  if (blocks.length === 0) return [];
  const addresses = new Set(instances.map((r) => r.address));
  const resources = new Set(instances.map((r) => resourceOf(r.address)));
  const read: Read[] = [];
  for (const { block, prefix } of blocks) {
    for (const b of block.body.blocks) ctx.diagnostics.report(b.typeRange, `unexpected block "${b.type}" in moved`);
    const attrs = attributesOf(block, ctx.diagnostics);
    for (const [name, attr] of attrs) {
      if (!ATTRIBUTES.includes(name)) ctx.diagnostics.report(attr.nameRange, `unknown attribute "${name}" in moved`, didYouMean(name, ATTRIBUTES) ?? 'moved has: from, to');
    }
    const fromAttr = attrs.get('from');
    const toAttr = attrs.get('to');
    if (!fromAttr || !toAttr) {
      ctx.diagnostics.report(block.typeRange, `missing required attribute "${!fromAttr ? 'from' : 'to'}" in moved`, 'moved { from = role.old, to = role.new }');
      continue;
    }
    const fromRead = staticAddress(fromAttr.value, 'from', 'moved');
    const toRead = staticAddress(toAttr.value, 'to', 'moved');
    if (typeof fromRead !== 'string') ctx.diagnostics.report(fromRead.range, fromRead.error);
    if (typeof toRead !== 'string') ctx.diagnostics.report(toRead.range, toRead.error);
    if (typeof fromRead !== 'string' || typeof toRead !== 'string') continue;
    const from = prefix + fromRead;
    const to = prefix + toRead;
    const at = { from, to, range: block.typeRange, fromRange: fromAttr.value.range, toRange: toAttr.value.range };
    if (typeOf(from) !== typeOf(to)) {
      ctx.diagnostics.report(at.toRange, `cannot move ${from} to ${to}: a ${typeOf(from).replace('_', ' ')} cannot become a ${typeOf(to).replace('_', ' ')}`, 'a moved block keeps the kind: from and to name resources of the same type, or two modules');

      continue;
    }
    if (from === to) {
      ctx.diagnostics.report(at.toRange, `moved from ${from} to itself`, 'remove the moved block');
      continue;
    }
    read.push(at);
  }
  // Chains and cycles first: in one, some address is both moved from and declared.
  return checkGraph(read, ctx).filter((at) => {
    if (declaredAt(at.from, addresses, resources)) {
      ctx.diagnostics.report(at.fromRange, `moved from ${at.from}: ${at.from} is still declared`, `a moved block says ${at.from} is now ${at.to}: remove the declaration of ${at.from}, or the moved block`);
      return false;
    }
    if (!declaredAt(at.to, addresses, resources)) {
      const same = [...addresses].filter((a) => typeOf(a) === typeOf(at.to));
      const declare = typeOf(at.to) === 'module' ? 'declare the module' : `declare it: ${resourcePart(resourceOf(at.to)).replace('.', ' "')}" { … }`;
      ctx.diagnostics.report(at.toRange, `moved to ${at.to}: no such ${typeOf(at.to) === 'module' ? 'module' : 'resource'} is declared`, didYouMean(at.to, same) ?? declare);
      return false;
    }
    return true;
  }).map(({ from, to, range }) => ({ from, to, range }));
}

/** One move per `from`, one per `to`, and no chains or cycles (a `to` that another block moves on). */
function checkGraph(read: readonly Read[], ctx: EvalContext): Read[] {
  const byFrom = new Map<string, Read>();
  const byTo = new Map<string, Read>();
  const bad = new Set<Read>();
  for (const m of read) {
    const again = byFrom.get(m.from);
    if (again) {
      ctx.diagnostics.report(m.fromRange, `${m.from} is moved twice`, `first moved at ${where(again.fromRange)}`);
      bad.add(m);
      continue;
    }
    const onto = byTo.get(m.to);
    if (onto) {
      ctx.diagnostics.report(m.toRange, `two moved blocks move onto ${m.to}`, `the other moves ${onto.from}, at ${where(onto.toRange)}`);
      bad.add(m);
      continue;
    }
    byFrom.set(m.from, m);
    byTo.set(m.to, m);
  }
  for (const m of read) {
    if (bad.has(m)) continue;
    const next = byFrom.get(m.to);
    if (!next || next === m) continue;
    // Follow the chain from here: a cycle returns to m.from.
    const path = [m.from, m.to];
    let at: Read | undefined = next;
    while (at && !path.slice(1).includes(at.to) && at.to !== m.from) {
      path.push(at.to);
      at = byFrom.get(at.to);
    }
    if (at && at.to === m.from) {
      path.push(m.from);
      ctx.diagnostics.report(m.toRange, `moved blocks form a cycle: ${path.join(' → ')}`, 'each address can be moved once, to where it is declared now');
    } else {
      ctx.diagnostics.report(m.toRange, `moved blocks form a chain: ${path.join(' → ')}`, `move ${m.from} to ${path[path.length - 1]} directly (and remove the moved block of ${m.to})`);
    }
    bad.add(m);
  }
  return read.filter((m) => !bad.has(m));
}

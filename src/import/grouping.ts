// xp import's grouping: the tenant pattern (many schemas, roles or service accounts that differ
// in one word of their names) written once with for_each, when that declares exactly the same.
import type { Labelled } from './labels.js';

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** One resource of the output, rendered on demand (its references depend on the grouping). */
export interface Item {
  type: 'database' | 'schema' | 'extension' | 'role' | 'service_account';
  /** `role:NAME` for roles and service accounts alike (references find either). */
  id: string;
  name: string;
  /** The database of a schema or extension, '' otherwise. */
  scope: string;
  labelled: Labelled;
  /** The block's lines after its header and name. */
  render(): string[];
}

/** Resources declared once with for_each: `name = pattern` with `*` = each.value. */
export interface Group {
  type: Item['type'];
  label: string;
  pattern: string;
  members: Item[];
  /** By member id: its key. */
  keys: Map<string, string>;
}

/** Names that may group: lower-case words joined by `_`, one of which is the key. */
const GROUPABLE = /^[a-z0-9]+(?:_[a-z0-9]+)+$/;
const MIN_GROUP = 3;

/**
 * The tenant pattern: three or more schemas, roles or service accounts of the same shape whose
 * names differ in one `_`-separated word (tenant_acme, tenant_globex …) become one block with
 * for_each over those words. A group is kept only when every member renders to the same block
 * once its own key is `each.key` — so the for_each block declares exactly what the separate
 * blocks did — and it is checked again after every other group is chosen (a reference to a
 * grouped object changes how others render). Deterministic: candidates in a fixed order.
 */
export function groupRepeated(items: Item[], groupOf: Map<string, Group>, setKey: (key: string | undefined) => void): void {
  const candidates = new Map<string, Group>();
  items.forEach((it) => {
    if (!['schema', 'role', 'service_account'].includes(it.type) || it.labelled.explicitName !== undefined || !GROUPABLE.test(it.name)) return;
    const words = it.name.split('_');
    words.forEach((word, i) => {
      const pattern = words.map((w, j) => (j === i ? '*' : w)).join('_');
      const key = JSON.stringify([it.type, it.scope, pattern]);
      let c = candidates.get(key);
      if (!c) candidates.set(key, (c = { type: it.type, label: '', pattern, members: [], keys: new Map() }));
      c.members.push(it);
      c.keys.set(it.id, word);
    });
  });
  const typeOrder = ['schema', 'role', 'service_account'];
  const order = [...candidates.values()]
    .filter((c) => c.members.length >= MIN_GROUP)
    .sort((a, b) => b.members.length - a.members.length || typeOrder.indexOf(a.type) - typeOrder.indexOf(b.type) || byName(a.pattern, b.pattern));
  const groups: Group[] = [];
  const templateOf = (g: Group, m: Item): string => {
    setKey(g.keys.get(m.id));
    const body = m.render().join('\n');
    setKey(undefined);
    return body;
  };
  // a few passes: a group of accounts can form once the schemas they use are grouped
  for (let pass = 0; pass < 3; pass++) {
    let changed = false;
    for (const c of order) {
      const free = c.members.filter((m) => !groupOf.has(m.id));
      if (free.length < MIN_GROUP) continue;
      const byBody = new Map<string, Item[]>();
      for (const m of free) {
        const body = templateOf(c, m);
        byBody.set(body, [...(byBody.get(body) ?? []), m]);
      }
      for (const members of byBody.values()) {
        if (members.length < MIN_GROUP) continue;
        const g: Group = { type: c.type, label: '', pattern: c.pattern, members, keys: new Map(members.map((m) => [m.id, c.keys.get(m.id)!])) };
        groups.push(g);
        for (const m of members) groupOf.set(m.id, g);
        changed = true;
      }
    }
    if (!changed) break;
  }
  // labels: the pattern's other words, unique among the labels of that type
  const used = new Set(items.filter((it) => !groupOf.has(it.id)).map((it) => `${it.type}.${it.labelled.label}`));
  for (const g of groups) {
    let base = g.pattern.split('_').filter((w) => w !== '*').join('-');
    if (!/^[A-Za-z_]/.test(base)) base = `group-${base}`;
    if (['true', 'false', 'null', 'for', 'in', 'if'].includes(base)) base = `${base}-group`;
    let label = base;
    for (let n = 2; used.has(`${g.type}.${label}`); n++) label = `${base}-${n}`;
    used.add(`${g.type}.${label}`);
    g.label = label;
  }
  // every member must still render as its group's block; drop a group that does not (repeat)
  for (let again = true; again; ) {
    again = false;
    for (const g of groups) {
      if (!g.members.every((m) => groupOf.get(m.id) === g)) continue;
      const bodies = new Set(g.members.map((m) => templateOf(g, m)));
      if (bodies.size > 1) {
        for (const m of g.members) groupOf.delete(m.id);
        again = true;
      }
    }
  }
}

// Labels for imported objects: the inverse of how the evaluator names a resource from its label
// (src/config/evaluate.ts: with no `name`, the PostgreSQL name is the label with every `-`
// turned into `_`). A name whose label round-trips gets that label and no `name`; any other
// name (hyphens, spaces, quotes, upper-case-only differences are fine) gets a sanitised label
// and `name = "…"`. Labels are unique per resource type; assignment depends only on the set of
// names (sorted), so the same server always gives the same labels.

/** What the evaluator accepts as a resource label (evaluate.ts, "invalid resource label"). */
const LABEL = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Keywords cannot follow `role.` in a reference. */
const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if']);

/** The name the evaluator derives from a label. */
export function nameFromLabel(label: string): string {
  return label.replace(/-/g, '_');
}

/** The label that names `name` with no `name =` attribute, if there is one. */
export function roundTripLabel(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
  // `_` → `-` reads like the examples (role.app-readers), except leading underscores, which a
  // label cannot start with as `-`
  const lead = /^_*/.exec(name)![0];
  const label = lead + name.slice(lead.length).replace(/_/g, '-');
  if (!LABEL.test(label) || KEYWORDS.has(label) || nameFromLabel(label) !== name) return undefined;
  return label;
}

/** A readable label for any name (the resource then carries `name = "…"`). */
export function sanitizedLabel(name: string): string {
  let s = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s === '') s = 'unnamed';
  if (!/^[A-Za-z_]/.test(s)) s = `_${s}`;
  if (KEYWORDS.has(s)) s = `${s}-`;
  return s.slice(0, 60);
}

export interface Labelled {
  label: string;
  /** Set when the label does not give the name back: write `name = "…"`. */
  explicitName?: string;
}

/**
 * Labels for a set of keys (one resource type), each with the name it must stand for and an
 * optional preferred label (schemas of several databases: `db-schema`). Names that round-trip
 * claim their labels first; the others take sanitised labels, `-2`, `-3` … on collision.
 */
export function assignLabels(items: Array<{ key: string; name: string; prefer?: string }>, used: ReadonlySet<string> = new Set()): Map<string, Labelled> {
  const out = new Map<string, Labelled>();
  // labels a configuration already uses (xp import --check): never given again
  const taken = new Set<string>(used);
  const sorted = [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rest: typeof sorted = [];
  for (const item of sorted) {
    const label = item.prefer === undefined ? roundTripLabel(item.name) : undefined;
    if (label !== undefined && !taken.has(label)) {
      taken.add(label);
      out.set(item.key, { label });
    } else rest.push(item);
  }
  for (const item of rest) {
    const base = sanitizedLabel(item.prefer ?? item.name);
    let label = base;
    for (let n = 2; taken.has(label) || (nameFromLabel(label) !== item.name && roundTripClash(label, items)); n++) label = `${base}-${n}`;
    taken.add(label);
    out.set(item.key, nameFromLabel(label) === item.name ? { label } : { label, explicitName: item.name });
  }
  return out;
}

/** A sanitised label must not look like the round-trip label of another name of the set. */
function roundTripClash(label: string, items: Array<{ name: string }>): boolean {
  const named = nameFromLabel(label);
  return items.some((i) => i.name === named);
}

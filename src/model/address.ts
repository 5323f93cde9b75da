// Resource addresses, Terraform's format: an optional module path, then the resource and its
// instance key — `role.app`, `schema.tenant["acme"]`, `module.tenant["acme"].role.app`,
// `module.a.module.b[0].schema.s`. An address is a string everywhere (plan, state, events);
// these helpers are the one place that takes one apart. Keys are JSON strings or whole numbers,
// so a key holding `.`, `[` or `"` stays unambiguous.

/** One `module.NAME[KEY]` step of a module path (key absent: no for_each or count). */
export interface ModuleStep {
  name: string;
  key?: string | number;
}

export interface ParsedAddress {
  modules: ModuleStep[];
  /** The resource type and label; absent for an address of a module (instance) only. */
  type?: string;
  label?: string;
  key?: string | number;
}

const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;

/** `"a\"b"` or `12` at `at`: the key and where it ends, or undefined. */
function readKey(s: string, at: number): { key: string | number; end: number } | undefined {
  if (s[at] !== '[') return undefined;
  let i = at + 1;
  if (s[i] === '"') {
    let j = i + 1;
    while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
    if (s[j + 1] !== ']') return undefined;
    try {
      return { key: JSON.parse(s.slice(i, j + 1)) as string, end: j + 2 };
    } catch {
      return undefined;
    }
  }
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
  if (i === at + 1 || s[i] !== ']') return undefined;
  return { key: Number(s.slice(at + 1, i)), end: i + 1 };
}

function readName(s: string, at: number): { name: string; end: number } | undefined {
  NAME.lastIndex = at;
  const m = NAME.exec(s);
  return m ? { name: m[0], end: at + m[0].length } : undefined;
}

/** An address taken apart; undefined when it is not one. */
export function parseAddress(s: string): ParsedAddress | undefined {
  const modules: ModuleStep[] = [];
  let at = 0;
  for (;;) {
    const first = readName(s, at);
    if (!first || s[first.end] !== '.') return undefined;
    const second = readName(s, first.end + 1);
    if (!second) return undefined;
    at = second.end;
    const k = readKey(s, at);
    if (k) at = k.end;
    if (first.name === 'module') {
      modules.push(k ? { name: second.name, key: k.key } : { name: second.name });
      if (at === s.length) return { modules };
      if (s[at] !== '.') return undefined;
      at++;
      continue;
    }
    if (at !== s.length) return undefined;
    return { modules, type: first.name, label: second.name, ...(k ? { key: k.key } : {}) };
  }
}

/** `[KEY]` as an address writes it. */
export function keySuffix(key: string | number | undefined): string {
  return key === undefined ? '' : `[${JSON.stringify(key)}]`;
}

/** `module.a["k"].module.b.` — the prefix of addresses inside that module instance ('' at the root). */
export function modulePrefix(steps: readonly ModuleStep[]): string {
  return steps.map((m) => `module.${m.name}${keySuffix(m.key)}.`).join('');
}

/** Where an address's resource part starts (after its module path). */
function resourceStart(address: string): number {
  const p = parseAddress(address);
  return p ? modulePrefix(p.modules).length : 0;
}

/** `module.t["a"].role.app["x"]` → `role.app["x"]`. */
export function resourcePart(address: string): string {
  return address.slice(resourceStart(address));
}

/** The resource type of an address (`role`), or `module` for the address of a module. */
export function addressType(address: string): string {
  const p = parseAddress(address);
  if (p && p.type === undefined) return 'module';
  const rest = resourcePart(address);
  return rest.slice(0, rest.indexOf('.'));
}

/** The address without its resource's instance key: `module.t["a"].role.x["k"]` → `module.t["a"].role.x`. */
export function withoutInstanceKey(address: string): string {
  const p = parseAddress(address);
  if (!p || p.type === undefined) return address;
  return `${modulePrefix(p.modules)}${p.type}.${p.label}`;
}

/** Whether `address` ends with an instance key (of a resource or a module). */
export function endsWithKey(address: string): boolean {
  return address.endsWith(']');
}

/**
 * Whether `pattern` names `address` or something that holds it: `role.x` holds `role.x["k"]`,
 * `module.t` holds `module.t["a"].role.x`, `module.t["a"]` holds everything in that instance.
 */
export function addressCovers(pattern: string, address: string): boolean {
  if (address === pattern) return true;
  if (!address.startsWith(pattern)) return false;
  const next = address[pattern.length];
  return next === '.' || (next === '[' && !endsWithKey(pattern));
}

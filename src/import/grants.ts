// The grants of an imported role, as xp can write them: derived from what import read
// (catalog.ts) so that the provider observes exactly them (sql/055_role.sql, role_states).
// Used by generate.ts.
import type { CatalogRole, DatabaseContents, ImportInput, ObjectGrant } from './catalog.js';

export const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const json = (s: string) => JSON.stringify(s);
const KINDS = ['tables', 'sequences', 'functions'] as const;

export interface GrantOut {
  database: string;
  schema: string | null;
  on: 'tables' | 'sequences' | 'functions' | 'types' | 'schema' | 'schemas' | 'database';
  /** Named objects of the schema (object-level grant), sorted; absent: every object of the kind. */
  objects?: string[];
  /** With one table in `objects`: its columns (column privileges). */
  columns?: string[];
  privileges: string[];
  future: boolean;
  /** Creators beyond the schema owner and xp's role whose default privileges carry `privileges`. */
  futureOwners?: string[];
  /**
   * The role that made the grant (a third grantor: neither the owner nor xp's role), when it made
   * all of it; default privileges only: the creator whose default privileges these are, instead
   * of xp's role (global) or the schema's future_for.
   */
  grantedBy?: string;
  /** Every privilege held WITH GRANT OPTION. */
  grantOption?: boolean;
}

export interface RoleOut {
  name: string;
  login: boolean;
  catalog: CatalogRole;
  database?: string;
  schemas: Array<{ database: string; schema: string }>;
  grants: GrantOut[];
}

const presence = new WeakMap<ImportInput['grants'][string], Map<string, string[]>>();

/** The schemas of a database where a role holds something (sorted): built once per database, not searched per role. */
function schemasOf(cat: ImportInput['grants'][string], role: string): string[] {
  let byRole = presence.get(cat);
  if (!byRole) {
    byRole = new Map();
    for (const schema of Object.keys(cat.schemas).sort(byName)) {
      const sch = cat.schemas[schema]!;
      for (const who of new Set([...Object.keys(sch.held), ...Object.keys(sch.objects), ...Object.keys(sch.defaults)])) {
        const list = byRole.get(who);
        if (list) list.push(schema);
        else byRole.set(who, [schema]);
      }
    }
    presence.set(cat, byRole);
  }
  return byRole.get(role) ?? [];
}

interface NamedGrants {
  objects: ObjectGrant[];
  columns: Array<ObjectGrant & { column: string }>;
}
const named = new WeakMap<DatabaseContents, Map<string, Map<string, NamedGrants>>>();

/** Per role and schema, its privileges on named objects and columns of a database (built once per database). */
function namedOf(contents: DatabaseContents | undefined, role: string): Map<string, NamedGrants> {
  if (!contents) return new Map();
  let byRole = named.get(contents);
  if (!byRole) {
    byRole = new Map<string, Map<string, NamedGrants>>();
    const at = (g: ObjectGrant): NamedGrants => {
      let schemas = byRole!.get(g.grantee);
      if (!schemas) byRole!.set(g.grantee, (schemas = new Map<string, NamedGrants>()));
      let n = schemas.get(g.schema);
      if (!n) schemas.set(g.schema, (n = { objects: [], columns: [] }));
      return n;
    };
    for (const g of contents.objectGrants) at(g).objects.push(g);
    for (const g of contents.columnGrants) if (g.grantee !== '') at(g).columns.push(g);
    named.set(contents, byRole);
  }
  return byRole.get(role) ?? new Map<string, NamedGrants>();
}

/**
 * The one grantor of everything a role holds on an object (`by`: {grantor: privileges}), when it
 * is a third grantor (neither the owner nor xp's role): what `granted_by` declares. Undefined
 * when the owner or xp's role granted it, or several grantors did.
 */
export function soleThirdGrantor(by: Record<string, string[]> | undefined, owner: string, me: string): string | undefined {
  const grantors = Object.keys(by ?? {});
  return grantors.length === 1 && grantors[0] !== owner && grantors[0] !== me ? grantors[0] : undefined;
}

/** Whether `grants` declare with granted_by the database, a schema or a named object (`object`) of `db`. */
export function withGrantedBy(grants: readonly GrantOut[], db: string, schema: string | null, on: string, object?: string): boolean {
  return grants.some(
    (g) =>
      g.grantedBy !== undefined && g.database === db && g.schema === schema && g.on === on && g.columns === undefined &&
      (object === undefined ? g.objects === undefined : (g.objects ?? []).includes(object)),
  );
}

/**
 * Object-level grants (`objects = [...]`), one block per (kind, privileges, grant option) with
 * the objects sorted; what a whole-schema grant of the role already gives on every object
 * (`whole`) is left out, as the provider observes an object-level entry. Column privileges:
 * one block per (table, privileges, grant option) with its columns.
 */
function groupNamed(
  db: string,
  schema: string,
  list: Array<ObjectGrant & { column?: string }>,
  whole: (on: string) => string[],
  problems: string[],
  grantorOf: (e: ObjectGrant) => string | undefined,
): GrantOut[] {
  const groups = new Map<string, GrantOut>();
  for (const e of list) {
    const privileges = e.privileges.filter((p) => e.column !== undefined || !whole(e.on).includes(p));
    if (privileges.length === 0) continue;
    const granted = privileges.filter((p) => e.grantable.includes(p));
    const what = e.column === undefined ? `${e.on} ${JSON.stringify(e.object)}` : `column ${JSON.stringify(e.object)}.${JSON.stringify(e.column)}`;
    if (granted.length > 0 && granted.length < privileges.length) {
      problems.push(`WITH GRANT OPTION on some privileges of ${what} only (${granted.join(', ')})`);
      continue;
    }
    const grantOption = granted.length > 0;
    // made by one third grantor: granted_by (not on columns: the provider does not make those as a grantor)
    const grantedBy = e.column === undefined ? grantorOf(e) : undefined;
    // columns: one block per table; objects: one block per kind (and grantor)
    const key = JSON.stringify([e.on, e.column === undefined ? null : e.object, privileges, grantOption, grantedBy ?? null]);
    let g = groups.get(key);
    if (!g) {
      g = { database: db, schema, on: e.on, objects: e.column === undefined ? [] : [e.object], privileges, future: false, grantOption, ...(grantedBy === undefined ? {} : { grantedBy }) };
      if (e.column !== undefined) g.columns = [];
      groups.set(key, g);
    }
    if (e.column === undefined) g.objects!.push(e.object);
    else g.columns!.push(e.column);
  }
  const out = [...groups.values()];
  for (const g of out) {
    g.objects!.sort(byName);
    g.columns?.sort(byName);
  }
  const keyOf = (g: GrantOut) => JSON.stringify([g.on, g.columns ? 1 : 0, g.objects, g.columns ?? [], g.privileges, g.grantedBy ?? '']);
  return out.sort((a, b) => byName(keyOf(a), keyOf(b)));
}

/**
 * The grants of one role that the provider will observe exactly as written (role_states in
 * sql/055_role.sql): per database and schema, privileges held on every object of a kind (and,
 * with `future`, in the default privileges of every role objects are created by). What it
 * cannot express — a privilege on some objects only, default privileges that differ between
 * creators — leaves that schema out of the role's grants entirely (a grant naming it would
 * revoke what the role holds there) and is listed in the notes.
 */
/**
 * A default-privileges-only grant (`future = true`, no GRANT on existing objects): global (no
 * schema) or on types. Expressible when each creator xp covers (`covered`: xp's role, or the
 * schema's future_for) gives the same privileges and every other creator gives those too (its
 * future_owners); or, when none of those it covers gives anything, as `granted_by` the first
 * other creator (and the rest, giving the same, its future_owners); undefined otherwise.
 */
function defaultsOnly(db: string, schema: string | null, kind: string, byCreator: Record<string, string[]>, coveredByXp: readonly string[]): GrantOut | undefined {
  if (!['tables', 'sequences', 'functions', 'types', 'schemas'].includes(kind)) return undefined;
  const givers = Object.keys(byCreator).filter((c) => (byCreator[c] ?? []).length > 0).sort(byName);
  const as = (covered: readonly string[], grantedBy?: string): GrantOut | undefined => {
    const want = [...(byCreator[covered[0]!] ?? [])].sort(byName);
    const same = (ps: string[] | undefined) => ps !== undefined && ps.length === want.length && [...ps].sort(byName).every((p, i) => p === want[i]);
    if (want.length === 0 || !covered.every((c) => same(byCreator[c]))) return undefined;
    const owners = givers.filter((f) => !covered.includes(f));
    if (!owners.every((f) => same(byCreator[f]))) return undefined;
    return { database: db, schema, on: kind as GrantOut['on'], privileges: want, future: true, futureOwners: owners, grantOption: false, ...(grantedBy === undefined ? {} : { grantedBy }) };
  };
  return as(coveredByXp) ?? (givers.length > 0 ? as([givers[0]!], givers[0]) : undefined);
}

/**
 * Whether a default ACL row (global, or on types) is what a default-privileges-only grant of its
 * grantee declares: same database, schema and kind, and a creator xp covers (its own role, the
 * schema's future_for; with granted_by, that creator) or one of the grant's future_owners.
 */
export function coveredByDefaultsOnly(
  d: { schema: string | null; objtype: string; grantee: string; forRole: string },
  db: string,
  grants: readonly GrantOut[],
  me: string,
  futureFor: readonly string[],
): boolean {
  if ((d.schema !== null && d.objtype !== 'T') || d.grantee === '') return false;
  const on = { r: 'tables', S: 'sequences', f: 'functions', T: 'types', n: 'schemas' }[d.objtype];
  return grants.some(
    (g) =>
      g.database === db && g.schema === d.schema && g.on === on && g.future && g.objects === undefined &&
      ((g.grantedBy === undefined ? d.forRole === me || futureFor.includes(d.forRole) : d.forRole === g.grantedBy) ||
        (g.futureOwners ?? []).includes(d.forRole)),
  );
}

export function deriveGrants(
  r: RoleOut,
  input: ImportInput,
  dbNames: Set<string>,
  allOf: (on: GrantOut['on']) => string[],
  skippedSchema: (db: string, s: string) => boolean,
  notes: string[],
): void {
  const who = `${r.login ? 'login role' : 'role'} ${json(r.name)}`;
  const connectable: string[] = [];
  for (const db of [...dbNames].sort(byName)) {
    const cat = input.grants[db];
    if (!cat) continue;
    if (cat.db_owner === r.name || (cat.db_held[r.name] ?? []).includes('CONNECT')) connectable.push(db);
  }
  if (r.login) {
    // its database: where it holds CONNECT; of several, the one where it uses most schemas
    const usage = (db: string) => Object.values(input.grants[db]!.schemas).filter((s) => (s.held[r.name] ?? []).includes('USAGE')).length;
    const best = [...connectable].sort((a, b) => usage(b) - usage(a) || byName(a, b))[0];
    if (best !== undefined) r.database = best;
  }
  for (const db of [...dbNames].sort(byName)) {
    const cat = input.grants[db];
    if (!cat) continue;
    const own = r.login && db === r.database;
    if (cat.db_owner !== r.name) {
      const held = (cat.db_held[r.name] ?? []).filter((p) => !(own && p === 'CONNECT'));
      const grantable = cat.db_grantable?.[r.name] ?? [];
      if (held.length > 0) {
        const grantOption = held.every((p) => grantable.includes(p));
        if (!grantOption && held.some((p) => grantable.includes(p)))
          notes.push(`${who}: on database ${json(db)} some privileges only are held WITH GRANT OPTION (${grantable.join(', ')}): imported without it, so apply would revoke that option`);
        const grantedBy = soleThirdGrantor(cat.db_by?.[r.name], cat.db_owner, input.cluster.me);
        r.grants.push({ database: db, schema: null, on: 'database', privileges: [...held].sort(byName), future: false, grantOption, ...(grantedBy === undefined ? {} : { grantedBy }) });
      }
    }
    // global default privileges (no IN SCHEMA): a grant without schema, with future, where xp's
    // role gives the privileges and every other creator (future_owners) the same ones; others
    // stay notes (generate.ts lists the default privileges no grant covers)
    for (const [kind, byCreator] of Object.entries(cat.db_defaults?.[r.name] ?? {}).sort(([a], [b]) => byName(a, b))) {
      const g = defaultsOnly(db, null, kind, byCreator, [input.cluster.me]);
      if (g) r.grants.push(g);
    }
    const namedGrants = namedOf(input.contents[db], r.name);
    const visit = [...new Set([...schemasOf(cat, r.name), ...namedGrants.keys()])].sort(byName);
    for (const schema of visit) {
      const sch = cat.schemas[schema];
      if (!sch) continue;
      const namedHere = namedGrants.get(schema);
      // nothing of the role here (the usual case: one schema of many): nothing to declare
      const objects = sch.objects[r.name];
      if (
        !(r.name in sch.held) &&
        !(r.name in sch.defaults) &&
        (objects === undefined || Object.values(objects).every((o) => Object.keys(o.held).length === 0)) &&
        namedHere === undefined
      )
        continue;
      const found: GrantOut[] = [];
      const problems: string[] = [];
      const wholeOf = new Map<string, string[]>();
      let usage = false;
      if (sch.owner !== r.name) {
        let held = [...(sch.held[r.name] ?? [])];
        if (own && held.includes('USAGE')) {
          usage = true;
          held = held.filter((p) => p !== 'USAGE');
        }
        const grantable = sch.grantable?.[r.name] ?? [];
        const grantOption = held.length > 0 && held.every((p) => grantable.includes(p));
        if (!grantOption && held.some((p) => grantable.includes(p))) problems.push(`WITH GRANT OPTION on some privileges of the schema only (${grantable.join(', ')})`);
        const grantedBy = usage ? undefined : soleThirdGrantor(sch.by?.[r.name], sch.owner, input.cluster.me);
        if (held.length > 0) found.push({ database: db, schema, on: 'schema', privileges: held.sort(byName), future: false, grantOption, ...(grantedBy === undefined ? {} : { grantedBy }) });
      }
      for (const kind of KINDS) {
        const obj = sch.objects[r.name]?.[kind];
        const total = obj?.total ?? 0;
        const heldN = (p: string) => obj?.held[p] ?? 0;
        const defs = sch.defaults[r.name]?.[kind] ?? {};
        const all = allOf(kind);
        const onAll = all.filter((p) => heldN(p) === total);
        const onAny = all.filter((p) => heldN(p) > 0);
        const inDefaults = all.filter((p) => Object.values(defs).some((v) => v.includes(p)));
        const future = inDefaults.length > 0;
        // held on some objects only: object-level grants (groupNamed), unless default privileges
        // give it too (a whole-schema grant with `future` would grant it on every object)
        const partial = all.filter((p) => (onAny.includes(p) || inDefaults.includes(p)) && !onAll.includes(p));
        const partialFuture = partial.filter((p) => inDefaults.includes(p));
        if (partialFuture.length > 0)
          problems.push(`${partialFuture.map((p) => `${p} on ${heldN(p)} of ${total} ${kind}`).join(', ')}, and in default privileges`);
        const want = all.filter((p) => (onAny.includes(p) && onAll.includes(p)) || inDefaults.includes(p));
        wholeOf.set(kind, want);
        // other creators (future_owners): each must give all of them
        const owners = Object.keys(defs).filter((f) => !sch.future_for.includes(f) && (defs[f] ?? []).length > 0).sort(byName);
        if (future) {
          const short = [...sch.future_for, ...owners].filter((f) => !want.every((p) => (defs[f] ?? []).includes(p)));
          if (short.length > 0)
            problems.push(`default privileges on ${kind} (${want.join(', ')}) not for every creator xp covers (missing for ${short.map(json).join(', ')})`);
        }
        const grantableN = (p: string) => obj?.grantable?.[p] ?? 0;
        const grantOption = total > 0 && want.length > 0 && want.every((p) => grantableN(p) === total);
        if (!grantOption && want.some((p) => grantableN(p) > 0)) problems.push(`WITH GRANT OPTION on some ${kind} or privileges only`);
        if (want.length > 0 || future) found.push({ database: db, schema, on: kind, privileges: want, future, futureOwners: owners, grantOption });
      }
      // default privileges on types in this schema (no GRANT on all types exists: future only)
      const typeDefaults = sch.defaults[r.name]?.['types'];
      if (typeDefaults) {
        // (not expressible: generate.ts lists them, with the other default privileges no grant covers)
        const g = defaultsOnly(db, schema, 'types', typeDefaults, sch.future_for);
        if (g) found.push(g);
      }
      if (namedHere) {
        const whole = (on: string) => wholeOf.get(on) ?? [];
        // (an object's owner is not in ObjectGrant: a grant by it has no third grantor, e.grantors is empty)
        const grantorOf = (e: ObjectGrant) => (e.grantors.length === 1 ? soleThirdGrantor(e.by, '', input.cluster.me) : undefined);
        found.push(...groupNamed(db, schema, namedHere.objects, whole, problems, grantorOf), ...groupNamed(db, schema, namedHere.columns, whole, problems, grantorOf));
      }
      if (found.length === 0 && !usage) continue;
      if (skippedSchema(db, schema)) {
        notes.push(`${who}: privileges in ${json(db)}.${json(schema)}, xp's own schema (not imported)`);
        continue;
      }
      if (problems.length > 0) {
        notes.push(`${who}: privileges in ${json(db)}.${json(schema)} not imported: ${problems.join('; ')} (a grant block there would revoke what differs)`);
        continue;
      }
      if (usage) r.schemas.push({ database: db, schema });
      r.grants.push(...found);
    }
  }
}

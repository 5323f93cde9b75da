// From what import read (catalog.ts) to the text of an xp configuration: which objects are
// imported, their labels, their attributes (defaults left out, references where the object
// is imported too), the grants xp can express — chosen so that the provider observes exactly
// them (sql/055_role.sql, role_states) — and, as comments, everything the server has that xp
// cannot express yet. Pure: the same catalog gives the same text.
import { quote } from '../dsl/format.js';
import { privilegesByTarget } from '../kinds/grant.js';
import type { CatalogRole, ImportInput, ObjectGrant } from './catalog.js';
import { globMatch, systemRole } from './catalog.js';
import { assignLabels, type Labelled } from './labels.js';
import { groupRepeated, type Group, type Item } from './grouping.js';
import { byName, coveredByDefaultsOnly, deriveGrants, json, withGrantedBy, type GrantOut, type RoleOut } from './grants.js';
import { MembershipGrantors, membershipsOf } from './memberships.js';
import { ReferenceGraph } from './references.js';

export interface ImportOptions {
  /** Glob patterns (`*`, `?`) on role names; none: every role. */
  include: string[];
  exclude: string[];
  /** Only these databases (none: every one). */
  databases?: string[];
  /**
   * `xp import --check`: what a configuration already declares. Those objects are not written;
   * references to them use the configuration's addresses, and new labels avoid its labels.
   */
  declared?: Declared;
  /**
   * `--import-blocks`: an `import { to, id }` block for each object no stack manages, so that
   * the plan shows it as "will be imported" (recorded, nothing changed) rather than adopted.
   */
  importBlocks?: boolean;
}

export interface Declared {
  /** By identityKey(): the address and type of the declaring resource. */
  addresses: Map<string, { address: string; type: string }>;
  /** By resource type: the labels the configuration uses. */
  labels: Record<string, Set<string>>;
}

/** One object's identity across kinds that share a namespace (roles and service accounts). */
export function identityKey(namespace: 'database' | 'schema' | 'extension' | 'role', database: string, name: string): string {
  return JSON.stringify([namespace, namespace === 'database' || namespace === 'role' ? '' : database, name]);
}

export interface ImportResult {
  text: string;
  /** Facts of the server the configuration does not hold (also comments in the text). */
  notImported: string[];
  /** Problems worth a warning on stderr (several stacks, unreadable databases). */
  warnings: string[];
  counts: Record<'database' | 'schema' | 'extension' | 'role' | 'service_account', number>;
}

/** The configuration text of what import read, with what it could not express as comments. */
export function generate(input: ImportInput, opts: ImportOptions): ImportResult {
  const { cluster } = input;
  const notes: string[] = [];
  const warnings: string[] = [];

  // ── databases ───────────────────────────────────────────────────────────────────────────
  const known = new Set(cluster.databases.map((d) => d.name));
  for (const d of opts.databases ?? []) if (!known.has(d)) throw new ImportError(`--databases: no database ${json(d)} on this server`);
  const databases = cluster.databases.filter((d) => {
    if (opts.databases && !opts.databases.includes(d.name)) return false;
    if (d.template) return false;
    if (d.name === 'postgres') return false;
    return true;
  });
  const dbNames = new Set(databases.map((d) => d.name));
  for (const d of databases) {
    if (d.locale_provider !== null && d.locale_provider !== 'c')
      notes.push(`database ${json(d.name)}: locale provider ${d.locale_provider === 'i' ? 'ICU' : d.locale_provider} (xp has no attribute for it)`);
  }
  for (const [db, why] of Object.entries(input.unreadable).sort(([a], [b]) => byName(a, b)))
    notes.push(`database ${json(db)}: its schemas, extensions and grants could not be read (${why})`);

  // ── roles ───────────────────────────────────────────────────────────────────────────────
  const roleCandidates = cluster.roles.filter((r) => {
    if (systemRole(r.name, cluster) !== undefined) return false;
    if (opts.include.length > 0 && !opts.include.some((p) => globMatch(p, r.name))) return false;
    if (opts.exclude.some((p) => globMatch(p, r.name))) return false;
    return true;
  });
  const roleOuts: RoleOut[] = [];
  for (const r of roleCandidates) {
    if (r.superuser) {
      notes.push(`role ${json(r.name)}: a superuser (not imported: declare it by hand, with superuser = true, if xp is to manage it)`);
      continue;
    }
    const catalog = input.roles[r.name];
    if (!catalog) continue; // dropped while we read
    roleOuts.push({ name: r.name, login: r.login, catalog, schemas: [], grants: [] });
  }
  const imported = new Map(roleOuts.map((r) => [r.name, r]));

  // ── schemas and extensions ──────────────────────────────────────────────────────────────
  const managedKeys = new Set(cluster.managed.map((m) => JSON.stringify([m.kind, m.database, m.name])));
  const schemas: Array<{ database: string; name: string; owner: string; comment: string | null; public_privileges: string[] }> = [];
  // PUBLIC's privileges on a new schema public (PostgreSQL 15 took away CREATE)
  const publicSchemaDefault = cluster.serverVersion >= 150000 ? ['USAGE'] : ['CREATE', 'USAGE'];
  const samePrivileges = (a: string[], b: string[]) => a.length === b.length && [...a].sort(byName).every((p, i) => p === [...b].sort(byName)[i]);
  const extensions: Array<{ database: string; name: string; schema: string; version: string }> = [];
  const skippedSchema = (db: string, s: string) => db === cluster.controlDatabase && (s === 'xplane' || s === cluster.dblinkSchema);
  for (const db of [...dbNames].sort(byName)) {
    const c = input.contents[db];
    if (!c) continue;
    for (const s of c.schemas) {
      if (skippedSchema(db, s.name)) continue;
      const isDefaultPublic =
        s.name === 'public' &&
        (s.owner === 'pg_database_owner' || s.owner === cluster.me) &&
        s.comment === 'standard public schema' &&
        samePrivileges(s.public_privileges ?? [], publicSchemaDefault);
      if (isDefaultPublic && !managedKeys.has(JSON.stringify(['Schema', db, s.name]))) continue;
      schemas.push({ database: db, ...s });
    }
    for (const e of c.extensions) {
      if (e.name === 'plpgsql') continue;
      if (db === cluster.controlDatabase && e.name === 'dblink') continue;
      extensions.push({ database: db, ...e });
    }
    // a role's column privileges are its grants (deriveGrants); PUBLIC's have no declaration
    for (const g of c.columnGrants)
      if (g.grantee === '') notes.push(`database ${json(db)}: ${g.privileges.join(', ')} on column ${json(g.schema)}.${json(g.object)}(${json(g.column)}) to PUBLIC (column privileges of PUBLIC)`);
    for (const g of c.grantOptions)
      if (imported.has(g.grantee)) notes.push(`database ${json(db)}: ${json(g.grantee)} holds ${g.privileges.join(', ')} on ${g.object} WITH GRANT OPTION (imported as grant_option = true where it covers a whole grant)`);
    for (const g of c.publicGrants) notes.push(`database ${json(db)}: ${g.privileges.join(', ')} on ${g.object} to PUBLIC`);
  }

  // ── grants ──────────────────────────────────────────────────────────────────────────────
  const version = cluster.serverVersion;
  const privilegesOf = new Map<GrantOut['on'], string[]>();
  const allOf = (on: GrantOut['on']): string[] => {
    let all = privilegesOf.get(on);
    if (all === undefined) {
      all = on === 'database' ? ['CONNECT', 'CREATE', 'TEMPORARY'] : [...privilegesByTarget[on]].filter((p) => p !== 'MAINTAIN' || version >= 170000).sort(byName);
      privilegesOf.set(on, all);
    }
    return all;
  };
  for (const r of roleOuts) deriveGrants(r, input, dbNames, allOf, skippedSchema, notes);
  // A LOGIN role needs its database (CONNECT held explicitly): without one it cannot be declared.
  const accounts = roleOuts.filter((r) => r.login);
  for (const r of accounts) {
    if (r.database === undefined) {
      notes.push(`login role ${json(r.name)}: holds CONNECT itself (not through PUBLIC) on none of the imported databases, and a service_account needs its database; not imported`);
      imported.delete(r.name);
    }
  }
  const finalRoles = roleOuts.filter((r) => imported.has(r.name));

  // default privileges the grants above do not cover
  for (const db of [...dbNames].sort(byName)) {
    const c = input.contents[db];
    const cat = input.grants[db];
    if (!c || !cat) continue;
    for (const d of c.defaultAcls) {
      if (d.schema !== null && skippedSchema(db, d.schema)) continue; // xp's own
      if (coveredByDefaultsOnly(d, db, imported.get(d.grantee)?.grants ?? [], cluster.me, d.schema === null ? [] : (cat.schemas[d.schema]?.future_for ?? []))) continue;
      // a global row starts from the built-in defaults: the creator's own rights are an owner's
      if (d.schema === null && d.grantee === d.forRole) continue;
      const covered =
        d.schema !== null &&
        ['r', 'S', 'f'].includes(d.objtype) &&
        d.grantee !== '' &&
        imported.has(d.grantee) &&
        ((cat.schemas[d.schema]?.future_for ?? []).includes(d.forRole) ||
          (imported.get(d.grantee)?.grants ?? []).some(
            (g) => g.database === db && g.schema === d.schema && (g.futureOwners ?? []).includes(d.forRole),
          )) &&
        !skippedSchema(db, d.schema);
      if (covered) continue;
      if (d.grantee !== '' && !imported.has(d.grantee) && d.grantee !== d.forRole) {
        // a role not imported (excluded, a system role): out of scope, like its other grants
        if (opts.include.length > 0 || opts.exclude.length > 0) continue;
      }
      const on = { r: 'tables', S: 'sequences', f: 'functions', T: 'types', n: 'schemas', L: 'large objects' }[d.objtype] ?? d.objtype;
      notes.push(
        `database ${json(db)}: default privileges of ${json(d.forRole)}${d.schema === null ? ' (in every schema)' : ` in schema ${json(d.schema)}`}: ${d.privileges.join(', ')} on ${on} to ${d.grantee === '' ? 'PUBLIC' : json(d.grantee)}`,
      );
    }
  }

  // grants made by a third grantor: with granted_by where that grantor made all of it
  // (grants.ts); otherwise declared like any other, and xp grants as itself
  for (const db of [...dbNames].sort(byName)) {
    const cat = input.grants[db];
    if (!cat) continue;
    const by = (what: string, grantors: Record<string, string[]> | undefined, at?: [string | null, string, string?]) => {
      for (const role of Object.keys(grantors ?? {}).sort(byName)) {
        if (!imported.has(role) || (at !== undefined && withGrantedBy(imported.get(role)!.grants, db, ...at))) continue;
        notes.push(`database ${json(db)}: the privileges of ${json(role)} on ${what} were granted by ${grantors![role]!.map(json).join(', ')} (a third grantor); xp declares them, and grants them as itself where it creates them`);
      }
    };
    by('the database', cat.db_grantors, [null, 'database']);
    for (const schema of Object.keys(cat.schemas).sort(byName)) if (!skippedSchema(db, schema)) by(`schema ${json(schema)}`, cat.schemas[schema]!.grantors, [schema, 'schema']);
    // on named objects and columns: one note per grant
    const c = input.contents[db];
    const onObjects: Array<ObjectGrant & { column?: string }> = [...(c?.objectGrants ?? []), ...(c?.columnGrants ?? [])];
    for (const g of onObjects) {
      if (g.grantors.length === 0 || !imported.has(g.grantee) || skippedSchema(db, g.schema)) continue;
      const what = g.column !== undefined ? `column ${json(g.schema)}.${json(g.object)}(${json(g.column)})` : `${g.on.replace(/s$/, '')} ${json(g.schema)}.${json(g.object)}`;
      by(what, { [g.grantee]: g.grantors }, g.column === undefined ? [g.schema, g.on, g.object] : undefined);
    }
  }

  // memberships granted by a third grantor: granted_by where it made the only grant
  // (memberships.ts), a note where other grantors granted it too
  const membershipGrantors = new MembershipGrantors(cluster);
  notes.push(...membershipGrantors.notes((m) => imported.has(m)));

  // memberships with options: `membership` blocks (membershipLines, below), read from
  // roles_catalog's member_options as observe reads them
  // settings: a database's own are its `settings`, a role's in one database its `database_settings`

  // ── labels ──────────────────────────────────────────────────────────────────────────────
  const declared = opts.declared;
  const isDeclared = (ns: 'database' | 'schema' | 'extension' | 'role', db: string, name: string) => declared?.addresses.has(identityKey(ns, db, name)) === true;
  const used = (type: string) => declared?.labels[type] ?? new Set<string>();
  const dbLabels = assignLabels(databases.filter((d) => !isDeclared('database', '', d.name)).map((d) => ({ key: d.name, name: d.name })), used('database'));
  // a database's label, or (declared elsewhere) a label-like form of its name
  const dbPart = (db: string) => dbLabels.get(db)?.label ?? sanitizedPart(db);
  const schemaCount = new Map<string, number>();
  for (const s of schemas) schemaCount.set(s.name, (schemaCount.get(s.name) ?? 0) + 1);
  const skey = (db: string, s: string) => JSON.stringify([db, s]);
  const schemaLabels = assignLabels(
    schemas
      .filter((s) => !isDeclared('schema', s.database, s.name))
      .map((s) => ({ key: skey(s.database, s.name), name: s.name, ...(schemaCount.get(s.name)! > 1 ? { prefer: `${dbPart(s.database)}-${sanitizedPart(s.name)}` } : {}) })),
    used('schema'),
  );
  const extCount = new Map<string, number>();
  for (const e of extensions) extCount.set(e.name, (extCount.get(e.name) ?? 0) + 1);
  const extLabels = assignLabels(
    extensions
      .filter((e) => !isDeclared('extension', e.database, e.name))
      .map((e) => ({ key: skey(e.database, e.name), name: e.name, ...(extCount.get(e.name)! > 1 ? { prefer: `${dbPart(e.database)}-${sanitizedPart(e.name)}` } : {}) })),
    used('extension'),
  );
  const roleLabels = assignLabels(finalRoles.filter((r) => !r.login && !isDeclared('role', '', r.name)).map((r) => ({ key: r.name, name: r.name })), used('role'));
  const accountLabels = assignLabels(finalRoles.filter((r) => r.login && !isDeclared('role', '', r.name)).map((r) => ({ key: r.name, name: r.name })), used('service_account'));

  // ── references ──────────────────────────────────────────────────────────────────────────
  // A reference to an object grouped with for_each names its instance; inside the block of a
  // group, an instance of the same key is `[each.key]` (see groupRepeated below).
  let currentKey: string | undefined;
  const groupOf = new Map<string, Group>();
  const refTo = (id: string, plain: string): string => {
    const g = groupOf.get(id);
    if (!g) return plain;
    return `${g.type}.${g.label}[${currentKey !== undefined && g.keys.get(id) === currentKey ? 'each.key' : quote(g.keys.get(id)!)}]`;
  };
  const roleRef = (name: string, accountsToo: boolean): string => {
    const d = declared?.addresses.get(identityKey('role', '', name));
    if (d) return d.type === 'role' || accountsToo ? d.address : quote(name);
    const r = imported.get(name);
    if (r && !r.login) return refTo(`role:${name}`, `role.${roleLabels.get(name)!.label}`);
    if (r && r.login && accountsToo) return refTo(`role:${name}`, `service_account.${accountLabels.get(name)!.label}`);
    return quote(name);
  };
  const dbRef = (name: string, from?: string): string =>
    declared?.addresses.get(identityKey('database', '', name))?.address ??
    (dbLabels.has(name) && (from === undefined || graph.allowed(from, `database:${name}`)) ? `database.${dbLabels.get(name)!.label}` : quote(name));
  const schemaRef = (db: string, name: string, from?: string): string => {
    const d = declared?.addresses.get(identityKey('schema', db, name));
    if (d) return d.address;
    const l = schemaLabels.get(skey(db, name));
    return l && (from === undefined || graph.allowed(from, `schema:${skey(db, name)}`)) ? refTo(`schema:${skey(db, name)}`, `schema.${l.label}`) : quote(name);
  };

  // references that would close a dependency cycle are written as names (references.ts)
  const graph = new ReferenceGraph();
  {
    const roleId = (name: string) => (imported.has(name) && !isDeclared('role', '', name) ? `role:${name}` : undefined);
    const dbId = (name: string) => (dbLabels.has(name) ? `database:${name}` : undefined);
    const schemaId = (db: string, name: string) => (schemaLabels.has(skey(db, name)) ? `schema:${skey(db, name)}` : undefined);
    const hard = (from: string, to: string | undefined) => to !== undefined && graph.add(from, to);
    for (const d of databases) if (d.owner !== cluster.me) hard(`database:${d.name}`, roleId(d.owner));
    for (const s of schemas) {
      hard(`schema:${skey(s.database, s.name)}`, dbId(s.database));
      if (s.owner !== cluster.me) hard(`schema:${skey(s.database, s.name)}`, roleId(s.owner));
    }
    for (const e of extensions) {
      hard(`extension:${skey(e.database, e.name)}`, dbId(e.database));
      hard(`extension:${skey(e.database, e.name)}`, schemaId(e.database, e.schema));
    }
    for (const r of finalRoles) for (const m of r.catalog.member_of) hard(`role:${r.name}`, roleId(m));
    const soft = (from: string, to: string | undefined) => to !== undefined && graph.offer(from, to);
    for (const r of [...finalRoles].sort((a, b) => byName(a.name, b.name))) {
      const from = `role:${r.name}`;
      if (r.login && r.database !== undefined) soft(from, dbId(r.database));
      for (const s of r.schemas) soft(from, schemaId(s.database, s.schema));
      for (const g of r.grants) {
        if (!(r.login && g.database === r.database)) soft(from, dbId(g.database));
        if (g.schema !== null) soft(from, schemaId(g.database, g.schema));
        for (const o of g.futureOwners ?? []) soft(from, roleId(o));
        if (g.grantedBy !== undefined) soft(from, roleId(g.grantedBy));
      }
      for (const g of [...r.catalog.member_of].sort(byName)) {
        const by = membershipGrantors.grantedBy(r.name, g);
        if (by !== undefined) soft(from, roleId(by));
      }
    }
  }

  // ── text ────────────────────────────────────────────────────────────────────────────────
  const out: string[] = [];
  const selected = new Set<string>();
  for (const d of databases) selected.add(JSON.stringify(['Database', '', d.name]));
  for (const s of schemas) selected.add(JSON.stringify(['Schema', s.database, s.name]));
  for (const e of extensions) selected.add(JSON.stringify(['Extension', e.database, e.name]));
  for (const r of finalRoles) selected.add(JSON.stringify([r.login ? 'ServiceAccount' : 'Role', '', r.name]));
  const managed = cluster.managed.filter((m) => selected.has(JSON.stringify([m.kind, m.database, m.name])));
  const stacks = [...new Set(managed.map((m) => m.stack))].sort(byName);
  const providers = [...new Set(managed.map((m) => m.provider))].sort(byName);
  if (declared) {
    out.push('# Written by `xp import --check`: what the server has and the configuration does not declare.');
    out.push('# Passwords are never exported: service accounts keep the password they have.');
  } else {
    out.push('# Written by `xp import`: the server as xp can declare it. Review it, then `xp plan` (it should');
    out.push('# show no changes, or only adoptions), then commit it. Passwords are never exported: service');
    out.push('# accounts keep the password they have.');
  }
  if (stacks.length > 1 && !declared) {
    const w = `the imported objects are managed by several stacks (${stacks.map(json).join(', ')}): a plan of this configuration reports conflicts; import each stack's objects separately (--include, --databases)`;
    warnings.push(w);
    out.push(`# Warning: ${w}.`);
  }
  if (notes.length > 0) {
    out.push('#');
    out.push('# Not imported (xp has no kind or attribute for these yet):');
    for (const n of notes) out.push(`#   - ${commentSafe(n)}`);
  }
  out.push('');
  if (stacks.length === 1 && !declared) out.push(`stack ${quote(stacks[0]!)} {}`, '');
  if (providers.length === 1 && providers[0] !== 'default' && !declared) out.push(`provider ${quote(providers[0]!)} {}`, '');

  // the lifecycle the stack recorded for an object it manages (a plan compares it too)
  const lifecycleOf = (kind: string, database: string, name: string): string | undefined => {
    const m = managed.find((x) => x.kind === kind && x.database === database && x.name === name);
    if (!m) return undefined;
    const lines: string[] = [];
    if (m.prevent_destroy) lines.push('prevent_destroy = true');
    if (m.deletion_policy === 'orphan') lines.push('deletion_policy = "orphan"');
    if (m.ignore_changes.length > 0) lines.push(`ignore_changes = [${[...m.ignore_changes].sort(byName).join(', ')}]`);
    return lines.length === 0 ? undefined : `lifecycle {\n${lines.join('\n')}\n}`;
  };
  const items: Item[] = [];
  const block = (
    type: Item['type'],
    id: string,
    name: string,
    scope: string,
    l: Labelled,
    attrs: () => Array<[string, string | undefined]>,
    nested: () => string[] = () => [],
    lifecycle?: string,
  ) => {
    items.push({
      type,
      id,
      name,
      scope,
      labelled: l,
      render: () => {
        const lines: string[] = [];
        for (const [k, v] of attrs()) if (v !== undefined) lines.push(`${k} = ${v}`);
        for (const n of nested()) lines.push('', n);
        if (lifecycle !== undefined) lines.push('', lifecycle);
        return lines;
      },
    });
  };

  /** ALTER DATABASE … SET of a database (for every role), as a map: "name=value" split at the first "=". */
  const databaseSettings = (name: string): Record<string, string> =>
    Object.fromEntries(
      cluster.databaseSettings
        .filter((s) => s.database === name && s.role === null)
        .flatMap((s) => s.settings)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
  const settingsMap = (settings: Record<string, string>): string | undefined => {
    const keys = Object.keys(settings).sort(byName);
    if (keys.length === 0) return undefined;
    return `{\n${keys.map((k) => `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !['true', 'false', 'null', 'for', 'in', 'if'].includes(k) ? k : quote(k)} = ${quote(settings[k]!)}`).join('\n')}\n}`;
  };
  const missing = {
    databases: databases.filter((d) => !isDeclared('database', '', d.name)),
    schemas: schemas.filter((x) => !isDeclared('schema', x.database, x.name)),
    extensions: extensions.filter((e) => !isDeclared('extension', e.database, e.name)),
    roles: finalRoles.filter((r) => !isDeclared('role', '', r.name)),
  };
  const list = (items: string[]) => `[${items.join(', ')}]`;
  for (const d of missing.databases) {
    block('database', `database:${d.name}`, d.name, '', dbLabels.get(d.name)!, () => [
      ['owner', d.owner === cluster.me ? undefined : roleRef(d.owner, true)],
      ['encoding', d.encoding === 'UTF8' ? undefined : quote(d.encoding)],
      ['lc_collate', d.lc_collate === cluster.template1.lc_collate ? undefined : quote(d.lc_collate)],
      ['lc_ctype', d.lc_ctype === cluster.template1.lc_ctype ? undefined : quote(d.lc_ctype)],
      ['connection_limit', d.connection_limit === -1 ? undefined : String(d.connection_limit)],
      ['allow_connections', d.allow_connections ? undefined : 'false'],
      ['settings', settingsMap(databaseSettings(d.name))],
      ['comment', d.comment === null ? undefined : quote(d.comment)],
      // PUBLIC's privileges, when they are not a new database's (CONNECT, TEMPORARY)
      ['public_privileges', samePrivileges(d.public_privileges ?? [], ['CONNECT', 'TEMPORARY']) ? undefined : list((d.public_privileges ?? []).map(quote))],
    ], undefined, lifecycleOf('Database', '', d.name));
  }
  for (const s of missing.schemas) {
    block('schema', `schema:${skey(s.database, s.name)}`, s.name, s.database, schemaLabels.get(skey(s.database, s.name))!, () => [
      ['database', dbRef(s.database)],
      ['owner', s.owner === cluster.me ? undefined : roleRef(s.owner, true)],
      ['comment', s.comment === null ? undefined : quote(s.comment)],
      // PUBLIC's privileges, when they are not a new schema's (none; schema public: publicSchemaDefault)
      [
        'public_privileges',
        samePrivileges(s.public_privileges ?? [], s.name === 'public' ? publicSchemaDefault : []) ? undefined : list((s.public_privileges ?? []).map(quote)),
      ],
    ], undefined, lifecycleOf('Schema', s.database, s.name));
  }
  for (const e of missing.extensions) {
    block('extension', `extension:${skey(e.database, e.name)}`, e.name, e.database, extLabels.get(skey(e.database, e.name))!, () => [
      ['database', dbRef(e.database)],
      ['schema', schemaRef(e.database, e.schema)],
      ['version', quote(e.version)],
    ], undefined, lifecycleOf('Extension', e.database, e.name));
  }
  const membershipsOfRole = (name: string, c: CatalogRole) =>
    membershipsOf(name, c, membershipGrantors, (g) => roleRef(g, false), (by) => (graph.allowed(`role:${name}`, `role:${by}`) ? roleRef(by, true) : quote(by)));
  const grantBlock = (g: GrantOut, account: RoleOut): string => {
    const lines = ['grant {'];
    const from = `role:${account.name}`;
    if (!(account.login && g.database === account.database)) lines.push(`database = ${dbRef(g.database, from)}`);
    if (g.schema !== null) lines.push(`schema = ${schemaRef(g.database, g.schema, from)}`);
    if (g.on !== 'tables') lines.push(`on = ${quote(g.on)}`);
    if (g.objects !== undefined) lines.push(`objects = ${list(g.objects.map(quote))}`);
    if (g.columns !== undefined) lines.push(`columns = ${list(g.columns.map(quote))}`);
    // object-level grants name their privileges (ALL would read as every privilege of the schema's objects)
    const all = g.objects !== undefined ? [] : allOf(g.on);
    const privs = g.privileges.length === all.length && all.every((p) => g.privileges.includes(p)) ? ['ALL'] : g.privileges;
    lines.push(`privileges = ${list(privs.map(quote))}`);
    if (g.grantOption) lines.push('grant_option = true');
    if (g.future) lines.push('future = true');
    if ((g.futureOwners ?? []).length > 0) lines.push(`future_owners = ${list(g.futureOwners!.map((o) => (graph.allowed(`role:${account.name}`, `role:${o}`) ? roleRef(o, true) : quote(o))))}`);
    if (g.grantedBy !== undefined) lines.push(`granted_by = ${graph.allowed(`role:${account.name}`, `role:${g.grantedBy}`) ? roleRef(g.grantedBy, true) : quote(g.grantedBy)}`);
    lines.push('}');
    return lines.join('\n');
  };
  // The role attributes (src/kinds/role-attributes.ts) that differ from the kind's defaults.
  const roleAttributeLines = (c: CatalogRole): Array<[string, string | undefined]> => {
    const flag = (v: boolean | undefined, dflt: boolean) => (v === undefined || v === dflt ? undefined : String(v));
    const dbSettings = Object.keys(c.database_settings ?? {}).sort(byName);
    // login is each kind's default: a role is NOLOGIN, a service account LOGIN
    return [
      ['superuser', flag(c.superuser, false)],
      ['createdb', flag(c.createdb, false)],
      ['createrole', flag(c.createrole, false)],
      ['replication', flag(c.replication, false)],
      ['bypass_row_level_security', flag(c.bypass_row_level_security, false)],
      ['inherit', flag(c.inherit, true)],
      ['connection_limit', c.connection_limit === -1 ? undefined : String(c.connection_limit)],
      ['valid_until', c.valid_until === null ? undefined : quote(c.valid_until)],
      ['settings', settingsMap(c.settings)],
      [
        'database_settings',
        dbSettings.length === 0 ? undefined : `{\n${dbSettings.map((d) => `${quote(d)} = ${settingsMap(c.database_settings[d]!)}`).join('\n')}\n}`,
      ],
    ];
  };
  for (const r of missing.roles.filter((x) => !x.login)) {
    const c = r.catalog;
    const ms = membershipsOfRole(r.name, c);
    block(
      'role',
      `role:${r.name}`,
      r.name,
      '',
      roleLabels.get(r.name)!,
      () => [
        ...roleAttributeLines(c),
        ['member_of', ms.memberOf.length === 0 ? undefined : list(ms.memberOf.map((m) => roleRef(m, false)))],
        ['comment', c.comment === null ? undefined : quote(c.comment)],
      ],
      () => [...ms.blocks, ...r.grants.map((g) => grantBlock(g, r))],
      lifecycleOf('Role', '', r.name),
    );
  }
  for (const r of missing.roles.filter((x) => x.login)) {
    const c = r.catalog;
    const ms = membershipsOfRole(r.name, c);
    block(
      'service_account',
      `role:${r.name}`,
      r.name,
      '',
      accountLabels.get(r.name)!,
      () => [
        ['database', dbRef(r.database!, `role:${r.name}`)],
        ['schemas', r.schemas.length === 0 ? undefined : list(r.schemas.map((s) => schemaRef(s.database, s.schema, `role:${r.name}`)))],
        ['member_of', ms.memberOf.length === 0 ? undefined : list(ms.memberOf.map((m) => roleRef(m, false)))],
        ...roleAttributeLines(c),
        ['comment', c.comment === null ? undefined : quote(c.comment)],
      ],
      () => [...ms.blocks, ...r.grants.map((g) => grantBlock(g, r))],
      lifecycleOf('ServiceAccount', '', r.name),
    );
  }
  if (!declared) groupRepeated(items, groupOf, (key) => (currentKey = key));
  const emitted = new Set<Group>();
  for (const it of items) {
    const g = groupOf.get(it.id);
    if (g) {
      if (emitted.has(g)) continue;
      emitted.add(g);
      const first = g.members[0]!;
      currentKey = g.keys.get(first.id);
      const body = first.render();
      currentKey = undefined;
      const keys = g.members.map((m) => g.keys.get(m.id)!).sort(byName);
      out.push(`${g.type} ${quote(g.label)} {`, `for_each = toset([${keys.map(quote).join(', ')}])`, `name = "${g.pattern.replace('*', '${each.value}')}"`, ...body, '}', '');
      continue;
    }
    out.push(`${it.type} ${quote(it.labelled.label)} {`);
    if (it.labelled.explicitName !== undefined) out.push(`name = ${quote(it.labelled.explicitName)}`);
    out.push(...it.render(), '}', '');
  }
  if (opts.importBlocks && !declared) out.push(...importBlockLines(items, groupOf, managed));
  while (out[out.length - 1] === '') out.pop();
  return {
    text: out.join('\n') + '\n',
    notImported: notes,
    warnings,
    counts: {
      database: missing.databases.length,
      schema: missing.schemas.length,
      extension: missing.extensions.length,
      role: missing.roles.filter((r) => !r.login).length,
      service_account: missing.roles.filter((r) => r.login).length,
    },
  };
}

const KIND_OF_TYPE: Record<string, string> = { database: 'Database', schema: 'Schema', extension: 'Extension', role: 'Role', service_account: 'ServiceAccount' };

/**
 * `import` blocks (docs/import.md) for the objects written that no stack manages: one per
 * instance (a for_each group names each, `schema.tenant["acme"]`), `id` the PostgreSQL name.
 * Objects a stack manages need none (its plan is the ordinary one).
 */
function importBlockLines(items: Item[], groupOf: Map<string, Group>, managed: Array<{ kind: string; database: string | null; name: string }>): string[] {
  const owned = new Set(managed.map((m) => JSON.stringify([m.kind, m.database ?? '', m.name])));
  const lines: string[] = [];
  for (const it of items) {
    if (owned.has(JSON.stringify([KIND_OF_TYPE[it.type], it.scope, it.name]))) continue;
    const g = groupOf.get(it.id);
    const to = g ? `${g.type}.${g.label}[${quote(g.keys.get(it.id)!)}]` : `${it.type}.${it.labelled.label}`;
    lines.push(`import {`, `to = ${to}`, `id = ${quote(it.name)}`, '}', '');
  }
  if (lines.length === 0) return [];
  return ['# Adoption: each object below exists on the server and no stack manages it yet; the plan', '# shows it as "will be imported" and apply records it for this stack, changing nothing.', '', ...lines];
}

export class ImportError extends Error {}

/** A comment line holds no line break (a hostile name may): JSON escapes did that already. */
function commentSafe(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]/g, ' ');
}

function sanitizedPart(s: string): string {
  const p = s.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return p === '' ? 'x' : p;
}

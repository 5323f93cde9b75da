// What only the server can judge, asked before the first change: names a configuration writes
// as strings and does not declare (`owner = "app"`, `database = "shop"`, `member_of =
// ["readers"]`), the extensions it installs, updates or moves, its databases' locales and
// tablespaces, and the role and database settings it sets. A reference (`role.app`) always
// names a declared resource; a string may name anything.
// When it names a database or role that is neither declared nor on the server, or an extension
// (version), a locale or a setting value the server does not have or refuses, the change would
// fail only at apply, perhaps after other changes were made: the plan refuses it instead, at
// the resource (src/apply/engine.ts asks the server, xplane.missing_names).
import type { Configuration, ResourceInstance, Value } from '../model/types.js';
import { kindByName, namingAttributes, type NamedNamespace, type NamingAttributes } from '../kinds/index.js';
import { jsonEqual } from './canonical.js';
import { instanceKey } from './identity.js';
import type { ObservedItem, ResourceKey } from './types.js';

/** The cluster-wide namespaces a string can name that the server can be asked about. */
type Namespace = NamedNamespace;

export interface ExtensionWanted {
  name: string;
  /** null: the default version. */
  version: string | null;
  /** The version installed, when the extension exists (an update: ALTER EXTENSION … UPDATE TO). */
  from?: string;
}

export interface SchemaWanted {
  database: string;
  schema: string;
}

/** An object (or a column of it) an object-level grant names (`objects`, `columns`). */
export interface ObjectWanted extends SchemaWanted {
  on: string;
  /** As written: a function with its argument types, normalised by the server. */
  object: string;
  column?: string;
}

export interface Missing {
  databases: string[];
  schemas: SchemaWanted[];
  /** Of the objects asked about in databases and schemas that exist, those the server lacks. */
  objects?: ObjectWanted[];
  roles: string[];
  extensions: ExtensionWanted[];
  locales: string[];
  tablespaces: string[];
  /** Of the extensions to update, those with no path of update scripts from the installed version. */
  no_update_path: ExtensionWanted[];
  /** Of the extensions to move to another schema, those whose installed version is not relocatable. */
  not_relocatable: ExtensionWanted[];
  /** Settings the server refuses, with its message. */
  settings: Array<SettingWanted & { problem: string }>;
  /** Of the databases asked about that exist: what CREATE DATABASE … TEMPLATE would copy. */
  database_locales: Record<string, { encoding: string; lc_collate: string; lc_ctype: string }>;
  /** Whether the role xp connects as is superuser (only one may make a role superuser). */
  superuser?: boolean;
  /** The server's server_version_num (membership options inherit and set need 160000). */
  server_version_num?: number;
}

export interface SettingWanted {
  name: string;
  /** As normalised by the provider (and as apply sets it). */
  value: string;
}

interface Use {
  key: ResourceKey;
  provider: string;
  namespace: Namespace;
  name: string;
  /** For a schema: the database it is in. */
  database?: string;
  /** `owner`, `grant.database` … */
  attribute: string;
}

function strings(v: Value | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/**
 * Whether apply may set this key of the spec: the resource is new, or the key's value differs
 * from what the server has. What the server has already is not asked about again, so that a
 * plan that changes nothing asks nothing (no round trip).
 */
function mayChange(item: ObservedItem | undefined, key: string): boolean {
  if (!item?.observed || !item.normalized) return true;
  // a key observe does not return (template) matters only to a create
  if (!(key in item.observed)) return false;
  return !jsonEqual(item.normalized[key] ?? null, item.observed[key] ?? null);
}

/** Every database, role and schema name a resource's attributes and nested blocks refer to, where apply may set it. */
function usesOf({ r, key, item }: Entry): Use[] {
  const n = namingAttributes(r.kind);
  const out: Use[] = [];
  const base = { key, provider: r.provider };
  const collect = (attrs: NamingAttributes['attributes'], values: Record<string, Value>, prefix: string, whole?: boolean) => {
    // a schema is in the block's database, else the resource's
    const database = [values.database, r.spec.database].find((d): d is string => typeof d === 'string');
    for (const { attr, namespace } of attrs) {
      if (namespace === 'schema' && database === undefined) continue;
      // a nested block's whole value (grants) was compared already
      if (!whole && !mayChange(item, attr)) continue;
      for (const name of strings(values[attr])) {
        out.push({ ...base, namespace, name, attribute: prefix + attr, ...(namespace === 'schema' ? { database } : {}) });
      }
    }
  };
  collect(n.attributes, r.spec, '');
  // database_settings: its keys name databases (ALTER ROLE … IN DATABASE needs them to exist)
  const byDatabase = r.spec['database_settings'];
  if ((r.kind === 'Role' || r.kind === 'ServiceAccount') && isPlainMap(byDatabase) && mayChange(item, 'database_settings')) {
    for (const name of Object.keys(byDatabase)) out.push({ ...base, namespace: 'database', name, attribute: 'database_settings' });
  }
  for (const block of n.blocks) {
    const items = r.spec[block.specKey];
    if (!items || !mayChange(item, block.specKey)) continue;
    const list = Array.isArray(items) ? items : typeof items === 'object' ? [items] : [];
    for (const x of list) {
      if (x && typeof x === 'object' && !Array.isArray(x)) collect(block.attributes, x as Record<string, Value>, `${block.type}.`, true);
    }
  }
  return out;
}

/** A resource with its identity and what observe returned for it, looked up once. */
interface Entry {
  r: ResourceInstance;
  key: ResourceKey;
  item: ObservedItem | undefined;
}

/** What to ask the server: per provider config, the names used and not declared, and the extensions. */
export interface NameQuestion {
  provider: string;
  databases: string[];
  schemas: SchemaWanted[];
  /** Objects of object-level grants that may change (sent with the schemas to missing_names). */
  objects: ObjectWanted[];
  roles: string[];
  extensions: ExtensionWanted[];
  locales: string[];
  settings: SettingWanted[];
  tablespaces: string[];
  /** Extensions to move to another schema, with their installed version. */
  relocations: ExtensionWanted[];
  /** Roles the plan would make superuser: asked so that the server says whether xp may. */
  superusers: string[];
  /** Roles whose memberships the plan would give inherit or set options: asked for the server's version (not sent). */
  membershipOptions: string[];
}

export interface UndeclaredNames {
  questions: NameQuestion[];
  /** Given what each provider's server lacks, each resource's problem (one sentence). */
  problems(missing: ReadonlyMap<string, Missing>): Map<ResourceKey, string>;
  /** Given the answers, the roles made superuser by an xp that is not (one sentence each). */
  privilegeProblems(missing: ReadonlyMap<string, Missing>): Map<ResourceKey, string>;
  /** Given the answers, the features the server's version lacks (membership inherit / set before 16). */
  versionProblems(missing: ReadonlyMap<string, Missing>): Map<ResourceKey, string>;
}

/** Membership options that need PostgreSQL 16 (inherit other than the role's own, set = false) that apply may set. */
function membershipOptions16({ r, item }: Entry): string[] {
  if (r.kind !== 'Role' && r.kind !== 'ServiceAccount') return [];
  const n = item?.normalized;
  if (!n) return [];
  const memberships = Array.isArray(n.memberships) && mayChange(item, 'memberships') ? n.memberships : [];
  const members = Array.isArray(n.members) && mayChange(item, 'members') ? n.members : [];
  return [
    ...memberships.flatMap((m) =>
      isPlainMap(m) && typeof m.role === 'string' && (m.inherit !== n.inherit || m.set === false)
        ? [`membership in ${JSON.stringify(m.role)}: inherit = ${JSON.stringify(m.inherit ?? null)}, set = ${JSON.stringify(m.set ?? null)}`]
        : [],
    ),
    // a member's inherit is managed only when set
    ...members.flatMap((m) =>
      isPlainMap(m) && typeof m.role === 'string' && ((m.inherit !== null && m.inherit !== undefined) || m.set === false)
        ? [`member ${JSON.stringify(m.role)}: inherit = ${m.inherit === null || m.inherit === undefined ? 'not set' : JSON.stringify(m.inherit)}, set = ${JSON.stringify(m.set ?? null)}`]
        : [],
    ),
  ];
}

/** The objects and columns a role's or service account's object-level grants name, when its grants may change. */
function objectsOf({ r, item }: Entry): ObjectWanted[] {
  if ((r.kind !== 'Role' && r.kind !== 'ServiceAccount') || !Array.isArray(r.spec['grants']) || !mayChange(item, 'grants')) return [];
  const out: ObjectWanted[] = [];
  for (const g of r.spec['grants']) {
    if (!isPlainMap(g) || !Array.isArray(g['objects'])) continue;
    const database = [g['database'], r.spec['database']].find((d): d is string => typeof d === 'string');
    if (database === undefined || typeof g['schema'] !== 'string') continue;
    const on = typeof g['on'] === 'string' ? g['on'].toLowerCase() : 'tables';
    const columns = Array.isArray(g['columns']) ? g['columns'].filter((c): c is string => typeof c === 'string') : [];
    for (const object of g['objects']) {
      if (typeof object !== 'string') continue;
      out.push({ database, schema: g['schema'], on, object });
      for (const column of columns) out.push({ database, schema: g['schema'], on, object, column });
    }
  }
  return out;
}

const sameObject = (a: ObjectWanted, b: ObjectWanted) =>
  a.database === b.database && a.schema === b.schema && a.on === b.on && a.object === b.object && a.column === b.column;

const OBJECT_NOUN: Record<string, string> = { tables: 'table', sequences: 'sequence', functions: 'function', types: 'type or domain' };

/** A role or service account whose apply would set SUPERUSER (new, or not superuser yet). */
const makesSuperuser = ({ r, item }: Entry): boolean =>
  (r.kind === 'Role' || r.kind === 'ServiceAccount') && item?.normalized?.superuser === true && mayChange(item, 'superuser');

const extensionOf = ({ r, item }: Entry): ExtensionWanted => {
  const from = item?.observed?.version;
  return { name: r.name, version: typeof r.spec.version === 'string' ? r.spec.version : null, ...(typeof from === 'string' ? { from } : {}) };
};
const sameExtension = (a: ExtensionWanted, b: ExtensionWanted) => a.name === b.name && a.version === b.version && a.from === b.from;
const LOCALE_KEYS = ['lc_collate', 'lc_ctype'] as const;
const localesOf = (r: ResourceInstance) =>
  r.kind === 'Database' ? LOCALE_KEYS.flatMap((k) => (typeof r.spec[k] === 'string' ? [[k, r.spec[k]] as const] : [])) : [];

const isPlainMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The settings a role, service account or database would set (new, or changed on the server); a role's for all databases or in one. */
function settingsToSet({ r, item }: Entry): SettingWanted[] {
  if (r.kind !== 'Role' && r.kind !== 'ServiceAccount' && r.kind !== 'Database') return [];
  const differing = (desired: unknown, current: unknown): SettingWanted[] =>
    isPlainMap(desired)
      ? Object.entries(desired).flatMap(([name, value]) => (typeof value === 'string' && (isPlainMap(current) ? current[name] : undefined) !== value ? [{ name, value }] : []))
      : [];
  const byDatabase = item?.normalized?.database_settings;
  const observed = item?.observed?.database_settings;
  return [
    ...differing(item?.normalized?.settings, item?.observed?.settings ?? {}),
    ...(isPlainMap(byDatabase) ? Object.entries(byDatabase).flatMap(([db, m]) => differing(m, isPlainMap(observed) ? observed[db] : undefined)) : []),
  ];
}

/** The tablespace a database would be created in or moved to. */
function tablespaceOf({ r, item }: Entry): string | undefined {
  const tablespace = item?.normalized?.tablespace;
  return r.kind === 'Database' && typeof tablespace === 'string' && mayChange(item, 'tablespace') ? tablespace : undefined;
}

/** An existing extension that would move to another schema (ALTER EXTENSION … SET SCHEMA), with its installed version. */
function relocationOf({ r, item }: Entry): ExtensionWanted | undefined {
  const version = item?.observed?.version;
  if (r.kind !== 'Extension' || typeof version !== 'string' || typeof item?.normalized?.schema !== 'string' || !mayChange(item, 'schema')) return undefined;
  return { name: r.name, version };
}

/** The template of a database being created (the provider fills template1), unless template0. */
function templateOf({ r, item }: Entry): string | undefined {
  const template = item?.normalized?.template;
  return r.kind === 'Database' && !item?.observed && typeof template === 'string' && template !== 'template0' ? template : undefined;
}

/**
 * A database being created from a template other than template0 copies it: its encoding and
 * locale must be the template's (CREATE DATABASE refuses otherwise).
 */
function templateProblems(e: Entry, missing: Missing | undefined): string[] {
  const template = templateOf(e);
  const wanted = e.item?.normalized;
  const copied = template === undefined ? undefined : missing?.database_locales[template];
  if (!copied || !wanted) return [];
  return (['encoding', 'lc_collate', 'lc_ctype'] as const).flatMap((key) =>
    typeof wanted[key] === 'string' && wanted[key] !== copied[key]
      ? [`${key} ${JSON.stringify(wanted[key])} differs from template ${JSON.stringify(template)}'s (${JSON.stringify(copied[key])}): a database copied from a template keeps its ${key}; use template = "template0", or the template's`]
      : [],
  );
}

export function undeclaredNames(config: Configuration, observed: ReadonlyMap<ResourceKey, ObservedItem>): UndeclaredNames {
  const id = (provider: string, namespace: string, name: string, database = '') => JSON.stringify([provider, namespace, database, name]);
  const declared = new Set<string>();
  for (const r of config.resources) {
    const ns = kindByName(r.kind)?.namespace;
    if (ns === 'database' || ns === 'role') declared.add(id(r.provider, ns, r.name));
    if (ns === 'schema' && typeof r.spec.database === 'string') declared.add(id(r.provider, ns, r.name, r.spec.database));
  }
  const entries: Entry[] = config.resources.map((r) => {
    const key = instanceKey(r);
    return { r, key, item: observed.get(key) };
  });
  const uses = entries.flatMap(usesOf).filter((u) => !declared.has(id(u.provider, u.namespace, u.name, u.database)));
  const extensions = entries.filter((e) => e.r.kind === 'Extension' && (mayChange(e.item, 'version') || !e.item?.observed));
  type Asked = Exclude<keyof NameQuestion, 'provider'>;
  const byProvider = new Map<string, Record<Asked, Map<string, unknown>>>();
  const ask = <K extends Asked>(provider: string, what: K, item: NameQuestion[K][number]) => {
    let q = byProvider.get(provider);
    if (!q)
      byProvider.set(
        provider,
        (q = {
          databases: new Map(),
          schemas: new Map(),
          objects: new Map(),
          roles: new Map(),
          extensions: new Map(),
          locales: new Map(),
          settings: new Map(),
          tablespaces: new Map(),
          relocations: new Map(),
          superusers: new Map(),
          membershipOptions: new Map(),
        }),
      );
    q[what].set(JSON.stringify(item), item);
  };
  for (const u of uses) {
    if (u.namespace === 'schema') ask(u.provider, 'schemas', { database: u.database!, schema: u.name });
    else ask(u.provider, u.namespace === 'database' ? 'databases' : 'roles', u.name);
  }
  for (const e of extensions) ask(e.r.provider, 'extensions', extensionOf(e));
  for (const e of entries) {
    const { r } = e;
    if (!e.item?.observed) for (const [, locale] of localesOf(r)) ask(r.provider, 'locales', locale);
    const template = templateOf(e);
    if (template !== undefined) ask(r.provider, 'databases', template);
    for (const s of settingsToSet(e)) ask(r.provider, 'settings', s);
    const tablespace = tablespaceOf(e);
    if (tablespace !== undefined) ask(r.provider, 'tablespaces', tablespace);
    const relocation = relocationOf(e);
    if (relocation !== undefined) ask(r.provider, 'relocations', relocation);
    if (makesSuperuser(e)) ask(r.provider, 'superusers', r.name);
    if (membershipOptions16(e).length > 0) ask(r.provider, 'membershipOptions', r.name);
    for (const o of objectsOf(e)) ask(r.provider, 'objects', o);
  }
  const values = <T>(m: Map<string, unknown>) => [...m.keys()].sort().map((k) => m.get(k) as T);
  return {
    questions: [...byProvider].map(([provider, q]) => ({
      provider,
      databases: values(q.databases),
      schemas: values(q.schemas),
      objects: values(q.objects),
      roles: values(q.roles),
      extensions: values(q.extensions),
      locales: values(q.locales),
      settings: values(q.settings),
      tablespaces: values(q.tablespaces),
      relocations: values(q.relocations),
      superusers: values(q.superusers),
      membershipOptions: values(q.membershipOptions),
    })),
    versionProblems(missing) {
      const out = new Map<ResourceKey, string>();
      for (const e of entries) {
        const version = missing.get(e.r.provider)?.server_version_num;
        const options = membershipOptions16(e);
        if (options.length === 0 || version === undefined || version >= 160000) continue;
        out.set(
          e.key,
          `${options.join('; ')}: the inherit and set options of a membership need PostgreSQL 16 or later, and the server (provider ${JSON.stringify(e.r.provider)}) is ${Math.floor(version / 10000)} (there a membership inherits as the role's own inherit says, and always allows SET ROLE)`,
        );
      }
      return out;
    },
    privilegeProblems(missing) {
      const out = new Map<ResourceKey, string>();
      for (const e of entries) {
        if (!makesSuperuser(e) || missing.get(e.r.provider)?.superuser !== false) continue;
        out.set(
          e.key,
          `superuser = true: only a superuser can make a role superuser, and the role xp connects as (provider ${JSON.stringify(e.r.provider)}) is not one`,
        );
      }
      return out;
    },
    problems(missing) {
      const out = new Map<ResourceKey, string[]>();
      const add = (key: ResourceKey, problem: string) => out.set(key, [...(out.get(key) ?? []), problem]);
      for (const u of uses) {
        const m = missing.get(u.provider);
        const gone =
          u.namespace === 'schema'
            ? m?.schemas.some((x) => x.database === u.database && x.schema === u.name)
            : (u.namespace === 'database' ? m?.databases : m?.roles)?.includes(u.name);
        const where = u.namespace === 'schema' ? ` in database ${JSON.stringify(u.database)}` : '';
        if (gone) add(u.key, `${u.attribute} names ${u.namespace} ${JSON.stringify(u.name)}${where}, which is neither declared nor on the server`);
      }
      // an object-level grant on an object (or column) the server does not have: GRANT would fail
      for (const entry of entries) {
        for (const o of objectsOf(entry)) {
          if (!missing.get(entry.r.provider)?.objects?.some((x) => sameObject(x, o))) continue;
          const what = `${OBJECT_NOUN[o.on] ?? o.on} ${JSON.stringify(o.object)} in schema ${JSON.stringify(o.schema)} of database ${JSON.stringify(o.database)}`;
          add(
            entry.key,
            o.column === undefined
              ? `grant.objects names ${what}, which is not on the server`
              : `grant.columns names column ${JSON.stringify(o.column)} of ${what}, which is not on the server`,
          );
        }
      }
      for (const entry of extensions) {
        const { r, key } = entry;
        const e = extensionOf(entry);
        if (e.from !== undefined && e.version !== null && missing.get(r.provider)?.no_update_path?.some((x) => sameExtension(x, e))) {
          add(key, `extension ${JSON.stringify(e.name)} cannot be updated from version ${JSON.stringify(e.from)} to ${JSON.stringify(e.version)}: the server has no path of update scripts between them (pg_extension_update_paths)`);
        }
        if (!missing.get(r.provider)?.extensions.some((x) => sameExtension(x, e))) continue;
        add(
          key,
          e.version === null
            ? `extension ${JSON.stringify(e.name)} is not available on the server (pg_available_extensions)`
            : `version ${JSON.stringify(e.version)} of extension ${JSON.stringify(e.name)} is not available on the server (pg_available_extension_versions)`,
        );
      }
      for (const entry of entries) {
        const { r, key: rkey } = entry;
        for (const [key, locale] of localesOf(r)) {
          if (missing.get(r.provider)?.locales.includes(locale)) {
            add(rkey, `${key} ${JSON.stringify(locale)} is not a locale the server has (pg_collation; run pg_import_system_collations() when it was installed after initdb)`);
          }
        }
        for (const problem of templateProblems(entry, missing.get(r.provider))) add(rkey, problem);
        const tablespace = tablespaceOf(entry);
        if (tablespace !== undefined && missing.get(r.provider)?.tablespaces?.includes(tablespace)) {
          add(rkey, `tablespace ${JSON.stringify(tablespace)} is not a tablespace of the server (pg_tablespace; CREATE TABLESPACE makes one)`);
        }
        const relocation = relocationOf(entry);
        if (relocation !== undefined && missing.get(r.provider)?.not_relocatable?.some((x) => sameExtension(x, relocation))) {
          add(
            rkey,
            `extension ${JSON.stringify(r.name)} ${relocation.version} is not relocatable: PostgreSQL cannot move it to schema ${JSON.stringify(entry.item?.normalized?.schema)} (ALTER EXTENSION … SET SCHEMA); declare the schema it is in (${JSON.stringify(entry.item?.observed?.schema)}), or drop and create it again there`,
          );
        }
        for (const s of settingsToSet(entry)) {
          const refused = missing.get(r.provider)?.settings.find((x) => x.name === s.name && x.value === s.value);
          if (refused) add(rkey, `settings.${s.name}: the server refuses it: ${refused.problem}`);
        }
      }
      return new Map([...out].map(([k, list]) => [k, [...new Set(list)].join('; ')]));
    },
  };
}

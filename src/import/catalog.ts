// What `xp import` reads from a server, in a constant number of round trips: one cluster-wide
// query on the control connection (roles, memberships, databases, settings, comments, the
// stacks that manage them), the provider's own catalog reads for roles and grants
// (xplane.roles_catalog: one query, the one observe uses; xplane.import_grants_catalog: one per
// database, grants_catalog's facts in a shape that does not grow with roles × schemas — rebuilt
// here as grants_catalog gives them, so what import writes is what plan compares), and one query per database for
// its schemas, extensions and the access facts xp cannot express yet (xplane.remote_query).
import type pg from 'pg';

export interface ClusterRole {
  name: string;
  login: boolean;
  superuser: boolean;
  replication: boolean;
  bypassrls: boolean;
  /** The bootstrap superuser (oid 10), e.g. `postgres`. */
  bootstrap: boolean;
}

export interface Membership {
  member: string;
  group: string;
  admin: boolean;
  /** PostgreSQL 16+: the membership's INHERIT and SET options (null before 16). */
  inherit: boolean | null;
  set: boolean | null;
  grantor: string;
}

export interface ClusterDatabase {
  name: string;
  template: boolean;
  owner: string;
  encoding: string;
  lc_collate: string;
  lc_ctype: string;
  locale_provider: string | null;
  connection_limit: number;
  allow_connections: boolean;
  comment: string | null;
  /** What PUBLIC holds on it (its ACL, or the default one: CONNECT, TEMPORARY). */
  public_privileges: string[];
}

export interface ManagedRow {
  stack: string;
  provider: string;
  kind: string;
  database: string;
  name: string;
  prevent_destroy: boolean;
  deletion_policy: 'delete' | 'orphan';
  ignore_changes: string[];
}

export interface Cluster {
  me: string;
  controlDatabase: string;
  serverVersion: number;
  roles: ClusterRole[];
  memberships: Membership[];
  databases: ClusterDatabase[];
  template1: { lc_collate: string; lc_ctype: string };
  /** ALTER DATABASE … SET and ALTER ROLE … IN DATABASE … SET: xp has no attribute for them. */
  databaseSettings: Array<{ database: string; role: string | null; settings: string[] }>;
  /** The schema holding dblink in the control database (xp reaches the server through it). */
  dblinkSchema: string | null;
  managed: ManagedRow[];
}

const CLUSTER_SQL = `select json_build_object(
  'me', current_user::text,
  'control_database', current_database()::text,
  'server_version', current_setting('server_version_num')::int,
  'roles', coalesce((select json_agg(json_build_object('name', r.rolname::text, 'login', r.rolcanlogin, 'superuser', r.rolsuper,
             'replication', r.rolreplication, 'bypassrls', r.rolbypassrls, 'bootstrap', r.oid = 10) order by r.rolname::text collate "C")
             from pg_catalog.pg_roles r), '[]'::json),
  'memberships', coalesce((select json_agg(json_build_object('member', pg_catalog.pg_get_userbyid(m.member)::text,
             'group', pg_catalog.pg_get_userbyid(m.roleid)::text, 'admin', m.admin_option,
             'inherit', (pg_catalog.to_jsonb(m) -> 'inherit_option'), 'set', (pg_catalog.to_jsonb(m) -> 'set_option'),
             'grantor', pg_catalog.pg_get_userbyid(m.grantor)::text)
             order by pg_catalog.pg_get_userbyid(m.member)::text collate "C", pg_catalog.pg_get_userbyid(m.roleid)::text collate "C",
                      pg_catalog.pg_get_userbyid(m.grantor)::text collate "C")
             from pg_catalog.pg_auth_members m), '[]'::json),
  'databases', coalesce((select json_agg(json_build_object('name', d.datname::text, 'template', d.datistemplate,
             'owner', pg_catalog.pg_get_userbyid(d.datdba)::text, 'encoding', pg_catalog.pg_encoding_to_char(d.encoding)::text,
             'lc_collate', d.datcollate::text, 'lc_ctype', d.datctype::text,
             'locale_provider', pg_catalog.to_jsonb(d) ->> 'datlocprovider',
             'connection_limit', d.datconnlimit, 'allow_connections', d.datallowconn,
             'comment', pg_catalog.shobj_description(d.oid, 'pg_database'),
             'public_privileges', coalesce((select json_agg(p order by p)
                from pg_catalog.unnest(array['CONNECT', 'CREATE', 'TEMPORARY']) p where pg_catalog.has_database_privilege('public', d.oid, p)), '[]'::json))
             order by d.datname::text collate "C")
             from pg_catalog.pg_database d), '[]'::json),
  'template1', (select json_build_object('lc_collate', datcollate::text, 'lc_ctype', datctype::text)
                  from pg_catalog.pg_database where datname = 'template1'),
  'database_settings', coalesce((select json_agg(json_build_object('database', d.datname::text,
             'role', case when s.setrole = 0 then null else pg_catalog.pg_get_userbyid(s.setrole)::text end, 'settings', s.setconfig)
             order by d.datname::text collate "C", pg_catalog.pg_get_userbyid(s.setrole)::text collate "C")
             from pg_catalog.pg_db_role_setting s join pg_catalog.pg_database d on d.oid = s.setdatabase), '[]'::json),
  'dblink_schema', (select n.nspname::text from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
                     where e.extname = 'dblink'),
  'managed', coalesce((select json_agg(json_build_object('stack', m.stack, 'provider', m.provider_config, 'kind', m.kind::text,
             'database', coalesce(m.database, ''), 'name', m.name, 'prevent_destroy', m.prevent_destroy,
             'deletion_policy', m.deletion_policy::text, 'ignore_changes', m.ignore_changes) order by m.stack, m.provider_config, m.kind::text, m.database, m.name)
             from xplane.managed_resources m where m.deleted_at is null), '[]'::json)
) as c`;

/** One query on the control connection. */
export async function readCluster(client: pg.Client): Promise<Cluster> {
  const { rows } = await client.query<{ c: Record<string, unknown> }>(CLUSTER_SQL);
  const c = rows[0]!.c;
  return {
    me: c['me'] as string,
    controlDatabase: c['control_database'] as string,
    serverVersion: c['server_version'] as number,
    roles: c['roles'] as ClusterRole[],
    memberships: c['memberships'] as Membership[],
    databases: c['databases'] as ClusterDatabase[],
    template1: c['template1'] as Cluster['template1'],
    databaseSettings: c['database_settings'] as Cluster['databaseSettings'],
    dblinkSchema: (c['dblink_schema'] as string | null) ?? null,
    managed: c['managed'] as ManagedRow[],
  };
}

/** A role as xplane.roles_catalog reads it (the observed attributes of Role and ServiceAccount). */
export interface CatalogRole {
  login: boolean;
  superuser: boolean;
  createdb: boolean;
  createrole: boolean;
  replication: boolean;
  bypass_row_level_security: boolean;
  inherit: boolean;
  connection_limit: number;
  valid_until: string | null;
  member_of: string[];
  /** Per role of member_of: an option holds when any grantor's grant carries it (inherit, set: null before PostgreSQL 16). */
  member_options?: Record<string, { admin: boolean | null; inherit: boolean | null; set: boolean | null }>;
  settings: Record<string, string>;
  database_settings: Record<string, Record<string, string>>;
  comment: string | null;
}

/** xplane.roles_catalog: every role given, in one query (the one observe of roles uses). */
export async function readRoles(client: pg.Client, provider: string, names: string[]): Promise<Record<string, CatalogRole>> {
  const { rows } = await client.query<{ c: { roles: Record<string, CatalogRole> } }>('select xplane.roles_catalog($1, $2::text[]) as c', [provider, names]);
  return rows[0]!.c.roles ?? {};
}

/** One database's part of xplane.grants_catalog (docs/kinds/role.md, "What is observed"). */
export interface GrantsCatalog {
  me: string;
  db_owner: string;
  db_held: Record<string, string[]>;
  /** Held WITH GRANT OPTION (absent before 0.7.0). */
  db_grantable?: Record<string, string[]>;
  /** Third grantors xp may act as, of each role's database privileges. */
  db_grantors?: Record<string, string[]>;
  /** Per role, its database privileges per grantor: only roles some third grantor granted something (granted_by). */
  db_by?: Record<string, Record<string, string[]>>;
  /** Global default privileges (no IN SCHEMA) per role, kind and creator (absent before 0.7.0). */
  db_defaults?: Record<string, Record<string, Record<string, string[]>>>;
  /** The roles with global default privileges or default privileges on types. */
  default_roles?: string[];
  schemas: Record<
    string,
    {
      owner: string;
      future_for: string[];
      held: Record<string, string[]>;
      grantable?: Record<string, string[]>;
      grantors?: Record<string, string[]>;
      /** Per role, its privileges on the schema per grantor: only roles some third grantor granted something. */
      by?: Record<string, Record<string, string[]>>;
      objects: Record<string, Record<string, { total: number; held: Record<string, number>; grantable?: Record<string, number> }>>;
      defaults: Record<string, Record<string, Record<string, string[]>>>;
    }
  >;
}

/** One database's part of xplane.import_grants_catalog: grants_catalog's facts, sized by the grants. */
interface ImportGrantsCatalog {
  me: string;
  db_owner: string;
  db_held: Record<string, string[]>;
  db_grantable: Record<string, string[]>;
  db_grantors: Record<string, string[]>;
  db_by: Record<string, Record<string, string[]>>;
  db_defaults: Record<string, Record<string, Record<string, string[]>>>;
  default_roles: string[];
  schemas: Record<
    string,
    {
      owner: string;
      future_for: string[];
      held: Record<string, string[]>;
      grantable: Record<string, string[]>;
      grantors: Record<string, string[]>;
      by: Record<string, Record<string, string[]>>;
      /** Objects per kind. */
      totals: Record<string, number>;
      /** Per role and kind, the objects it owns. */
      owned: Record<string, Record<string, number>>;
      /** Per role and kind, how many objects carry each privilege (roles holding one only). */
      objects_held: Record<string, Record<string, Record<string, number>>>;
      /** The same, held WITH GRANT OPTION. */
      objects_grantable: Record<string, Record<string, Record<string, number>>>;
      defaults: Record<string, Record<string, Record<string, string[]>>>;
    }
  >;
}

/**
 * What the roles hold in each database and schema (one query per database, on the server:
 * xplane.import_grants_catalog), as xplane.grants_catalog gives it for the roles that hold
 * anything in a schema: those with a privilege on it, on one of its objects, or in its default
 * privileges. grants_catalog also lists every other role with what it does not hold, an entry
 * per role and schema (two million for 1,000 tenants), which import never reads.
 */
export async function readGrants(
  client: pg.Client,
  provider: string,
  requests: Record<string, { roles: string[]; schemas: string[] }>,
): Promise<Record<string, GrantsCatalog>> {
  const databases = Object.keys(requests);
  if (databases.length === 0) return {};
  const { rows } = await client.query<{ g: Record<string, ImportGrantsCatalog> }>('select xplane.import_grants_catalog($1, $2::jsonb, $3::text[]) as g', [
    provider,
    JSON.stringify(requests),
    databases,
  ]);
  const out: Record<string, GrantsCatalog> = {};
  for (const [db, cat] of Object.entries(rows[0]!.g ?? {})) out[db] = expandGrants(cat);
  return out;
}

/** grants_catalog's entries (`objects`: per role and kind, `total` objects not its own and what it holds) for the roles present in a schema. */
function expandGrants(cat: ImportGrantsCatalog): GrantsCatalog {
  const schemas: GrantsCatalog['schemas'] = {};
  for (const [name, sch] of Object.entries(cat.schemas)) {
    const objects: GrantsCatalog['schemas'][string]['objects'] = {};
    const present = new Set([...Object.keys(sch.held), ...Object.keys(sch.objects_held), ...Object.keys(sch.defaults)]);
    for (const role of present) {
      const entry: Record<string, { total: number; held: Record<string, number>; grantable: Record<string, number> }> = {};
      for (const [kind, n] of Object.entries(sch.totals)) {
        const total = n - (sch.owned[role]?.[kind] ?? 0);
        if (total > 0) entry[kind] = { total, held: sch.objects_held[role]?.[kind] ?? {}, grantable: sch.objects_grantable[role]?.[kind] ?? {} };
      }
      if (Object.keys(entry).length > 0) objects[role] = entry;
    }
    schemas[name] = { owner: sch.owner, future_for: sch.future_for, held: sch.held, grantable: sch.grantable, grantors: sch.grantors, by: sch.by, objects, defaults: sch.defaults };
  }
  return {
    me: cat.me,
    db_owner: cat.db_owner,
    db_held: cat.db_held,
    db_grantable: cat.db_grantable,
    db_grantors: cat.db_grantors,
    db_by: cat.db_by,
    db_defaults: cat.db_defaults,
    default_roles: cat.default_roles,
    schemas,
  };
}

/** What one grantee holds on one object: `on` tables, sequences, functions or types. */
export interface ObjectGrant {
  schema: string;
  on: 'tables' | 'sequences' | 'functions' | 'types';
  object: string;
  grantee: string;
  privileges: string[];
  grantable: string[];
  /** Grantors other than the object's owner and the role xp connects as. */
  grantors: string[];
  /** Every grantor's privileges ({grantor: privileges}; object grants only). */
  by?: Record<string, string[]>;
}

export interface DatabaseContents {
  schemas: Array<{ name: string; owner: string; comment: string | null; acl: string[] | null; public_privileges: string[] }>;
  extensions: Array<{ name: string; schema: string; version: string }>;
  /** Column privileges: per column and grantee ("" = PUBLIC), privileges, those WITH GRANT OPTION, third grantors. */
  columnGrants: Array<ObjectGrant & { column: string }>;
  /**
   * Privileges on named objects (tables, sequences, functions as `name(types)`, types and
   * domains) granted to a role that does not own the object (never PUBLIC's): what object-level
   * grants declare (`objects = [...]`, sql/049_object_grants.sql names them the same way).
   */
  objectGrants: ObjectGrant[];
  /** Privileges of PUBLIC on tables and sequences (xp manages no PUBLIC grants). */
  publicGrants: Array<{ object: string; privileges: string[] }>;
  /** Privileges held WITH GRANT OPTION on schemas, tables, sequences and functions (not by their owner). */
  grantOptions: Array<{ object: string; grantee: string; privileges: string[] }>;
  /** Default privileges: for role, in schema (null: global), on object type, to grantee ("" = PUBLIC). */
  defaultAcls: Array<{ forRole: string; schema: string | null; objtype: string; grantee: string; privileges: string[] }>;
}

// Privileges of one ACL as {grantee, privileges}, grantee "" for PUBLIC.
const CONTENTS_SQL = `select json_build_object(
  'schemas', coalesce((select json_agg(json_build_object('name', n.nspname::text, 'owner', pg_catalog.pg_get_userbyid(n.nspowner)::text,
             'comment', pg_catalog.obj_description(n.oid, 'pg_namespace'), 'acl', n.nspacl::text[],
             'public_privileges', coalesce((select json_agg(p order by p)
                from pg_catalog.unnest(array['CREATE', 'USAGE']) p where pg_catalog.has_schema_privilege('public', n.oid, p)), '[]'::json))
             order by n.nspname::text collate "C")
             from pg_catalog.pg_namespace n
            where n.nspname !~ '^pg_' and n.nspname <> 'information_schema'), '[]'::json),
  'extensions', coalesce((select json_agg(json_build_object('name', e.extname::text, 'schema', n.nspname::text, 'version', e.extversion)
             order by e.extname::text collate "C")
             from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace), '[]'::json),
  'column_grants', coalesce((select json_agg(x order by x ->> 'schema' collate "C", x ->> 'object' collate "C", x ->> 'column' collate "C", x ->> 'grantee' collate "C") from (
             select json_build_object('schema', n.nspname::text, 'on', 'tables', 'object', c.relname::text, 'column', a.attname::text,
                    'grantee', case when g.grantee = 0 then '' else pg_catalog.pg_get_userbyid(g.grantee)::text end,
                    'privileges', json_agg(distinct g.privilege_type::text),
                    'grantable', coalesce(json_agg(distinct g.privilege_type::text) filter (where g.is_grantable), '[]'::json),
                    'grantors', coalesce(json_agg(distinct pg_catalog.pg_get_userbyid(g.grantor)::text)
                                  filter (where g.grantor <> c.relowner and g.grantor <> (select oid from pg_catalog.pg_roles where rolname = current_user)), '[]'::json)) as x
               from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
               join pg_catalog.pg_namespace n on n.oid = c.relnamespace
               cross join lateral unnest(a.attacl) as gi(item) cross join lateral pg_catalog.aclexplode(array[gi.item]) g
              where a.attacl is not null and a.attnum > 0 and not a.attisdropped and n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
              group by n.nspname, c.relname, c.relowner, a.attname, g.grantee) y), '[]'::json),
  'object_grants', coalesce((select json_agg(x order by x ->> 'schema' collate "C", x ->> 'on', x ->> 'object' collate "C", x ->> 'grantee' collate "C") from (
             select json_build_object('schema', o.sch, 'on', o.kind, 'object', o.obj, 'grantee', pg_catalog.pg_get_userbyid(g.grantee)::text,
                    'privileges', json_agg(distinct g.privilege_type::text),
                    'grantable', coalesce(json_agg(distinct g.privilege_type::text) filter (where g.is_grantable), '[]'::json),
                    'grantors', coalesce(json_agg(distinct pg_catalog.pg_get_userbyid(g.grantor)::text)
                                  filter (where g.grantor <> o.owner and g.grantor <> (select oid from pg_catalog.pg_roles where rolname = current_user)), '[]'::json),
                    'by', (select json_object_agg(u.k, u.v) from (select pg_catalog.pg_get_userbyid(z.g)::text as k, json_agg(distinct z.p order by z.p) as v
                             from unnest(array_agg(g.grantor), array_agg(g.privilege_type::text)) z(g, p) group by 1) u)) as x
               from (select n.nspname::text as sch, case c.relkind when 'S' then 'sequences' else 'tables' end as kind, c.relname::text as obj,
                            c.relowner as owner, c.relacl as acl
                       from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                      where c.relacl is not null and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
                     union all
                     select n.nspname::text, 'functions', p.proname::text || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')', p.proowner, p.proacl
                       from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                      where p.proacl is not null and n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
                     union all
                     select n.nspname::text, 'types', t.typname::text, t.typowner, t.typacl
                       from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
                      where t.typacl is not null and t.typtype in ('b', 'd', 'e', 'r', 'm', 'c')
                        and (t.typrelid = 0 or (select c.relkind from pg_catalog.pg_class c where c.oid = t.typrelid) = 'c')
                        and n.nspname !~ '^pg_' and n.nspname <> 'information_schema') o
               cross join lateral unnest(o.acl) as gi(item) cross join lateral pg_catalog.aclexplode(array[gi.item]) g
              where g.grantee <> 0 and g.grantee <> o.owner
              group by o.sch, o.kind, o.obj, o.owner, g.grantee) y), '[]'::json),
  'public_grants', coalesce((select json_agg(x order by x ->> 'object' collate "C") from (
             select json_build_object('object', pg_catalog.format('%I.%I', n.nspname, c.relname),
                    'privileges', json_agg(distinct g.privilege_type::text)) as x
               from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
               cross join lateral unnest(c.relacl) as gi(item) cross join lateral pg_catalog.aclexplode(array[gi.item]) g
              where c.relacl is not null and g.grantee = 0 and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
                and n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
              group by n.nspname, c.relname) y), '[]'::json),
  'grant_options', coalesce((select json_agg(x order by x ->> 'object' collate "C", x ->> 'grantee' collate "C") from (
             select json_build_object('object', o.object, 'grantee', pg_catalog.pg_get_userbyid(g.grantee)::text,
                    'privileges', json_agg(distinct g.privilege_type::text)) as x
               from (select pg_catalog.format('schema %I', n.nspname) as object, n.nspowner as owner, n.nspacl as acl
                       from pg_catalog.pg_namespace n where n.nspacl is not null and n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
                     union all
                     select pg_catalog.format('%I.%I', n.nspname, c.relname), c.relowner, c.relacl
                       from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                      where c.relacl is not null and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
                     union all
                     select pg_catalog.format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)), p.proowner, p.proacl
                       from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                      where p.proacl is not null and n.nspname !~ '^pg_' and n.nspname <> 'information_schema') o
               cross join lateral unnest(o.acl) as gi(item) cross join lateral pg_catalog.aclexplode(array[gi.item]) g
              where g.is_grantable and g.grantee <> o.owner and g.grantee <> 0
              group by o.object, g.grantee) y), '[]'::json),
  'default_acls', coalesce((select json_agg(x order by x ->> 'forRole' collate "C", coalesce(x ->> 'schema', '') collate "C",
                                              x ->> 'objtype', x ->> 'grantee' collate "C") from (
             select json_build_object('forRole', pg_catalog.pg_get_userbyid(da.defaclrole)::text, 'schema', n.nspname::text,
                    'objtype', da.defaclobjtype::text,
                    'grantee', case when g.grantee = 0 then '' else pg_catalog.pg_get_userbyid(g.grantee)::text end,
                    'privileges', json_agg(distinct g.privilege_type::text)) as x
               from pg_catalog.pg_default_acl da left join pg_catalog.pg_namespace n on n.oid = da.defaclnamespace
               cross join lateral unnest(da.defaclacl) as gi(item) cross join lateral pg_catalog.aclexplode(array[gi.item]) g
              group by da.defaclrole, n.nspname, da.defaclobjtype, g.grantee) y), '[]'::json)
)`;

/**
 * One query in the database (through the provider's dblink connection, as observe reaches it).
 * A database xp cannot enter (no CONNECT, connections not allowed) is an error, reported by
 * the caller as facts not imported.
 */
export async function readContents(client: pg.Client, provider: string, database: string): Promise<DatabaseContents> {
  const { rows } = await client.query<{ c: Record<string, unknown> }>('select xplane.remote_query($1, $2, $3) as c', [provider, database, CONTENTS_SQL]);
  const c = rows[0]!.c;
  const sortPrivs = <T extends { privileges: string[] }>(list: T[]): T[] => list.map((x) => ({ ...x, privileges: [...x.privileges].sort() }));
  const sortGrant = <T extends ObjectGrant>(list: T[]): T[] =>
    list.map((x) => ({ ...x, privileges: [...x.privileges].sort(), grantable: [...x.grantable].sort(), grantors: [...x.grantors].sort() }));
  return {
    schemas: c['schemas'] as DatabaseContents['schemas'],
    extensions: c['extensions'] as DatabaseContents['extensions'],
    columnGrants: sortGrant(c['column_grants'] as DatabaseContents['columnGrants']),
    objectGrants: sortGrant(c['object_grants'] as DatabaseContents['objectGrants']),
    publicGrants: sortPrivs(c['public_grants'] as DatabaseContents['publicGrants']),
    grantOptions: sortPrivs(c['grant_options'] as DatabaseContents['grantOptions']),
    defaultAcls: sortPrivs(c['default_acls'] as DatabaseContents['defaultAcls']),
  };
}

export interface ReadOptions {
  include: string[];
  exclude: string[];
  databases?: string[];
}

/**
 * Everything import needs, in a number of round trips that does not grow with the number of
 * roles or schemas: the cluster query, one contents query per database, roles_catalog, and
 * grants_catalog (which runs one query per database on the server).
 */
export async function readServer(client: pg.Client, provider: string, opts: ReadOptions): Promise<ImportInput> {
  const cluster = await readCluster(client);
  const contents: Record<string, DatabaseContents> = {};
  const unreadable: Record<string, string> = {};
  for (const d of cluster.databases) {
    if (d.template || d.name === 'postgres' || (opts.databases && !opts.databases.includes(d.name))) continue;
    if (!d.allow_connections) {
      unreadable[d.name] = 'it does not accept connections';
      continue;
    }
    try {
      contents[d.name] = await readContents(client, provider, d.name);
    } catch (err) {
      // a database xp may not enter: named in the output, with the server's reason
      unreadable[d.name] = (err as Error).message.split('\n')[0]!;
    }
  }
  const roleNames = cluster.roles
    .map((r) => r.name)
    .filter((n) => systemRole(n, cluster) === undefined)
    .filter((n) => opts.include.length === 0 || opts.include.some((p) => globMatch(p, n)))
    .filter((n) => !opts.exclude.some((p) => globMatch(p, n)));
  const roles = await readRoles(client, provider, roleNames);
  const requests: Record<string, { roles: string[]; schemas: string[] }> = {};
  for (const [db, c] of Object.entries(contents)) requests[db] = { roles: roleNames, schemas: c.schemas.map((s) => s.name) };
  const grants = await readGrants(client, provider, requests);
  return { cluster, roles, grants, contents, unreadable };
}

export interface ImportInput {
  cluster: Cluster;
  roles: Record<string, CatalogRole>;
  grants: Record<string, GrantsCatalog>;
  contents: Record<string, DatabaseContents>;
  /** Databases whose contents could not be read, with why. */
  unreadable: Record<string, string>;
}

const rolesByName = new WeakMap<Cluster, Map<string, ClusterRole>>();

export function systemRole(name: string, cluster: Cluster): string | undefined {
  let byName = rolesByName.get(cluster);
  if (!byName) rolesByName.set(cluster, (byName = new Map(cluster.roles.map((x) => [x.name, x]))));
  const r = byName.get(name);
  if (name.startsWith('pg_')) return 'a predefined role';
  if (r?.bootstrap) return 'the bootstrap superuser';
  if (name === cluster.me) return 'the role xp connects as';
  return undefined;
}

export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(name);
}

-- Grants of Role and ServiceAccount: normalisation, the batched catalog read, the observed
-- form and the delta (GRANT/REVOKE of the difference). Authoritative within the databases
-- and schemas a spec names. See docs/kinds/role.md ("Grants") for the rules.
--
-- A grant (normalised): {"database", "schema" (null for on = database), "on", "privileges"
-- (sorted, upper case), "future"}. "Implicit" grants are privileges a kind asks for outside
-- `grants` (a service account's CONNECT on its database, USAGE on its `schemas`): they are
-- granted and never revoked, and they show in `grants` only where `grants` declares them.

create or replace function xplane.grant_privileges(p_on text)
returns text[] language sql stable parallel safe as $$
  select case p_on
    when 'tables' then
      case when pg_catalog.current_setting('server_version_num')::int >= 170000
        then array['DELETE', 'INSERT', 'MAINTAIN', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE']
        else array['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'] end
    when 'sequences' then array['SELECT', 'UPDATE', 'USAGE']
    when 'functions' then array['EXECUTE']
    when 'schema'    then array['CREATE', 'USAGE']
    when 'schemas'   then array['CREATE', 'USAGE']
    when 'database'  then array['CONNECT', 'CREATE', 'TEMPORARY']
    when 'types'     then array['USAGE']
    when 'columns'   then array['INSERT', 'REFERENCES', 'SELECT', 'UPDATE']
  end
$$;
comment on function xplane.grant_privileges(text) is
  'Every privilege that exists for a grant target (tables, sequences, functions, schema, database, types; columns: those of a column; schemas: default privileges on schemas), sorted: what ALL expands to. MAINTAIN on PostgreSQL 17+.';

create or replace function xplane.privileges_sorted(p_privileges text[])
returns jsonb language plpgsql immutable parallel safe set search_path = xplane, pg_catalog as $$
begin
  -- PL/pgSQL keeps the plan of this sort across calls (a SQL function plans it every call).
  return (select jsonb_agg(distinct (p collate "C") order by (p collate "C")) from unnest(p_privileges) p);
end
$$;
comment on function xplane.privileges_sorted(text[]) is
  'Privileges de-duplicated and sorted, as a JSON array (grant_entry, for two or more).';

create or replace function xplane.grant_entry(p_database text, p_schema text, p_on text, p_privileges text[], p_future boolean)
returns jsonb language sql stable parallel safe as $$
  -- SQL without a subquery, so that PostgreSQL inlines it: it runs several times per role of
  -- every plan, mostly with no privilege or one (CONNECT, USAGE), which need no sort.
  -- Stable, not immutable: jsonb_build_object is stable, and PostgreSQL never inlines an
  -- immutable function whose body is not (it ran as a call of its own, 14 µs each).
  select jsonb_build_object('database', p_database, 'schema', p_schema, 'on', p_on,
    'privileges', case when coalesce(cardinality(p_privileges), 0) = 0 then '[]'::jsonb
                       when cardinality(p_privileges) = 1 then to_jsonb(p_privileges)
                       else xplane.privileges_sorted(p_privileges) end,
    'future', coalesce(p_future, false), 'future_owners', '[]'::jsonb, 'grant_option', false)
$$;
comment on function xplane.grant_entry(text, text, text, text[], boolean) is
  'One grant in its normalised shape (privileges de-duplicated and sorted), future_owners [] and grant_option false (set them with ||).';

create or replace function xplane.grant_object_entry(p_database text, p_schema text, p_on text, p_object text, p_column text)
returns jsonb language sql stable parallel safe as $$
  -- (stable and without a subquery, as grant_entry, so that PostgreSQL inlines it)
  select xplane.grant_entry(p_database, p_schema, p_on, '{}', false)
         || jsonb_build_object('objects', jsonb_build_array(p_object))
         || case when p_column is null then '{}'::jsonb else jsonb_build_object('columns', jsonb_build_array(p_column)) end
$$;
comment on function xplane.grant_object_entry(text, text, text, text, text) is
  'An object-level grant entry without privileges for one object (and one column of it, unless p_column is null): what is still read where a role''s grants do not name it (grant_object_scopes_of, role_objects_held).';

create or replace function xplane.grants_sorted(p_grants jsonb)
returns jsonb language plpgsql immutable parallel safe set search_path = xplane, pg_catalog as $$
begin
  -- PL/pgSQL keeps the plan of this aggregate across calls (a SQL function plans it every call).
  if coalesce(jsonb_array_length(p_grants), 0) <= 1 then
    return coalesce(p_grants, '[]'::jsonb);
  end if;
  return (select jsonb_agg(g order by g ->> 'database' collate "C", coalesce(g ->> 'schema', '') collate "C",
                           g ->> 'on' collate "C", coalesce(g -> 'objects' ->> 0, '') collate "C",
                           coalesce(g -> 'columns' ->> 0, '') collate "C")
            from jsonb_array_elements(p_grants) g);
end
$$;
comment on function xplane.grants_sorted(jsonb) is
  'The one order of a grants list, used by normalisation and observation alike: (database, schema, on, object, column).';

create or replace function xplane.grant_privs(p_grant jsonb)
returns text[] language sql immutable parallel safe as $$
  select coalesce(array(select jsonb_array_elements_text(p_grant -> 'privileges')), '{}')
$$;
comment on function xplane.grant_privs(jsonb) is
  'The privileges of a grant as text[] (empty for null).';

create or replace function xplane.grant_has_objects(p_grants jsonb)
returns boolean language sql immutable parallel safe as $$
  select coalesce(p_grants @? '$[*].objects', false)
$$;
comment on function xplane.grant_has_objects(jsonb) is
  'Whether a grants list holds an object-level grant (one with "objects").';

create or replace function xplane.grant_find(p_grants jsonb, p_database text, p_schema text, p_on text)
returns jsonb language sql immutable parallel safe as $$
  select g from jsonb_array_elements(coalesce(p_grants, '[]'::jsonb)) g
   where g ->> 'database' = p_database and g ->> 'on' = p_on
     and (g ->> 'schema') is not distinct from p_schema and not g ? 'objects'
   limit 1
$$;
comment on function xplane.grant_find(jsonb, text, text, text) is
  'The whole-schema (or schema, database) grant of a normalised list for (database, schema, on), or null: object-level entries do not count.';

create or replace function xplane.normalize_grants(p_kind xplane.resource_kind, p_grants jsonb, p_default_database text)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_item    jsonb;
  v_i       integer := 0;
  v_field   text;
  v_on      text;
  v_db      text;
  v_schema  text;
  v_privs   text[];
  v_allowed text[];
  v_p       text;
  v_raw     text;
  v_bad     text;
  v_rows    jsonb := '[]';
  v_owners  jsonb;
  v_by      text;
  v_any_by  boolean := false;
  v_new     jsonb;
begin
  if p_grants is null or p_grants = 'null'::jsonb then
    return '[]'::jsonb;
  end if;
  if jsonb_typeof(p_grants) <> 'array' then
    perform xplane.invalid_spec(p_kind, 'grants', 'must be a list of grant blocks');
  end if;
  if jsonb_array_length(p_grants) = 0 then
    return '[]'::jsonb;
  end if;
  for v_item in select value from jsonb_array_elements(p_grants) loop
    v_field := format('grants[%s]', v_i);
    v_i := v_i + 1;
    if jsonb_typeof(v_item) <> 'object' then
      perform xplane.invalid_spec(p_kind, v_field, 'must be an object {database, schema, on, privileges, future}');
    end if;
    v_bad := null;
    if v_item - array['database', 'schema', 'on', 'privileges', 'future', 'future_owners', 'grant_option', 'granted_by', 'objects', 'columns'] <> '{}'::jsonb then
      select string_agg(format('"%s"', k), ', ') into v_bad
        from jsonb_object_keys(v_item) k where k not in ('database', 'schema', 'on', 'privileges', 'future', 'future_owners', 'grant_option', 'granted_by', 'objects', 'columns');
    end if;
    if v_bad is not null then
      perform xplane.invalid_spec(p_kind, v_field, format('unknown attribute %s (allowed: database, schema, on, objects, columns, privileges, future, future_owners, grant_option, granted_by)', v_bad));
    end if;
    if v_item ? 'grant_option' and jsonb_typeof(v_item -> 'grant_option') not in ('boolean', 'null') then
      perform xplane.invalid_spec(p_kind, v_field || '.grant_option', 'must be true or false');
    end if;
    v_on := lower(coalesce(nullif(v_item ->> 'on', ''), 'tables'));
    v_allowed := xplane.grant_privileges(v_on);
    if v_allowed is null or v_on = 'columns' then
      perform xplane.invalid_spec(p_kind, v_field || '.on',
        format('unknown target "%s" (allowed: tables, sequences, functions, types, schema, schemas, database)', v_item ->> 'on'));
    end if;
    if v_item ? 'future' and jsonb_typeof(v_item -> 'future') not in ('boolean', 'null') then
      perform xplane.invalid_spec(p_kind, v_field || '.future', 'must be true or false');
    end if;
    -- default privileges only (ALTER DEFAULT PRIVILEGES): without a schema (global), on schemas,
    -- and on types without objects (PostgreSQL has no GRANT … ON ALL TYPES IN SCHEMA)
    if v_on = 'types' and coalesce(jsonb_array_length(v_item -> 'objects'), 0) = 0
       and not coalesce((v_item ->> 'future')::boolean, false) then
      perform xplane.invalid_spec(p_kind, v_field || '.objects',
        'is required when on = "types" (the types and domains to grant on), unless future = true (default privileges on types created later)');
    end if;
    if v_on = 'schemas' and not coalesce((v_item ->> 'future')::boolean, false) then
      perform xplane.invalid_spec(p_kind, v_field || '.future',
        'must be true when on = "schemas" (default privileges on schemas created later; for one schema, on = "schema")');
    end if;
    if v_on = 'schemas' and nullif(v_item ->> 'schema', '') is not null then
      perform xplane.invalid_spec(p_kind, v_field || '.schema',
        'must be absent when on = "schemas" (PostgreSQL has no default privileges on schemas IN SCHEMA)');
    end if;
    if v_on = 'tables' and coalesce(v_item -> 'columns', 'null') <> 'null' then
      v_allowed := xplane.grant_privileges('columns');  -- column privileges (ALL: these four)
    end if;
    v_db := coalesce(nullif(v_item ->> 'database', ''), p_default_database);
    if v_db is null then
      perform xplane.invalid_spec(p_kind, v_field || '.database', 'is required');
    end if;
    if xplane.identifier_problem(v_db) is not null then
      perform xplane.invalid_spec(p_kind, v_field || '.database', xplane.identifier_problem(v_db));
    end if;
    v_schema := nullif(v_item ->> 'schema', '');
    if v_schema is not null and xplane.identifier_problem(v_schema) is not null then
      perform xplane.invalid_spec(p_kind, v_field || '.schema', xplane.identifier_problem(v_schema));
    end if;
    if v_on = 'database' then
      if v_schema is not null then
        perform xplane.invalid_spec(p_kind, v_field || '.schema', 'must be absent when on = "database"');
      end if;
    elsif v_schema is null and v_on = 'schema' then
      perform xplane.invalid_spec(p_kind, v_field || '.schema', 'is required when on = "schema"');
    elsif v_schema is null and not coalesce((v_item ->> 'future')::boolean, false) then
      perform xplane.invalid_spec(p_kind, v_field || '.schema',
        format('is required when on = "%s", unless future = true (global default privileges, for objects created later in any schema)', v_on));
    end if;
    if coalesce((v_item ->> 'grant_option')::boolean, false) and (v_on = 'schemas' or (v_schema is null and v_on <> 'database')
       or (v_on = 'types' and coalesce(jsonb_array_length(v_item -> 'objects'), 0) = 0)) then
      perform xplane.invalid_spec(p_kind, v_field || '.grant_option',
        'applies to existing objects; default privileges are granted without it');
    end if;
    if coalesce((v_item ->> 'future')::boolean, false) and v_on in ('schema', 'database') then
      perform xplane.invalid_spec(p_kind, v_field || '.future', 'applies to tables, sequences and functions only');
    end if;
    -- granted_by: the grant is made by that role (SET ROLE it; GRANT …), on a schema, a database
    -- or named objects; on default privileges, that creator's only (ALTER DEFAULT PRIVILEGES FOR
    -- ROLE it), instead of those of xp's role (global) or of the schema's future_for (on types)
    v_by := case when v_item ? 'granted_by'     -- (most grants have none: no call)
                 then xplane.spec_identifier(p_kind, jsonb_build_object(v_field || '.granted_by', v_item -> 'granted_by'), v_field || '.granted_by', null, true) end;
    if v_by is not null and not (
         (coalesce((v_item ->> 'future')::boolean, false) and coalesce(v_item -> 'objects', 'null') = 'null'
          and (v_schema is null or v_on = 'types') and v_on <> 'database')
         or v_on in ('schema', 'database')
         or (coalesce(v_item -> 'objects', 'null') <> 'null' and coalesce(v_item -> 'columns', 'null') = 'null')) then
      perform xplane.invalid_spec(p_kind, v_field || '.granted_by',
        'applies to a grant on a schema, a database or named objects (objects), and to default privileges only (future = true without schema, on = "schemas", or on = "types" without objects); not to every object of a schema (name them in objects), nor to columns');
    end if;
    v_any_by := v_any_by or v_by is not null;
    v_owners := xplane.spec_identifier_set(p_kind, jsonb_build_object(v_field || '.future_owners', v_item -> 'future_owners'), v_field || '.future_owners');
    if jsonb_array_length(v_owners) > 0 and not coalesce((v_item ->> 'future')::boolean, false) then
      perform xplane.invalid_spec(p_kind, v_field || '.future_owners', 'needs future = true (default privileges for objects these roles create later)');
    end if;
    if jsonb_typeof(v_item -> 'privileges') is distinct from 'array' or jsonb_array_length(v_item -> 'privileges') = 0 then
      perform xplane.invalid_spec(p_kind, v_field || '.privileges', 'must be a non-empty list of privileges');
    end if;
    v_privs := '{}';
    for v_raw in select value #>> '{}' from jsonb_array_elements(v_item -> 'privileges') loop
      v_p := upper(btrim(coalesce(v_raw, '')));
      v_p := regexp_replace(v_p, '\s+', ' ', 'g');
      if v_p in ('ALL', 'ALL PRIVILEGES') then
        v_privs := v_privs || v_allowed;
      elsif v_p = 'TEMP' and v_on = 'database' then
        v_privs := v_privs || 'TEMPORARY'::text;
      elsif v_p = any (v_allowed) then
        v_privs := v_privs || v_p::text;
      elsif v_p = 'MAINTAIN' and v_on = 'tables' then
        perform xplane.invalid_spec(p_kind, v_field || '.privileges',
          format('privilege MAINTAIN needs PostgreSQL 17 or later (this server is %s)', pg_catalog.current_setting('server_version')));
      else
        perform xplane.invalid_spec(p_kind, v_field || '.privileges',
          format('unknown privilege %s for %s (allowed: %s, ALL)', to_jsonb(v_raw),
                 case when v_on = 'tables' and v_allowed = xplane.grant_privileges('columns') then 'columns' else v_on end,
                 array_to_string(v_allowed, ', ')));
      end if;
    end loop;
    if coalesce(v_item -> 'objects', 'null') <> 'null' or coalesce(v_item -> 'columns', 'null') <> 'null' then
      -- object-level: one entry per object (and column), 049_object_grants.sql
      v_new := xplane.grant_object_entries(p_kind, v_field, v_on, v_item,
                 xplane.grant_entry(v_db, v_schema, v_on, v_privs, false)
                 || jsonb_build_object('grant_option', coalesce((v_item ->> 'grant_option')::boolean, false))
                 || case when v_by is null then '{}'::jsonb else jsonb_build_object('granted_by', v_by) end);
    else
      v_new := jsonb_build_array(xplane.grant_entry(v_db, v_schema, v_on, v_privs,
                                                   coalesce((v_item ->> 'future')::boolean, false))
                                 || jsonb_build_object('future_owners', v_owners,
                                                       'grant_option', coalesce((v_item ->> 'grant_option')::boolean, false))
                                 || case when v_by is null then '{}'::jsonb else jsonb_build_object('granted_by', v_by) end);
    end if;
    -- granted_by is not merged: two blocks for one target name the same grantor, or none
    -- (checked only once some block names one: most lists have none)
    if v_any_by then
      select concat_ws('.', n ->> 'database', n ->> 'schema', n -> 'objects' ->> 0) || format(' (%s)', n ->> 'on') into v_bad
        from jsonb_array_elements(v_new) n, jsonb_array_elements(v_rows) g
       where g ->> 'database' = n ->> 'database' and (g ->> 'schema') is not distinct from (n ->> 'schema') and g ->> 'on' = n ->> 'on'
         and (g -> 'objects') is not distinct from (n -> 'objects') and (g -> 'columns') is not distinct from (n -> 'columns')
         and (g ->> 'granted_by') is distinct from (n ->> 'granted_by')
       limit 1;
      if v_bad is not null then
        perform xplane.invalid_spec(p_kind, v_field || '.granted_by',
          format('differs from that of another grant block on %s: one grantor per target (merge the blocks, or name the same grantor)', v_bad));
      end if;
    end if;
    v_rows := v_rows || v_new;
  end loop;
  if jsonb_array_length(v_rows) = 1 then
    return v_rows;                                     -- nothing to merge or sort
  end if;
  -- Two blocks for the same (database, schema, on; objects, columns for object-level entries)
  -- merge: privileges and future_owners united, future and grant_option if either says so
  -- (granted_by: the same in both, checked above).
  return xplane.grants_sorted((
    select jsonb_agg(xplane.grant_entry(k.db, k.sch, k.target,
             array(select distinct jsonb_array_elements_text(g2 -> 'privileges')
                     from jsonb_array_elements(v_rows) g2
                    where g2 ->> 'database' = k.db and g2 ->> 'on' = k.target
                      and (g2 ->> 'schema') is not distinct from k.sch
                      and (g2 -> 'objects') is not distinct from k.objs and (g2 -> 'columns') is not distinct from k.cols),
             k.fut) || jsonb_build_object('future_owners', coalesce((
               select jsonb_agg(o order by o collate "C") from (select distinct jsonb_array_elements_text(g2 -> 'future_owners') as o
                 from jsonb_array_elements(v_rows) g2
                where g2 ->> 'database' = k.db and g2 ->> 'on' = k.target
                  and (g2 ->> 'schema') is not distinct from k.sch
                  and (g2 -> 'objects') is not distinct from k.objs and (g2 -> 'columns') is not distinct from k.cols) x), '[]'::jsonb),
             'grant_option', k.gopt)
           || case when k.by is null then '{}'::jsonb else jsonb_build_object('granted_by', k.by) end
           || case when k.objs is null then '{}'::jsonb else jsonb_build_object('objects', k.objs) end
           || case when k.cols is null then '{}'::jsonb else jsonb_build_object('columns', k.cols) end)
      from (select g ->> 'database' as db, g ->> 'schema' as sch, g ->> 'on' as target, g -> 'objects' as objs, g -> 'columns' as cols,
                   bool_or((g ->> 'future')::boolean) as fut, bool_or((g ->> 'grant_option')::boolean) as gopt,
                   max(g ->> 'granted_by') as by
              from jsonb_array_elements(v_rows) g group by 1, 2, 3, 4, 5) k));
end
$$;
comment on function xplane.normalize_grants(xplane.resource_kind, jsonb, text) is
  'Validates and normalises a grants list: on defaults to tables, database to p_default_database, privileges upper case with ALL expanded, duplicates merged, sorted by (database, schema, on). Raises 22023 naming the field (Kind.grants[i].privileges: unknown privilege "SELCT" for tables …).';

create or replace function xplane.grants_scope(p_grants jsonb)
returns table (database text, schema text) language sql immutable parallel safe as $$
  -- Every database a list names (schema null = the database itself), and every schema in it.
  -- One pass over the list (it runs for every role of every plan): each grant gives its
  -- database and its schema, de-duplicated once.
  select distinct g ->> 'database', s.schema
    from jsonb_array_elements(coalesce(p_grants, '[]'::jsonb)) g
         cross join lateral (values (null::text), (g ->> 'schema')) s(schema)
$$;
comment on function xplane.grants_scope(jsonb) is
  'The (database, schema) pairs a grants list names, plus (database, null) for each database: where grants are authoritative.';

create or replace function xplane.grants_catalog_ctes_sql()
returns text language sql immutable parallel safe as $$
  -- The CTEs the grants catalog queries share (grants_catalog_sql, the plan's, and
  -- import_grants_catalog_sql, xp import's), written once so that both read the same facts
  -- the same way; each query adds its own CTEs after these (a comma first) and ends with
  -- grants_catalog_select_sql. Arguments: $1 the roles, $2 the schemas (text[]).
  --   r, s, d: the roles, the schemas, this database; me: xp's role (oid) and the mode that
  --   lets it act as another role (act_as_mode_sql: evaluated once, not per row); ff: per
  --   schema, the roles xp sets default privileges for by default; objs: the tables,
  --   sequences and functions of the schemas, with their ACLs; cand: their ACL items that may
  --   name one of the roles; defs … defn: default privileges; nsh, nshn: schema privileges;
  --   dbh: database privileges.
  select $q$
  r as (select oid, rolname::text as rolname from pg_catalog.pg_roles where rolname = any ($1::text[])),
  s as (select oid, nspname::text as nspname, nspowner, nspacl from pg_catalog.pg_namespace where nspname = any ($2::text[])),
  d as (select datdba, datacl from pg_catalog.pg_database where datname = pg_catalog.current_database()),
  -- mode: what lets xp act as another role (SET ROLE): SET from PostgreSQL 16 on, MEMBER before
  me as (select oid, $q$ || xplane.act_as_mode_sql() || $q$ as mode
           from pg_catalog.pg_roles where rolname = current_user),
  -- per schema, xp's role and the owner where xp may act as it: a row each, not a join of
  -- every role with every schema (the generic plan, guessing ten schemas, filtered them all)
  ff as materialized (select s.oid as nsp, current_user::text as forrole from s
                      union all
                      select s.oid, pg_catalog.pg_get_userbyid(s.nspowner)::text from s
                       where s.nspowner <> (select oid from me)
                         and pg_catalog.pg_has_role(current_user, s.nspowner, (select mode from me))),
  objs as materialized (select c.relnamespace as nsp, case c.relkind when 'S' then 'sequences' else 'tables' end as kind, c.oid, c.relowner as owner,
                  coalesce(c.relacl, pg_catalog.acldefault(case c.relkind when 'S' then 's' else 'r' end::"char", c.relowner)) as acl
             from pg_catalog.pg_class c join s on s.oid = c.relnamespace
            where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
           union all
           select p.pronamespace, 'functions', p.oid, p.proowner, coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))
             from pg_catalog.pg_proc p join s on s.oid = p.pronamespace),
  -- aclexplode(acl) detoasts the whole ACL once per output row: on tables granted to many
  -- roles that is quadratic. Unnest the items first, keep those that may name one of our
  -- roles (the grantee before "=", or any quoted grantee) and explode only those.
  items as (select o.nsp, o.kind, o.oid, o.owner, i.item, i.item::text as t
              from objs o cross join lateral unnest(o.acl) as i(item)),
  cand as (select it.* from items it
            where left(it.t, 1) = '"' or split_part(it.t, '=', 1) in (select rolname from r)),
  defs as (select da.defaclnamespace as nsp, r.rolname,
                  case da.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' when 'T' then 'types'
                                        when 'n' then 'schemas' else 'functions' end as kind,
                  pg_catalog.pg_get_userbyid(da.defaclrole)::text as forrole,
                  json_agg(distinct a.privilege_type::text order by a.privilege_type::text) as privs
             from pg_catalog.pg_default_acl da
             cross join lateral unnest(da.defaclacl) as i(item) cross join lateral pg_catalog.aclexplode(array[i.item]) a
             join r on r.oid = a.grantee
            -- IN SCHEMA (schemas of the scope) and global (namespace 0: the database's, db_defaults)
            where (da.defaclnamespace = 0 or da.defaclnamespace in (select oid from s))
              -- a global row starts from the built-in defaults: the creator's own privileges on
              -- what it creates are an owner's (implicit), never a grant
              and a.grantee <> da.defaclrole
              -- only creators xp may act as (ALTER DEFAULT PRIVILEGES FOR ROLE needs it)
              and pg_catalog.pg_has_role(current_user, da.defaclrole, (select mode from me))
            group by 1, 2, 3, 4),
  defk as (select nsp, rolname, kind, json_object_agg(forrole, privs) as j from defs group by 1, 2, 3),
  defr as (select nsp, rolname, json_object_agg(kind, j) as j from defk group by 1, 2),
  defn as materialized (select nsp, json_object_agg(rolname, j) as j from defr where nsp <> 0 group by 1),
  -- third grantors of a schema's or the database's privileges (neither its owner nor xp's role)
  -- that xp may act as: its REVOKE runs as each of them (SET ROLE) to reach their grants
  nsh as (select s.oid as nsp, r.rolname, json_agg(distinct a.privilege_type::text order by a.privilege_type::text) as privs,
                 json_agg(distinct a.privilege_type::text order by a.privilege_type::text) filter (where a.is_grantable) as gprivs,
                 json_agg(distinct pg_catalog.pg_get_userbyid(a.grantor)::text) filter (where a.grantor <> s.nspowner
                   and a.grantor <> (select oid from me) and pg_catalog.pg_has_role(current_user, a.grantor, (select mode from me))) as thirds,
                 -- (granted_by) who granted what, kept where some grantor is neither the owner nor xp's role
                 bool_or(a.grantor <> s.nspowner and a.grantor <> (select oid from me)) as any_third,
                 array_agg(a.grantor) as grs, array_agg(a.privilege_type::text) as prs
            from s cross join lateral unnest(coalesce(s.nspacl, pg_catalog.acldefault('n', s.nspowner))) as i(item)
                   cross join lateral pg_catalog.aclexplode(array[i.item]) a
            join r on r.oid = a.grantee group by 1, 2),
  nshn as materialized (select nsp, json_object_agg(rolname, privs) as j,
                                json_object_agg(rolname, gprivs) filter (where gprivs is not null) as gj,
                                json_object_agg(rolname, thirds) filter (where thirds is not null) as tj,
                                json_object_agg(rolname, (select json_object_agg(x.g, x.p) from (
                                    select pg_catalog.pg_get_userbyid(u.g)::text as g, json_agg(distinct u.p order by u.p) as p
                                      from unnest(grs, prs) u(g, p) group by 1) x)) filter (where any_third) as bj from nsh group by 1),
  dbh as (select r.rolname, json_agg(distinct a.privilege_type::text order by a.privilege_type::text) as privs,
                 json_agg(distinct a.privilege_type::text order by a.privilege_type::text) filter (where a.is_grantable) as gprivs,
                 json_agg(distinct pg_catalog.pg_get_userbyid(a.grantor)::text) filter (where a.grantor <> d.datdba
                   and a.grantor <> (select oid from me) and pg_catalog.pg_has_role(current_user, a.grantor, (select mode from me))) as thirds,
                 bool_or(a.grantor <> d.datdba and a.grantor <> (select oid from me)) as any_third,
                 array_agg(a.grantor) as grs, array_agg(a.privilege_type::text) as prs
            from d cross join lateral unnest(coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))) as i(item)
                   cross join lateral pg_catalog.aclexplode(array[i.item]) a
            join r on r.oid = a.grantee group by 1)$q$::text
$$;
comment on function xplane.grants_catalog_ctes_sql() is
  'The CTEs (SQL text, a list without WITH) that grants_catalog_sql and import_grants_catalog_sql share: the roles $1 and schemas $2 asked about, xp''s role and how it may act as others, the objects of the schemas and their ACL items, default privileges, schema and database privileges (held, grantable, third grantors, granted_by).';

create or replace function xplane.grants_catalog_select_sql(p_keys text, p_schema_keys text, p_schema_joins text)
returns text language sql immutable parallel safe as $$
  -- The final SELECT of the grants catalog queries, over the CTEs of grants_catalog_ctes_sql:
  -- the keys both give (me, db_owner, db_*, default_roles, and per schema owner, future_for,
  -- held, grantable, grantors, by, defaults) with the caller's own: p_keys after db_owner,
  -- p_schema_keys after a schema's "by", p_schema_joins (left joins on s) before defn's.
  -- Each is '' or SQL text that starts with a line break (p_keys and p_schema_keys end with
  -- a comma).
  select $q$
  select json_build_object(
    'me', current_user::text,
    'db_owner', (select pg_catalog.pg_get_userbyid(datdba)::text from d),$q$ || p_keys || $q$
    'db_held', coalesce((select json_object_agg(rolname, privs) from dbh), '{}'::json),
    'db_grantable', coalesce((select json_object_agg(rolname, gprivs) from dbh where gprivs is not null), '{}'::json),
    'db_grantors', coalesce((select json_object_agg(rolname, thirds) from dbh where thirds is not null), '{}'::json),
    -- {role: {grantor: [privileges]}}, only for roles some third grantor granted something (granted_by)
    'db_by', coalesce((select json_object_agg(rolname, (select json_object_agg(x.g, x.p) from (
                          select pg_catalog.pg_get_userbyid(u.g)::text as g, json_agg(distinct u.p order by u.p) as p
                            from unnest(grs, prs) u(g, p) group by 1) x)) from dbh where any_third), '{}'::json),
    -- global default privileges (no IN SCHEMA), and the roles with those or with default
    -- privileges on types: grant_defaults_observed reads them only for these (docs/kinds/role.md)
    'db_defaults', coalesce((select json_object_agg(rolname, j) from defr where nsp = 0), '{}'::json),
    'default_roles', coalesce((select json_agg(distinct rolname) from defs where nsp = 0 or kind = 'types'), '[]'::json),
    -- Joins, not a subquery per schema: with 1,000 schemas that was quadratic.
    'schemas', coalesce((select json_object_agg(s.nspname, json_build_object(
        'owner', pg_catalog.pg_get_userbyid(s.nspowner)::text,
        'future_for', coalesce(ffn.j, '[]'::json),
        'held', coalesce(nshn.j, '{}'::json),
        'grantable', coalesce(nshn.gj, '{}'::json),
        'grantors', coalesce(nshn.tj, '{}'::json),
        'by', coalesce(nshn.bj, '{}'::json),$q$ || p_schema_keys || $q$
        'defaults', coalesce(defn.j, '{}'::json)))
      from s left join (select ff.nsp, json_agg(ff.forrole order by ff.forrole) as j from ff group by ff.nsp) ffn on ffn.nsp = s.oid
             left join nshn on nshn.nsp = s.oid$q$ || p_schema_joins || $q$
             left join defn on defn.nsp = s.oid), '{}'::json))$q$::text
$$;
comment on function xplane.grants_catalog_select_sql(text, text, text) is
  'The final SELECT (SQL text) of grants_catalog_sql and import_grants_catalog_sql over grants_catalog_ctes_sql: the json object of the keys both give, with the caller''s own keys (p_keys), keys per schema (p_schema_keys) and the joins those read (p_schema_joins).';

create or replace function xplane.grants_catalog_sql()
returns text language sql immutable parallel safe as $$
  -- Everything the roles $1 (text[]) hold in the current database and in the schemas $2 (text[]),
  -- in one query (run there through xplane.remote_query). Objects a role owns do not count:
  -- an owner's rights are implicit. Only explicit grants to the role count (never PUBLIC's).
  -- The objects of a schema are counted for the roles $3 pairs with it ([[role, schema], …]:
  -- where each role's grants are authoritative), not for every role: with a table in each of
  -- 1,000 tenant schemas, every role times every schema made a no-op plan take minutes.
  -- The CTEs and keys it shares with import_grants_catalog_sql (051) come from
  -- grants_catalog_ctes_sql and grants_catalog_select_sql; its own: the objects of each
  -- schema per role paired with it, outside, objects_held.
  select $q$(with$q$ || xplane.grants_catalog_ctes_sql() || $q$,
  pairs as (select distinct p ->> 0 as rolname, p ->> 1 as nspname from pg_catalog.jsonb_array_elements($3::jsonb) p),
  totals as (select o.nsp, o.kind, r.rolname, count(*)::int as total
               from pairs pr join r on r.rolname = pr.rolname join s on s.nspname = pr.nspname
               join objs o on o.nsp = s.oid and o.owner <> r.oid
              group by 1, 2, 3),
  held as materialized (select c.nsp, c.kind, r.rolname, a.privilege_type::text as priv, count(distinct c.oid)::int as n,
                  count(distinct c.oid) filter (where a.is_grantable)::int as g,
                  -- granted by a third grantor (neither the owner nor xp's role) xp may act as:
                  -- the objects, so that the REVOKE runs as it on each (grants_third_objects_sql)
                  json_agg(json_build_object('grantor', pg_catalog.pg_get_userbyid(a.grantor)::text,
                                             'object', case c.kind when 'functions' then c.oid::pg_catalog.regprocedure::text
                                                                   else c.oid::pg_catalog.regclass::text end))
                    filter (where a.grantor <> c.owner and a.grantor <> (select oid from me)
                              and pg_catalog.pg_has_role(current_user, a.grantor, (select mode from me))) as t
             from cand c cross join lateral pg_catalog.aclexplode(array[c.item]) a join r on r.oid = a.grantee and c.owner <> r.oid
            group by 1, 2, 3, 4),
  heldj as (select nsp, kind, rolname, json_object_agg(priv, n) as j, json_object_agg(priv, g) filter (where g > 0) as gj,
                   json_object_agg(priv, t) filter (where t is not null) as tj
              from held group by 1, 2, 3),
  objk as (select t.nsp, t.rolname, t.kind,
                  -- "thirds" only where there are some: the usual shape otherwise
                  case when h.tj is null then json_build_object('total', t.total, 'held', coalesce(h.j, '{}'::json),
                                                                'grantable', coalesce(h.gj, '{}'::json))
                       else json_build_object('total', t.total, 'held', h.j, 'grantable', coalesce(h.gj, '{}'::json),
                                              'thirds', h.tj) end as j
             from totals t left join heldj h on h.nsp = t.nsp and h.kind = t.kind and h.rolname = t.rolname),
  objr as (select nsp, rolname, json_object_agg(kind, j) as j from objk group by 1, 2),
  objn as materialized (select nsp, json_object_agg(rolname, j) as j from objr group by 1),
  -- Privileges a role holds outside its scope ($3 pairs; [role, null]: this database is in
  -- it) in this database: on the database, global default privileges, on a schema, on the
  -- tables, sequences and functions in it, or default privileges there (of creators xp may
  -- act as). role_batch_catalog brings those schemas into the role's scope, where what is not
  -- declared shows and is revoked. Not counted: an owner's rights, what the database's global
  -- default privileges give the role on objects (as in scope), temporary schemas. In the
  -- schemas of $2 the CTEs above have found it already; only the others are read here.
  gdef as (select a.grantee, case da.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' else 'functions' end as kind,
                  a.privilege_type::text as priv
             from pg_catalog.pg_default_acl da cross join lateral unnest(da.defaclacl) as i(item)
                  cross join lateral pg_catalog.aclexplode(array[i.item]) a
            where da.defaclnamespace = 0 and da.defaclobjtype in ('r', 'S', 'f')),
  os as (select n.oid, n.nspname::text as nspname, n.nspowner, n.nspacl from pg_catalog.pg_namespace n
          where not exists (select from s where s.oid = n.oid) and n.nspname !~ '^pg_(toast_)?temp_'),
  osobj as (select c.relnamespace as nsp, c.relowner as owner, c.relacl as acl, case c.relkind when 'S' then 'sequences' else 'tables' end as kind
              from pg_catalog.pg_class c join os on os.oid = c.relnamespace
             where c.relacl is not null and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
            union all
            select p.pronamespace, p.proowner, p.proacl, 'functions' from pg_catalog.pg_proc p join os on os.oid = p.pronamespace
             where p.proacl is not null),
  -- (schema null: the database itself, its privileges and global default privileges)
  anyheld as (select s.nspname::text as nspname, x.rolname from nsh x join s on s.oid = x.nsp join r on r.rolname = x.rolname and r.oid <> s.nspowner
              union all
              select s.nspname::text, h.rolname from held h join s on s.oid = h.nsp
               where not exists (select 1 from gdef g join r on r.oid = g.grantee where r.rolname = h.rolname and g.kind = h.kind and g.priv = h.priv)
              union all
              select s.nspname::text, f.rolname from defs f left join s on s.oid = f.nsp
              union all
              select null, x.rolname from dbh x join r on r.rolname = x.rolname where r.oid <> (select datdba from d)
              union all
              select os.nspname, r.rolname from os cross join lateral unnest(os.nspacl) as i(item)
                     cross join lateral pg_catalog.aclexplode(array[i.item]) a join r on r.oid = a.grantee and r.oid <> os.nspowner
              union all
              select n.nspname::text, r.rolname from osobj o join pg_catalog.pg_namespace n on n.oid = o.nsp
                     cross join lateral unnest(o.acl) as i(item) cross join lateral pg_catalog.aclexplode(array[i.item]) a
                     join r on r.oid = a.grantee and r.oid <> o.owner
               where not exists (select 1 from gdef g where g.grantee = a.grantee and g.kind = o.kind and g.priv = a.privilege_type::text)
              union all
              select os.nspname, r.rolname
                from pg_catalog.pg_default_acl da join os on os.oid = da.defaclnamespace
                     cross join lateral unnest(da.defaclacl) as i(item) cross join lateral pg_catalog.aclexplode(array[i.item]) a
                     join r on r.oid = a.grantee and a.grantee <> da.defaclrole
               where pg_catalog.pg_has_role(current_user, da.defaclrole, (select mode from me))),
  outside as (select h.rolname, json_agg(distinct h.nspname order by h.nspname nulls first) as schemas
                from anyheld h
               -- ('' for null: a schema has a name; an equality, so a hash anti-join)
               where not exists (select 1 from pairs p where p.rolname = h.rolname and coalesce(p.nspname, '') = coalesce(h.nspname, ''))
               group by 1),
  -- Column privileges and privileges on types and domains the roles hold in this database,
  -- in or out of their scope (no whole-schema form reads them): pg_shdepend's ACL entries of
  -- this database's columns and types (by its index on the dependent object) naming one of
  -- the roles, each checked in its ACL (an entry also names a grantor). Not counted: what a
  -- role owns. role_batch_catalog reads them as object-level entries (049_object_grants.sql)
  -- where the role's grants do not name them yet, so that what is not declared shows and is
  -- revoked. The roles: a hashed subplan ("is true" keeps it one, not a semi-join that the
  -- generic plan, guessing ten roles, may run as a nested loop over thousands), and the role
  -- of each entry by its oid, not by joining r again.
  aclobj as (select sd.refobjid as grantee, sd.classid, sd.objid, sd.objsubid
               from pg_catalog.pg_shdepend sd
              where sd.dbid = (select oid from pg_catalog.pg_database where datname = pg_catalog.current_database())
                and ((sd.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and sd.objsubid > 0)
                     or sd.classid = 'pg_catalog.pg_type'::pg_catalog.regclass)
                and sd.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass and sd.deptype = 'a'
                and (sd.refobjid in (select oid from r)) is true),
  objheld as (select pg_catalog.pg_get_userbyid(x.grantee)::text as rolname, n.nspname::text as nspname, 'tables' as kind,
                     c.relname::text as obj, att.attname::text as col
                from aclobj x
                join pg_catalog.pg_class c on x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and c.oid = x.objid
                join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                join pg_catalog.pg_attribute att on att.attrelid = c.oid and att.attnum = x.objsubid and not att.attisdropped
               where c.relowner <> x.grantee and c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname !~ '^pg_(toast_)?temp_'
                 and exists (select 1 from unnest(att.attacl) as i(item), pg_catalog.aclexplode(array[i.item]) a where a.grantee = x.grantee)
              union all
              select pg_catalog.pg_get_userbyid(x.grantee)::text, n.nspname::text, 'types', t.typname::text, null
                from aclobj x
                join pg_catalog.pg_type t on x.classid = 'pg_catalog.pg_type'::pg_catalog.regclass and t.oid = x.objid
                join pg_catalog.pg_namespace n on n.oid = t.typnamespace
               where t.typowner <> x.grantee and n.nspname !~ '^pg_(toast_)?temp_'
                 -- those grants_objects_catalog_sql reads (a composite type, not a table's row type)
                 and t.typtype in ('b', 'd', 'e', 'r', 'm', 'c')
                 and (t.typrelid = 0 or (select c.relkind from pg_catalog.pg_class c where c.oid = t.typrelid) = 'c')
                 and exists (select 1 from unnest(t.typacl) as i(item), pg_catalog.aclexplode(array[i.item]) a where a.grantee = x.grantee))$q$ || xplane.grants_catalog_select_sql($k$
    'outside', coalesce((select json_object_agg(rolname, schemas) from outside), '{}'::json),
    -- {role: [[schema, "tables", table, column] | [schema, "types", type, null]]}
    'objects_held', coalesce((select json_object_agg(rolname, j) from (
        select rolname, json_agg(json_build_array(nspname, kind, obj, col) order by nspname, kind, obj, col) as j
          from objheld group by 1) x), '{}'::json),$k$, $k$
        'objects', coalesce(objn.j, '{}'::json),$k$, $k$
             left join objn on objn.nsp = s.oid$k$) || ')'
$$;
comment on function xplane.grants_catalog_sql() is
  'The one query (a json expression, built as text, with arguments $1 roles, $2 schemas, both text[]) that reads, in one database, what the roles hold there: database privileges, and per schema its owner, USAGE/CREATE, per tables/sequences/functions how many objects carry each privilege (and with the grant option: grantable, db_grantable), the roles xp sets default privileges for by default (future_for: the schema owner, the role xp runs as) and the default privileges (IN SCHEMA) of every role that gives the roles any; "outside": the schemas outside each role''s scope where it holds anything; "objects_held": the columns and types (and domains) each role holds a privilege on, in any schema.';

create or replace function xplane.grants_catalog(p_provider_config text, p_requests jsonb, p_databases text[])
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_db   text;
  v_req  jsonb;
  v_out  jsonb := '{}';
begin
  -- p_requests: {"<database>": {"roles": [...], "schemas": [...], "pairs": [[role, schema], ...]}}; one round trip per
  -- database that exists (p_databases); a database that does not exist is simply absent.
  for v_db, v_req in select key, value from jsonb_each(coalesce(p_requests, '{}'::jsonb)) order by key loop
    continue when not (v_db = any (p_databases));
    v_out := v_out || jsonb_build_object(v_db, xplane.remote_query(p_provider_config, v_db, xplane.grants_catalog_sql(),
      array[array(select distinct jsonb_array_elements_text(v_req -> 'roles'))::text,
            array(select distinct jsonb_array_elements_text(v_req -> 'schemas'))::text,
            coalesce(v_req -> 'pairs', '[]'::jsonb)::text]));
    -- object-level grants (049_object_grants.sql): one more query, only where some are declared
    if jsonb_array_length(coalesce(v_req -> 'objects', '[]')) > 0 then
      v_out := jsonb_set(v_out, array[v_db, 'objects'], xplane.remote_query(p_provider_config, v_db, xplane.grants_objects_catalog_sql(),
        array[array(select distinct jsonb_array_elements_text(v_req -> 'roles'))::text, (v_req -> 'objects')::text]));
    end if;
  end loop;
  return v_out;
end
$$;
comment on function xplane.grants_catalog(text, jsonb, text[]) is
  'Runs grants_catalog_sql once per database of p_requests ({"db": {"roles": [...], "schemas": [...], "objects": [...] (object-level grants only)}}) that exists, and returns {"db": <catalog>}; with "objects", also grants_objects_catalog_sql, under the key "objects".';

create or replace function xplane.grant_revoke_sql(p_prefix text, p_add text[], p_del text[], p_on text, p_role text)
returns text[] language sql stable parallel safe as $$
  -- p_on and p_prefix come already quoted (format %I): 'schema "s"', 'all tables in schema "s"',
  -- 'alter default privileges for role "o" in schema "s" '.
  select array_remove(array[
    case when cardinality(p_add) > 0 then format('%sgrant %s on %s to %I', p_prefix, array_to_string(p_add, ', '), p_on, p_role) end,
    case when cardinality(p_del) > 0 then format('%srevoke %s on %s from %I', p_prefix, array_to_string(p_del, ', '), p_on, p_role) end],
    null)
$$;
comment on function xplane.grant_revoke_sql(text, text[], text[], text, text) is
  'The GRANT of p_add and the REVOKE of p_del on p_on to/from p_role (each only when not empty), after p_prefix (ALTER DEFAULT PRIVILEGES …): the one statement pair of grants_delta.';

create or replace function xplane.grant_sync_sql(p_prefix text, p_want text[], p_held text[], p_on text, p_role text)
returns text[] language sql immutable parallel safe as $$
  select xplane.grant_revoke_sql(p_prefix,
    array(select distinct p from unnest(p_want) p where not p = any (p_held) order by p),
    array(select distinct p from unnest(p_held) p where not p = any (p_want) order by p), p_on, p_role)
$$;
comment on function xplane.grant_sync_sql(text, text[], text[], text, text) is
  'grant_revoke_sql of what p_want adds to p_held and of what p_held has beyond p_want: the statements that make p_role hold exactly p_want on p_on.';

create or replace function xplane.grant_option_sql(p_on text, p_role text, p_with text[], p_without text[])
returns text[] language sql stable parallel safe as $$
  -- p_on comes already quoted (format %I). REVOKE GRANT OPTION FOR keeps the privilege itself;
  -- without CASCADE it fails while the role has passed the privilege on (PostgreSQL names them).
  select array_remove(array[
    case when cardinality(p_with) > 0 then format('grant %s on %s to %I with grant option', array_to_string(p_with, ', '), p_on, p_role) end,
    case when cardinality(p_without) > 0 then format('revoke grant option for %s on %s from %I', array_to_string(p_without, ', '), p_on, p_role) end],
    null)
$$;
comment on function xplane.grant_option_sql(text, text, text[], text[]) is
  'The GRANT … WITH GRANT OPTION of p_with and the REVOKE GRANT OPTION FOR of p_without on p_on (each only when not empty): the grant_option part of grants_delta.';

create or replace function xplane.third_grantor_sql(p_grantors jsonb, p_on text, p_role text, p_del text[])
returns text[] language sql immutable parallel safe as $$
  -- A REVOKE removes only the grants its grantor made (the owner's, when run by a superuser):
  -- the same REVOKE again as each third grantor xp may act as (grants_catalog lists them).
  -- p_on comes already quoted (format %I).
  select coalesce(array_agg(format('set role %I; revoke %s on %s from %I; reset role', g, array_to_string(p_del, ', '), p_on, p_role)
                            order by g), '{}')
    from jsonb_array_elements_text(coalesce(p_grantors, '[]'::jsonb)) g
   where cardinality(p_del) > 0
$$;
comment on function xplane.third_grantor_sql(jsonb, text, text, text[]) is
  'The REVOKE of p_del on p_on from p_role run as each of p_grantors (SET ROLE … RESET ROLE): what reaches grants made by a third grantor.';

create or replace function xplane.third_grantor_objects_sql(p_thirds jsonb, p_kind text, p_role text, p_del text[])
returns text[] language sql immutable parallel safe as $$
  -- The whole-schema form's REVOKE … ON ALL TABLES reaches only the owner's grants: a privilege
  -- of p_del granted on an object by a third grantor xp may act as (grants_catalog_sql: "thirds",
  -- {privilege: [{grantor, object}]}, the object already quoted as regclass / regprocedure
  -- print it) is revoked as that grantor, object by object (it may hold nothing on the others).
  select coalesce(array_agg(format('set role %I; revoke %s on %s %s from %I; reset role', x.grantor, x.privs,
                                   case p_kind when 'sequences' then 'sequence' when 'functions' then 'routine' else 'table' end,
                                   x.object, p_role) order by x.grantor, x.object), '{}')
    from (select e ->> 'grantor' as grantor, e ->> 'object' as object, string_agg(t.key, ', ' order by t.key) as privs
            from jsonb_each(coalesce(p_thirds, '{}'::jsonb)) t, jsonb_array_elements(t.value) e
           where t.key = any (p_del)
           group by 1, 2) x
$$;
comment on function xplane.third_grantor_objects_sql(jsonb, text, text, text[]) is
  'The REVOKE of the privileges of p_del that third grantors granted p_role on objects of a schema (the "thirds" of grants_catalog_sql), run as each grantor, object by object.';

create or replace function xplane.grant_option_of(p_grant jsonb)
returns boolean language sql immutable parallel safe as $$
  select coalesce((p_grant ->> 'grant_option')::boolean, false)
$$;
comment on function xplane.grant_option_of(jsonb) is
  'Whether a grant asks for WITH GRANT OPTION (false for null and for specs without the key).';

create or replace function xplane.grant_option_missing(p_grant jsonb, p_grantable jsonb)
returns text[] language sql immutable parallel safe as $$
  -- With grant_option: the desired privileges not yet held with the grant option.
  select array(select p from unnest(xplane.grant_privs(p_grant)) p
                where xplane.grant_option_of(p_grant) and not coalesce(p_grantable, '[]'::jsonb) ? p order by p)
$$;
comment on function xplane.grant_option_missing(jsonb, jsonb) is
  'The privileges of a grant with grant_option that p_grantable (a list held WITH GRANT OPTION) lacks.';

create or replace function xplane.grant_option_extra(p_grant jsonb, p_grantable jsonb)
returns text[] language sql immutable parallel safe as $$
  -- Without grant_option: the desired privileges held with the grant option all the same.
  select array(select p from unnest(xplane.grant_privs(p_grant)) p
                where not xplane.grant_option_of(p_grant) and coalesce(p_grantable, '[]'::jsonb) ? p order by p)
$$;
comment on function xplane.grant_option_extra(jsonb, jsonb) is
  'The privileges of a grant without grant_option that p_grantable (a list held WITH GRANT OPTION) has: their grant option is revoked.';

-- Default privileges only (ALTER DEFAULT PRIVILEGES, no GRANT on existing objects): global
-- ones (a grant without schema: pg_default_acl rows of namespace 0, per database), those on
-- schemas (global only) and those on types (IN SCHEMA or global). docs/kinds/role.md,
-- "Default privileges everywhere". Read only for roles that declare some or hold some
-- (default_roles of grants_catalog_sql), so configurations without them do no extra work.

create or replace function xplane.grant_has_defaults(p_grants jsonb)
returns boolean language sql immutable parallel safe as $$
  select coalesce(p_grants @? '$[*] ? (@.future == true && (!exists(@.schema) || @.schema == null || (@.on == "types" && !exists(@.objects))))', false)
$$;
comment on function xplane.grant_has_defaults(jsonb) is
  'Whether a grants list holds a default-privileges-only entry: global (no schema), on schemas, or on types without objects.';

create or replace function xplane.grant_by_split(p_by jsonb, p_held jsonb, p_grantor text, p_owner text, p_me text)
returns table (mine text[], others jsonb) language sql immutable parallel safe as $$
  -- Of what a role holds on one object (p_held), what p_grantor granted (mine) and what the
  -- other grantors did ({grantor: [privileges]}). p_by: the catalog's "by" for the role there,
  -- {grantor: [privileges]}, present only where some grantor is neither the owner nor xp's
  -- role; absent, every privilege held is the owner's or xp's (one key, the owner's, for both).
  select case when p_by is null or p_by = '{}'::jsonb
              then case when p_grantor in (p_owner, p_me) then array(select jsonb_array_elements_text(coalesce(p_held, '[]'::jsonb))) else '{}' end
              else array(select jsonb_array_elements_text(coalesce(p_by -> p_grantor, '[]'::jsonb))) end,
         case when p_by is null or p_by = '{}'::jsonb
              then case when p_grantor in (p_owner, p_me) or coalesce(jsonb_array_length(p_held), 0) = 0 then '{}'::jsonb
                        else jsonb_build_object(p_owner, p_held) end
              else p_by - p_grantor end
$$;
comment on function xplane.grant_by_split(jsonb, jsonb, text, text, text) is
  'What p_grantor granted a role on one object (mine) and what the other grantors did (others, {grantor: [privileges]}), from the catalog''s "by" (granted_by).';

create or replace function xplane.grant_by_observed(p_by jsonb, p_grantor text, p_owner text, p_me text)
returns boolean language sql immutable parallel safe as $$
  -- granted_by shows when p_grantor granted something and no other grantor anything (the
  -- catalog's "by" lists every grantor of a role there as soon as one is a third grantor)
  select case when p_by is null or p_by = '{}'::jsonb then p_grantor in (p_owner, p_me)
              else p_by ? p_grantor and not exists (select 1 from jsonb_object_keys(p_by) k where k <> p_grantor) end
$$;
comment on function xplane.grant_by_observed(jsonb, text, text, text) is
  'Whether everything a role holds on one object was granted by p_grantor alone (the observed granted_by), from the catalog''s "by".';

create or replace function xplane.third_grantor_release_sql(p_role text, p_cluster boolean)
returns text language sql stable parallel safe as $$
  -- DROP OWNED revokes only the grants the owner made (or the current role): privileges given
  -- to p_role by a third grantor (granted_by, or by hand) would keep DROP ROLE from working.
  -- This DO statement revokes them as each grantor (SET ROLE), in the database it runs in
  -- (schemas, relations, routines, types; p_cluster: the databases' own privileges instead).
  select format('do %L', format($b$declare
  x record;
begin
  for x in
    select distinct o.target, pg_catalog.pg_get_userbyid(a.grantor)::text as grantor
      from (%s) o(target, acl, owner), unnest(o.acl) as i(item), pg_catalog.aclexplode(array[i.item]) a
     where a.grantee = (select oid from pg_catalog.pg_roles where rolname = %L) and a.grantor <> o.owner
     order by 1, 2
  loop
    execute pg_catalog.format('set role %%I', x.grantor);
    execute pg_catalog.format('revoke all on %%s from %%I cascade', x.target, %L);
    reset role;
  end loop;
end$b$,
  case when p_cluster
       then $s$select 'database ' || pg_catalog.quote_ident(datname), datacl, datdba from pg_catalog.pg_database where datacl is not null$s$
       else $s$select 'schema ' || pg_catalog.quote_ident(nspname), nspacl, nspowner from pg_catalog.pg_namespace where nspacl is not null
               union all
               select case relkind when 'S' then 'sequence ' else 'table ' end || oid::pg_catalog.regclass::text, relacl, relowner
                 from pg_catalog.pg_class where relacl is not null and relkind in ('r', 'p', 'v', 'm', 'f', 'S')
               union all
               select 'routine ' || oid::pg_catalog.regprocedure::text, proacl, proowner from pg_catalog.pg_proc where proacl is not null
               union all
               select case typtype when 'd' then 'domain ' else 'type ' end || oid::pg_catalog.regtype::text, typacl, typowner
                 from pg_catalog.pg_type where typacl is not null$s$ end,
  p_role, p_role))
$$;
comment on function xplane.third_grantor_release_sql(text, boolean) is
  'A DO statement revoking, as each grantor, what third grantors (neither the owner nor the current role) granted p_role in the current database (p_cluster: on databases): run before DROP OWNED, which does not reach those grants.';

create or replace function xplane.grant_granted_by(p_desired jsonb, p_database text, p_schema text, p_on text)
returns text language sql immutable parallel safe as $$
  -- (most lists name no grantor: the path query answers without unnesting them)
  select case when coalesce(p_desired @? '$[*].granted_by', false) then (
    select g ->> 'granted_by' from jsonb_array_elements(p_desired) g
     where g ? 'granted_by' and g ->> 'database' = p_database and (g ->> 'schema') is not distinct from p_schema
       and g ->> 'on' = p_on and not g ? 'objects' limit 1) end
$$;
comment on function xplane.grant_granted_by(jsonb, text, text, text) is
  'The granted_by of the whole-schema (or default-privileges-only) grant of a normalised list for (database, schema, on), or null.';

create or replace function xplane.grantor_check_sql(p_grantor text, p_options jsonb default '[]')
returns text language sql immutable parallel safe as $$
  -- Run first in the remote transaction of what is granted as p_grantor: a clear error when
  -- xp's role may not act as it (superuser, or member of it: with SET on PostgreSQL 16+),
  -- instead of PostgreSQL's "permission denied", and when p_grantor lacks the grant option
  -- of a privilege it is to grant (PostgreSQL would only warn "no privileges were granted").
  -- p_options: [{"sql": a boolean expression (has_*_privilege … WITH GRANT OPTION), "what"}]
  -- (or with "message" and "hint" of its own instead of "what": membership_grantor_check).
  select format('do %L', format($b$begin
  if not pg_catalog.pg_has_role(current_user, %1$L, %3$s) then
    raise exception using errcode = '42501',
      message = format('granted_by = %%s: xp''s role %%s may not act as %%s', %1$L, current_user, %1$L),
      hint = format('make it a member of that role (GRANT %%I TO %%I WITH SET TRUE on PostgreSQL 16+), or connect as a superuser', %1$L, current_user);
  end if;%2$s
end$b$, p_grantor, (
    select coalesce(string_agg(format($c$
  if not %s then
    raise exception using errcode = '42501', message = %L, hint = %L;
  end if;$c$, o ->> 'sql', coalesce(o ->> 'message', format('granted_by = %s: %s does not hold %s WITH GRANT OPTION, so it cannot grant it', p_grantor, p_grantor, o ->> 'what')),
          coalesce(o ->> 'hint', format('grant it to %s WITH GRANT OPTION first (declare grant_option = true in a grant of %s), or name another grantor', p_grantor, p_grantor))), ''), '')
      from jsonb_array_elements(coalesce(p_options, '[]'::jsonb)) o), xplane.act_as_mode_sql()))
$$;
comment on function xplane.grantor_check_sql(text, jsonb) is
  'A DO statement that fails (42501, naming the grantor and what to do) unless the current role may act as p_grantor (SET ROLE) and p_grantor holds with the grant option what it is to grant (p_options): the first statement of what granted_by makes.';

create or replace function xplane.granted_by_sql(p_grantor text, p_on text, p_role text, p_want text[], p_held text[], p_by jsonb,
                                                 p_owner text, p_me text, p_thirds jsonb, p_gopt boolean, p_grantable jsonb,
                                                 p_has text, p_object text)
returns text[] language sql immutable parallel safe as $$
  -- A grant with granted_by on one target (p_on, already quoted: 'schema "api"', 'table
  -- "api"."t"'): what p_grantor has not granted of p_want is granted as it (SET ROLE; GRANT …
  -- [WITH GRANT OPTION]; RESET ROLE), after the check that it may (grantor_check_sql, with
  -- p_has the has_*_privilege function and p_object its argument); then the same privileges
  -- granted by others are revoked: the owner's and xp's by a plain REVOKE, a third grantor's
  -- as it (one xp may act as, p_thirds; for the others the difference stays). What is not
  -- wanted at all is revoked by the caller, as without granted_by.
  with sp as (select * from xplane.grant_by_split(p_by, to_jsonb(p_held), p_grantor, p_owner, p_me)),
  add as (select array(select distinct p from unnest(p_want) p, sp where not p = any (sp.mine) order by p) as a,
                 -- the grant option of what p_grantor granted already, brought to the declaration
                 array(select distinct p from unnest(p_want) p, sp where p = any (sp.mine) and p_gopt
                          and not coalesce(p_grantable, '[]'::jsonb) ? p order by p) as gmiss,
                 array(select distinct p from unnest(p_want) p, sp where p = any (sp.mine) and not p_gopt
                          and coalesce(p_grantable, '[]'::jsonb) ? p order by p) as gextra),
  oth as (select o.key as grantor, array(select p from jsonb_array_elements_text(o.value) p where p = any (p_want) order by p) as privs
            from sp, jsonb_each(sp.others) o)
  select array_remove(array[
           case when cardinality(add.a) + cardinality(add.gmiss) > 0 then xplane.grantor_check_sql(p_grantor,
             (select jsonb_agg(jsonb_build_object('sql', format('pg_catalog.%s(%L, %L, %L)', p_has, p_grantor, p_object, p || ' WITH GRANT OPTION'),
                                                  'what', format('%s on %s', p, p_on)) order by p)
                from unnest(add.a || add.gmiss) p)) end,
           case when cardinality(add.a) > 0 then format('set role %I; grant %s on %s to %I%s; reset role', p_grantor,
             array_to_string(add.a, ', '), p_on, p_role, case when p_gopt then ' with grant option' else '' end) end,
           case when cardinality(add.gmiss) > 0 then format('set role %I; grant %s on %s to %I with grant option; reset role', p_grantor,
             array_to_string(add.gmiss, ', '), p_on, p_role) end,
           case when cardinality(add.gextra) > 0 then format('set role %I; revoke grant option for %s on %s from %I; reset role', p_grantor,
             array_to_string(add.gextra, ', '), p_on, p_role) end], null)
         || coalesce((select array_agg(case when o.grantor in (p_owner, p_me) then format('revoke %s on %s from %I', array_to_string(o.privs, ', '), p_on, p_role)
                                            else format('set role %I; revoke %s on %s from %I; reset role', o.grantor, array_to_string(o.privs, ', '), p_on, p_role) end
                                       order by o.grantor)
                        from oth o where cardinality(o.privs) > 0 and (o.grantor in (p_owner, p_me) or coalesce(p_thirds, '[]'::jsonb) ? o.grantor)), '{}')
    from add
$$;
comment on function xplane.granted_by_sql(text, text, text, text[], text[], jsonb, text, text, jsonb, boolean, jsonb, text, text) is
  'The statements of a grant with granted_by on one target: what the grantor has not granted of p_want, granted as it (after grantor_check_sql), and the same privileges granted by others revoked (the caller revokes what is not wanted).';

create or replace function xplane.grant_defaults_targets(p_role text, p_desired jsonb, p_scope jsonb, p_catalog jsonb)
returns table (database text, schema text, kind text, want jsonb, owners jsonb, defs jsonb, future_for jsonb)
language sql stable parallel safe as $$
  -- Every (database, schema or null, kind) where p_role has default-privileges-only entries,
  -- declared in p_desired or held (p_catalog: {db: grants_catalog}), within p_scope (where its
  -- grants are authoritative). defs: {creator: privileges} the role gets by default there;
  -- future_for: the creators xp manages them for without future_owners (global: its own role;
  -- IN SCHEMA: as for tables, the schema's future_for; with granted_by: that creator alone).
  with sc as (select distinct s.database as db, s.schema from xplane.grants_scope(p_scope) s),
  declared as (select g ->> 'database' as db, g ->> 'schema' as schema, g ->> 'on' as kind, g
                 from jsonb_array_elements(coalesce(p_desired, '[]'::jsonb)) g
                where xplane.grant_has_defaults(jsonb_build_array(g))),
  held as (select sc.db, null::text as schema, k.key as kind
             from sc, jsonb_each(coalesce(p_catalog -> sc.db -> 'db_defaults' -> p_role, '{}'::jsonb)) k
            where sc.schema is null
           union
           select sc.db, sc.schema, 'types'
             from sc where sc.schema is not null
              and p_catalog -> sc.db -> 'schemas' -> sc.schema -> 'defaults' -> p_role ? 'types'),
  t as (select db, schema, kind from declared union select db, schema, kind from held)
  select t.db, t.schema, t.kind, coalesce(d.g -> 'privileges', '[]'::jsonb), coalesce(d.g -> 'future_owners', '[]'::jsonb),
         coalesce(case when t.schema is null then p_catalog -> t.db -> 'db_defaults' -> p_role -> t.kind
                       else p_catalog -> t.db -> 'schemas' -> t.schema -> 'defaults' -> p_role -> t.kind end, '{}'::jsonb),
         -- granted_by: that creator's only (docs/kinds/role.md, "Grants made by another role")
         case when d.g ? 'granted_by' then jsonb_build_array(d.g -> 'granted_by')
              when t.schema is null then jsonb_build_array(p_catalog -> t.db -> 'me')
              else coalesce(p_catalog -> t.db -> 'schemas' -> t.schema -> 'future_for', '[]'::jsonb) end
    from t left join declared d on d.db = t.db and d.schema is not distinct from t.schema and d.kind = t.kind
   where p_catalog ? t.db and (t.schema is null or p_catalog -> t.db -> 'schemas' ? t.schema)
$$;
comment on function xplane.grant_defaults_targets(text, jsonb, jsonb, jsonb) is
  'The default-privileges-only targets of p_role (global, on schemas, on types), declared or held within p_scope, with what is wanted and what the catalog holds: the one list grant_defaults_observed and grant_defaults_delta work from.';

create or replace function xplane.grant_defaults_observed(p_role text, p_desired jsonb, p_scope jsonb, p_catalog jsonb)
returns jsonb language sql stable parallel safe as $$
  -- In the normalised shape (future true): a desired privilege shows when every future_for
  -- creator gives it; an undesired one when any creator does (so that it gets revoked);
  -- future_owners as for tables: the declared ones giving every desired privilege, and any
  -- other creator (not future_for) giving anything.
  select coalesce(jsonb_agg(e), '[]'::jsonb) from (
    select xplane.grant_entry(t.database, t.schema, t.kind,
             array(select p from unnest(xplane.grant_privileges(t.kind)) p
                    where case when t.want ? p
                               then not exists (select 1 from jsonb_array_elements_text(t.future_for) f where not coalesce(t.defs -> f, '[]'::jsonb) ? p)
                               else exists (select 1 from jsonb_each(t.defs) d where d.value ? p) end), true)
           || jsonb_build_object('future_owners', coalesce((
                select jsonb_agg(d.key order by d.key collate "C") from jsonb_each(t.defs) d
                 where case when t.owners ? d.key then d.value @> t.want
                            else jsonb_array_length(d.value) > 0 and not t.future_for ? d.key end), '[]'::jsonb))
           -- a declared granted_by is the creator future_for names (its own key, as declared)
           || coalesce((select jsonb_build_object('granted_by', b) from xplane.grant_granted_by(p_desired, t.database, t.schema, t.kind) b
                         where b is not null), '{}'::jsonb) as e
      from xplane.grant_defaults_targets(p_role, p_desired, p_scope, p_catalog) t) x
   where jsonb_array_length(e -> 'privileges') > 0 or jsonb_array_length(e -> 'future_owners') > 0
$$;
comment on function xplane.grant_defaults_observed(text, jsonb, jsonb, jsonb) is
  'The observed default-privileges-only entries of p_role (global, on schemas, on types without objects), in the normalised shape, from {db: grants_catalog}.';

create or replace function xplane.grant_defaults_delta(p_role text, p_desired jsonb, p_scope jsonb, p_catalog jsonb)
returns jsonb language sql stable parallel safe as $$
  -- ALTER DEFAULT PRIVILEGES FOR ROLE each creator [IN SCHEMA s] GRANT/REVOKE … ON <kind>: the
  -- declared creators get the wanted privileges, every other creator gives nothing. Global
  -- ones run in their database under "defaults:<db>", IN SCHEMA ones under the schema's lock.
  select coalesce(jsonb_agg(jsonb_build_object('database', x.database,
           'lock', case when x.schema is null then 'defaults:' || x.database else format('schema:%s.%s', x.database, x.schema) end,
           -- granted_by: first, a clear error if xp's role may not act as that creator
           'sql', case when x.by is null then x.sql else xplane.grantor_check_sql(x.by) || '; ' || x.sql end)
           order by x.database, x.schema nulls first, x.kind), '[]'::jsonb)
    from (select t.database, t.schema, t.kind, xplane.grant_granted_by(p_desired, t.database, t.schema, t.kind) as by, array_to_string(array(
            select u.s from (select f from jsonb_array_elements_text(t.future_for) f
                           union select jsonb_array_elements_text(t.owners)
                           union select jsonb_object_keys(t.defs)) c
                   cross join lateral unnest(xplane.grant_sync_sql(
                     format('alter default privileges for role %I %s', c.f,
                            case when t.schema is null then '' else format('in schema %I ', t.schema) end),
                     case when t.future_for ? c.f or t.owners ? c.f then xplane.grant_privs(jsonb_build_object('privileges', t.want)) else '{}' end,
                     array(select jsonb_array_elements_text(coalesce(t.defs -> c.f, '[]'::jsonb))), t.kind, p_role)) with ordinality u(s, k)
             order by c.f collate "C", u.k), '; ') as sql
            from xplane.grant_defaults_targets(p_role, p_desired, p_scope, p_catalog) t) x
   where x.sql <> ''
$$;
comment on function xplane.grant_defaults_delta(text, jsonb, jsonb, jsonb) is
  'The ALTER DEFAULT PRIVILEGES statements that turn p_role''s default-privileges-only entries in the catalog into p_desired: [{"database", "lock", "sql"}]; empty when in sync.';

create or replace function xplane.grant_target_sql(p_on text, p_role text, p_des jsonb, p_want text[], p_held text[], p_by jsonb,
                                                   p_owner text, p_me text, p_thirds jsonb, p_grantable jsonb, p_check text, p_object text)
returns text[] language sql stable parallel safe as $$
  -- One database or schema (p_on: "database shop", "schema api"): with granted_by, granted as
  -- that role (SET ROLE) and the same by others revoked, then what is not wanted revoked;
  -- otherwise made exactly p_want, with the grant option as declared. Then what is not wanted,
  -- revoked again as each third grantor xp may act as (p_thirds).
  select case when p_des ? 'granted_by'
              then xplane.granted_by_sql(p_des ->> 'granted_by', p_on, p_role, p_want, p_held, p_by, p_owner, p_me, p_thirds,
                                         xplane.grant_option_of(p_des), p_grantable, p_check, p_object)
                   || xplane.grant_revoke_sql('', '{}', array(select p from unnest(p_held) p where not p = any (p_want) order by p), p_on, p_role)
              else xplane.grant_sync_sql('', p_want, p_held, p_on, p_role)
                   || xplane.grant_option_sql(p_on, p_role, xplane.grant_option_missing(p_des, p_grantable), xplane.grant_option_extra(p_des, p_grantable)) end
         || xplane.third_grantor_sql(p_thirds, p_on, p_role, array(select p from unnest(p_held) p where not p = any (p_want) order by p))
$$;
comment on function xplane.grant_target_sql(text, text, jsonb, text[], text[], jsonb, text, text, jsonb, jsonb, text, text) is
  'The statements that make p_role hold exactly what p_des (and the implicit grants: p_want) asks on one database or schema p_on, given what it holds (p_held, p_by: by grantor, p_thirds: third grantors, p_grantable): grants_delta''s one step for both.';

create or replace function xplane.grants_delta(p_role text, p_desired jsonb, p_implicit jsonb, p_catalog jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_out     jsonb := '[]';
  v_db      text;
  v_schema  text;
  v_kind    text;
  v_cat     jsonb;
  v_sch     jsonb;
  v_want    text[];
  v_held    text[];
  v_obj     jsonb;
  v_defs    jsonb;
  v_des     jsonb;
  v_total   integer;
  v_add     text[];
  v_del     text[];
  v_f       text;
  v_target  text;
  v_stmts   text[];
  v_hasobj  boolean := xplane.grant_has_objects(p_desired);
  v_adj     jsonb;
  v_tol     text[];
begin
  -- Statements to turn the catalog into the desired grants, as [{"database", "lock", "sql"}]:
  -- database-level statements run in the maintenance database (lock "database:<db>"), the
  -- others in their database (lock "schema:<db>.<schema>"). Only differences are granted or
  -- revoked; nothing is dropped and re-created.
  for v_db, v_schema in
    select sc.database, sc.schema from xplane.grants_scope(coalesce(p_desired, '[]') || coalesce(p_implicit, '[]')) sc
  loop
    v_cat := p_catalog -> v_db;
    continue when v_cat is null;
    v_stmts := '{}';
    if v_schema is null then
      continue when v_cat ->> 'db_owner' = p_role;
      v_des := xplane.grant_find(p_desired, v_db, null, 'database');
      v_want := xplane.grant_privs(v_des) || xplane.grant_privs(xplane.grant_find(p_implicit, v_db, null, 'database'));
      v_held := array(select jsonb_array_elements_text(coalesce(v_cat -> 'db_held' -> p_role, '[]')));
      v_stmts := v_stmts || xplane.grant_target_sql(format('database %I', v_db), p_role, v_des, v_want, v_held, v_cat -> 'db_by' -> p_role,
                              v_cat ->> 'db_owner', v_cat ->> 'me', v_cat -> 'db_grantors' -> p_role, v_cat -> 'db_grantable' -> p_role,
                              'has_database_privilege', v_db);
      if cardinality(v_stmts) > 0 then
        v_out := v_out || jsonb_build_object('database', '', 'lock', 'database:' || v_db,
                                             'sql', array_to_string(v_stmts, '; '));
      end if;
      continue;
    end if;
    v_sch := v_cat -> 'schemas' -> v_schema;
    continue when v_sch is null;
    if v_sch ->> 'owner' <> p_role then
      v_des := xplane.grant_find(p_desired, v_db, v_schema, 'schema');
      v_want := xplane.grant_privs(v_des) || xplane.grant_privs(xplane.grant_find(p_implicit, v_db, v_schema, 'schema'));
      -- what the role's global default privileges on schemas give: neither granted nor revoked here
      v_tol := xplane.grant_privs(xplane.grant_find(p_desired, v_db, null, 'schemas'));
      v_held := array(select p from jsonb_array_elements_text(coalesce(v_sch -> 'held' -> p_role, '[]')) p
                       where p = any (v_want) or not p = any (v_tol));
      v_stmts := v_stmts || xplane.grant_target_sql(format('schema %I', v_schema), p_role, v_des, v_want, v_held, v_sch -> 'by' -> p_role,
                              v_sch ->> 'owner', v_cat ->> 'me', v_sch -> 'grantors' -> p_role, v_sch -> 'grantable' -> p_role,
                              'has_schema_privilege', v_schema);
    end if;
    foreach v_kind in array array['tables', 'sequences', 'functions'] loop
      v_des := xplane.grant_find(p_desired, v_db, v_schema, v_kind);
      v_want := xplane.grant_privs(v_des);
      v_obj := coalesce(v_sch -> 'objects' -> p_role -> v_kind, '{}');
      v_total := coalesce((v_obj ->> 'total')::int, 0);
      v_defs := coalesce(v_sch -> 'defaults' -> p_role -> v_kind, '{}');
      v_target := case v_kind when 'functions' then 'all routines' else 'all ' || v_kind end;
      v_add := array(select p from unnest(v_want) p where coalesce((v_obj -> 'held' ->> p)::int, 0) < v_total order by p);
      -- not revoked: what object-level entries declare on their objects (049_object_grants.sql)
      v_adj := case when v_hasobj then (select a.adj from xplane.grants_objects_adjust(p_role, p_desired, p_catalog) a
                                         where a.database = v_db and a.schema = v_schema and a.kind = v_kind) end;
      -- not revoked either: what the role's global default privileges give (objects created later)
      v_tol := xplane.grant_privs(xplane.grant_find(p_desired, v_db, null, v_kind));
      v_del := array(select p from unnest(xplane.grant_privileges(v_kind)) p
                      where not p = any (v_want) and not p = any (v_tol) and coalesce((v_obj -> 'held' ->> p)::int, 0) > coalesce((v_adj ->> p)::int, 0) order by p);
      v_stmts := v_stmts || xplane.grant_revoke_sql('', v_add, v_del, format('%s in schema %I', v_target, v_schema), p_role)
                         || case when v_obj ? 'thirds' then xplane.third_grantor_objects_sql(v_obj -> 'thirds', v_kind, p_role, v_del)
                                 else '{}' end
                         || xplane.grant_option_sql(format('%s in schema %I', v_target, v_schema), p_role,
                              array(select p from unnest(v_want) p where xplane.grant_option_of(v_des)
                                      and coalesce((v_obj -> 'grantable' ->> p)::int, 0) < v_total order by p),
                              array(select p from unnest(v_want) p where not xplane.grant_option_of(v_des)
                                      and coalesce((v_obj -> 'grantable' ->> p)::int, 0) > 0 order by p));
      -- Default privileges of each role objects are created by (schema owner, role xp runs as,
      -- the grant's future_owners); without `future`, every one of them is revoked, and so are
      -- those any other role gives (authoritative).
      if not coalesce((v_des ->> 'future')::boolean, false) then
        v_want := '{}';
      end if;
      foreach v_f in array array(
          select f from (select jsonb_array_elements_text(v_sch -> 'future_for') f
                         union select jsonb_array_elements_text(coalesce(v_des -> 'future_owners', '[]'))
                         union select jsonb_object_keys(v_defs)) x order by f) loop
        v_held := array(select jsonb_array_elements_text(coalesce(v_defs -> v_f, '[]')));
        v_stmts := v_stmts || xplane.grant_sync_sql(format('alter default privileges for role %I in schema %I ', v_f, v_schema),
                                                   case when v_sch -> 'future_for' ? v_f or coalesce(v_des -> 'future_owners', '[]') ? v_f
                                                        then v_want else '{}' end, v_held, v_kind, p_role);
      end loop;
    end loop;
    if cardinality(v_stmts) > 0 then
      v_out := v_out || jsonb_build_object('database', v_db, 'lock', format('schema:%s.%s', v_db, v_schema),
                                           'sql', array_to_string(v_stmts, '; '));
    end if;
  end loop;
  -- default privileges only: global, on schemas, on types (declared, or held by the role)
  if xplane.grant_has_defaults(p_desired) or exists (select 1 from jsonb_each(coalesce(p_catalog, '{}'::jsonb)) c
                                                      where c.value -> 'default_roles' ? p_role) then
    v_out := v_out || xplane.grant_defaults_delta(p_role, p_desired, coalesce(p_desired, '[]') || coalesce(p_implicit, '[]'), p_catalog);
  end if;
  if v_hasobj or xplane.grant_has_objects(p_implicit) then
    -- and the objects named at the last apply (p_implicit holds the previous scope)
    v_out := v_out || xplane.grants_objects_delta(p_role, xplane.grant_objects_with_previous(p_desired, p_implicit), p_catalog);
  end if;
  return v_out;
end
$$;
comment on function xplane.grants_delta(text, jsonb, jsonb, jsonb) is
  'The GRANT/REVOKE/ALTER DEFAULT PRIVILEGES statements that turn p_role''s grants in the catalog (grants_catalog) into p_desired plus p_implicit: [{"database", "lock", "sql"}], one entry per database or schema touched; empty when in sync.';

create or replace function xplane.grants_apply(p_provider_config text, p_delta jsonb)
returns integer language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_step jsonb;
  v_n    integer := 0;
begin
  -- Each step commits on its own, under the advisory lock of the catalog object it changes,
  -- so parallel applies granting on one schema or database queue instead of failing with
  -- "tuple concurrently updated".
  for v_step in select value from jsonb_array_elements(coalesce(p_delta, '[]'::jsonb)) loop
    perform xplane.remote_exec_locked(p_provider_config, v_step ->> 'database', v_step ->> 'lock', v_step ->> 'sql');
    v_n := v_n + 1;
  end loop;
  return v_n;
end
$$;
comment on function xplane.grants_apply(text, jsonb) is
  'Runs the steps of grants_delta, each in its database under its advisory lock; returns the number of steps run.';

-- Where a role's grants were authoritative at its last successful apply. A database or schema
-- dropped from the spec stays in scope until what the role held there has been revoked, so
-- that removing a whole grant block revokes it instead of silently leaving it behind.
create table if not exists xplane.grant_scopes (
  provider_config text not null,
  role_name       text not null,
  database        text not null,
  schema          text not null default '',
  primary key (provider_config, role_name, database, schema)
);
comment on table xplane.grant_scopes is 'The (database, schema) pairs where each managed role''s grants were authoritative at its last successful apply (schema '''' = the database itself).';
revoke all on table xplane.grant_scopes from public;

create or replace function xplane.grant_scope_record(p_provider_config text, p_role text, p_grants jsonb)
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  delete from xplane.grant_scopes where provider_config = p_provider_config and role_name = p_role;
  insert into xplane.grant_scopes (provider_config, role_name, database, schema)
  select distinct p_provider_config, p_role, sc.database, coalesce(sc.schema, '')
    from xplane.grants_scope(p_grants) sc
  on conflict do nothing;
  -- the objects of object-level grants (049_object_grants.sql)
  if xplane.grant_has_objects(p_grants) or exists (select 1 from xplane.grant_object_scopes
                                                    where provider_config = p_provider_config and role_name = p_role) then
    perform xplane.grant_object_scope_record(p_provider_config, p_role, p_grants);
  end if;
end
$$;
comment on function xplane.grant_scope_record(text, text, jsonb) is
  'Records the scope of the grants a role now has (after a successful create/update); p_grants null or [] forgets it (after a drop).';

create or replace function xplane.grants_missing(p_grants jsonb, p_catalog jsonb)
returns text language sql immutable parallel safe as $$
  -- The databases and schemas that grants name but that do not exist (yet): the resource is
  -- then dependency_not_ready, and reconcile retries it after they are created.
  select nullif(concat_ws(', ', (
  select string_agg(case when sc.schema is null then format('database "%s"', sc.database)
                         else format('schema "%s" in database "%s"', sc.schema, sc.database) end,
                    ', ' order by sc.database, sc.schema nulls first)
    from xplane.grants_scope(p_grants) sc
   where case when sc.schema is null then p_catalog -> sc.database is null
              else p_catalog -> sc.database is not null and not (p_catalog -> sc.database -> 'schemas' ? sc.schema) end),
    -- named objects and columns (049_object_grants.sql)
    case when xplane.grant_has_objects(p_grants) then xplane.grants_objects_missing(p_grants, p_catalog) end), '')
$$;
comment on function xplane.grants_missing(jsonb, jsonb) is
  'The databases, schemas and (object-level grants) objects and columns named by grants that do not exist in the catalog of grants_catalog, as text (null when all exist).';

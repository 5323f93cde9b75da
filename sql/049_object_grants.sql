-- Object-level and column-level grants of Role and ServiceAccount (docs/kinds/role.md,
-- "Grants on named objects"): a grant block with `objects` (tables, sequences, functions with
-- their signature, types and domains) and, on one table, `columns`. Normalised to one entry per
-- object (and per column): {"database", "schema", "on", "objects": [name], ("columns": [name]),
-- "privileges", "future": false, "future_owners": [], "grant_option"}. Grants without
-- `objects` keep their shape (050_grants.sql), so specs without object-level grants are
-- unchanged and cost nothing more: every function here is reached only when a list has one.
--
-- Read in one query per database for every role (grants_objects_catalog_sql, only in the
-- databases where some grant names objects). The whole-schema form of the same role neither
-- reports nor revokes a privilege that an object-level entry declares on that object.

create or replace function xplane.grant_signature(p_text text)
returns text language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_m     text[];
  v_args  text[] := '{}';
  v_arg   text;
  v_depth integer := 0;
  v_cur   text := '';
  v_c     text;
  v_type  oid;
begin
  -- "total(int, varchar)" → "total(integer, character varying)": the name as written, each
  -- argument type as format_type spells it (what the catalog read gives: oidvectortypes) when
  -- it is a built-in type, else as written with its spaces collapsed. Null when not name(args).
  v_m := regexp_match(btrim(p_text), '^([^()]+?)\s*\((.*)\)$');
  if v_m is null or btrim(v_m[1]) = '' then
    return null;
  end if;
  foreach v_c in array regexp_split_to_array(v_m[2], '') loop
    if v_c = ',' and v_depth = 0 then
      v_args := v_args || btrim(v_cur);
      v_cur := '';
    else
      v_depth := v_depth + case v_c when '(' then 1 when ')' then -1 else 0 end;
      v_cur := v_cur || v_c;
    end if;
  end loop;
  if btrim(v_cur) <> '' or cardinality(v_args) > 0 then
    v_args := v_args || btrim(v_cur);
  end if;
  for i in 1 .. coalesce(cardinality(v_args), 0) loop
    v_arg := regexp_replace(v_args[i], '\s+', ' ', 'g');
    if v_arg = '' then
      return null;
    end if;
    begin
      v_type := to_regtype(v_arg);
    exception when others then
      v_type := null;
    end;
    v_args[i] := case when v_type is not null
                       and (select t.typnamespace = 'pg_catalog'::regnamespace from pg_type t where t.oid = v_type)
                      then format_type(v_type, null) else v_arg end;
  end loop;
  return btrim(v_m[1]) || '(' || array_to_string(v_args, ', ') || ')';
end
$$;
comment on function xplane.grant_signature(text) is
  'A function of a grant''s objects in the form the catalog read compares: name(type, …) with built-in types as format_type spells them (int → integer); null when not of the form name(args).';

create or replace function xplane.grant_object_entries(p_kind xplane.resource_kind, p_field text, p_on text, p_item jsonb, p_entry jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_objects text[] := '{}';
  v_columns text[] := '{}';
  v_o       text;
begin
  -- The entries of one grant block with `objects` (p_entry: its normalised whole-schema form):
  -- one per object, and with `columns` one per column.
  if jsonb_typeof(p_item -> 'objects') is distinct from 'array'
     or exists (select 1 from jsonb_array_elements(p_item -> 'objects') e where jsonb_typeof(e) <> 'string') then
    perform xplane.invalid_spec(p_kind, p_field || '.objects', 'must be a list of object names');
  end if;
  if p_on not in ('tables', 'sequences', 'functions', 'types') then
    perform xplane.invalid_spec(p_kind, p_field || '.objects', format('applies to tables, sequences, functions and types, not to "%s"', p_on));
  end if;
  if coalesce((p_item ->> 'future')::boolean, false) then
    perform xplane.invalid_spec(p_kind, p_field || '.future', 'applies to a whole schema, not to named objects (leave out objects, or future)');
  end if;
  for v_o in select e #>> '{}' from jsonb_array_elements(p_item -> 'objects') e loop
    if p_on = 'functions' then
      if xplane.grant_signature(v_o) is null then
        perform xplane.invalid_spec(p_kind, p_field || '.objects',
          format('function %s needs its argument types, e.g. "%s(integer, text)" or "%s()"', to_jsonb(v_o), v_o, v_o));
      end if;
      v_o := xplane.grant_signature(v_o);
      if xplane.identifier_problem(split_part(v_o, '(', 1)) is not null then
        perform xplane.invalid_spec(p_kind, p_field || '.objects', xplane.identifier_problem(split_part(v_o, '(', 1)));
      end if;
    elsif xplane.identifier_problem(v_o) is not null then
      perform xplane.invalid_spec(p_kind, p_field || '.objects', xplane.identifier_problem(v_o));
    end if;
    v_objects := v_objects || v_o;
  end loop;
  if cardinality(v_objects) = 0 then
    perform xplane.invalid_spec(p_kind, p_field || '.objects', 'must name at least one object');
  end if;
  if p_item ? 'columns' and p_item -> 'columns' <> 'null'::jsonb then
    v_columns := array(select jsonb_array_elements_text(xplane.spec_identifier_set(p_kind,
                   jsonb_build_object(p_field || '.columns', p_item -> 'columns'), p_field || '.columns')));
    if cardinality(v_columns) = 0 then
      perform xplane.invalid_spec(p_kind, p_field || '.columns', 'must name at least one column');
    end if;
    if p_on <> 'tables' or cardinality(v_objects) <> 1 then
      perform xplane.invalid_spec(p_kind, p_field || '.columns', 'needs on = "tables" and exactly one table in objects');
    end if;
  end if;
  return (select jsonb_agg(p_entry || jsonb_build_object('objects', jsonb_build_array(o)) || c.col
                           order by o collate "C", c.col ->> 'columns' collate "C")
            from unnest(v_objects) o
            cross join lateral (
              select jsonb_build_object('columns', jsonb_build_array(x)) as col from unnest(v_columns) x
               union all select '{}'::jsonb where cardinality(v_columns) = 0) c);
end
$$;
comment on function xplane.grant_object_entries(xplane.resource_kind, text, text, jsonb, jsonb) is
  'The normalised entries of one grant block with objects (p_entry: its whole-schema form): one per object, one per column with columns; raises 22023 naming the field for a bad object, column or target.';

create or replace function xplane.grant_objects_wanted(p_grants jsonb)
returns jsonb language sql immutable parallel safe as $$
  select coalesce(jsonb_agg(distinct jsonb_build_object('schema', g ->> 'schema', 'on', g ->> 'on', 'object', g -> 'objects' ->> 0)), '[]'::jsonb)
    from jsonb_array_elements(coalesce(p_grants, '[]'::jsonb)) g
   where g ? 'objects'
$$;
comment on function xplane.grant_objects_wanted(jsonb) is
  'The objects the object-level entries of a grants list name: [{"schema", "on", "object"}] (what grants_objects_catalog_sql reads).';

create or replace function xplane.grants_objects_catalog_sql()
returns text language sql immutable parallel safe as $$
  -- What the roles $1 (text[]) hold on the objects $2 (jsonb [{"schema", "on", "object"}]) of the
  -- current database, in one query (run there through xplane.remote_query): per object its
  -- owner, the statement target ("ref", quoted by the server), per role the privileges it holds
  -- explicitly (never PUBLIC's), those held with the grant option, the third grantors xp may act
  -- as (neither the owner nor xp's role), and for tables the columns and their privileges.
  -- Functions are named name(types) as oidvectortypes spells the types (grant_signature).
  select $q$(with
  r as (select oid, rolname::text as rolname from pg_catalog.pg_roles where rolname = any ($1::text[])),
  -- mode: what lets xp act as another role (act_as_mode_sql)
  me as (select oid, $q$ || xplane.act_as_mode_sql() || $q$ as mode from pg_catalog.pg_roles where rolname = current_user),
  w as (select distinct e ->> 'schema' as sch, e ->> 'on' as kind, e ->> 'object' as obj from pg_catalog.jsonb_array_elements($2::jsonb) e),
  ws as (select n.oid, n.nspname::text as sch from pg_catalog.pg_namespace n where n.nspname in (select sch from w)),
  o as materialized (
    select ws.sch, w.kind, w.obj, c.oid, c.relowner as owner,
           coalesce(c.relacl, pg_catalog.acldefault(case c.relkind when 'S' then 's' else 'r' end::"char", c.relowner)) as acl,
           pg_catalog.format('%s %I.%I', case c.relkind when 'S' then 'sequence' else 'table' end, ws.sch, c.relname) as ref
      from w join ws on ws.sch = w.sch join pg_catalog.pg_class c on c.relnamespace = ws.oid and c.relname = w.obj
     where (w.kind = 'tables' and c.relkind in ('r', 'p', 'v', 'm', 'f')) or (w.kind = 'sequences' and c.relkind = 'S')
    union all
    select ws.sch, w.kind, w.obj, p.oid, p.proowner, coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner)),
           pg_catalog.format('routine %I.%I(%s)', ws.sch, p.proname, pg_catalog.oidvectortypes(p.proargtypes))
      from w join ws on ws.sch = w.sch join pg_catalog.pg_proc p on p.pronamespace = ws.oid
     where w.kind = 'functions' and p.proname::text || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')' = w.obj
    union all
    select ws.sch, w.kind, w.obj, t.oid, t.typowner, coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner)),
           pg_catalog.format('%s %I.%I', case t.typtype when 'd' then 'domain' else 'type' end, ws.sch, t.typname)
      from w join ws on ws.sch = w.sch join pg_catalog.pg_type t on t.typnamespace = ws.oid and t.typname = w.obj
     where w.kind = 'types' and t.typtype in ('b', 'd', 'e', 'r', 'm', 'c')
       and (t.typrelid = 0 or (select c.relkind from pg_catalog.pg_class c where c.oid = t.typrelid) = 'c')),
  a as (select o.oid, o.kind, r.rolname, x.privilege_type::text as priv, x.is_grantable,
               x.grantor <> o.owner and x.grantor <> (select oid from me)
                 and pg_catalog.pg_has_role(current_user, x.grantor, (select mode from me)) as third,
               x.grantor, x.grantor <> o.owner and x.grantor <> (select oid from me) as any_third
          from o cross join lateral unnest(o.acl) as i(item) cross join lateral pg_catalog.aclexplode(array[i.item]) x join r on r.oid = x.grantee),
  ar as (select oid, kind, rolname, pg_catalog.json_agg(distinct priv order by priv) as privs,
                pg_catalog.json_agg(distinct priv order by priv) filter (where is_grantable) as gprivs,
                pg_catalog.json_agg(distinct pg_catalog.pg_get_userbyid(grantor)::text) filter (where third) as thirds,
                -- (granted_by) who granted what, kept where some grantor is neither the owner nor xp's role
                bool_or(any_third) as any_third, array_agg(grantor) as grs, array_agg(priv) as prs
           from a group by 1, 2, 3),
  ao as (select oid, kind, pg_catalog.json_object_agg(rolname, privs) as held,
                pg_catalog.json_object_agg(rolname, gprivs) filter (where gprivs is not null) as gheld,
                pg_catalog.json_object_agg(rolname, thirds) filter (where thirds is not null) as thirds,
                pg_catalog.json_object_agg(rolname, (select pg_catalog.json_object_agg(x.g, x.p) from (
                    select pg_catalog.pg_get_userbyid(u.g)::text as g, pg_catalog.json_agg(distinct u.p order by u.p) as p
                      from unnest(grs, prs) u(g, p) group by 1) x)) filter (where any_third) as byj
           from ar group by 1, 2),
  -- columns of the tables: every name (to check the declared ones), and the privileges on each
  ca as (select o.oid, att.attname::text as col, r.rolname, x.privilege_type::text as priv, x.is_grantable
           from o join pg_catalog.pg_attribute att on att.attrelid = o.oid and att.attnum > 0 and not att.attisdropped
                                                   and att.attacl is not null
           cross join lateral unnest(att.attacl) as i(item) cross join lateral pg_catalog.aclexplode(array[i.item]) x join r on r.oid = x.grantee
          where o.kind = 'tables'),
  car as (select oid, col, rolname, pg_catalog.json_agg(distinct priv order by priv) as privs,
                 pg_catalog.json_agg(distinct priv order by priv) filter (where is_grantable) as gprivs
            from ca group by 1, 2, 3),
  cc as (select oid, col, pg_catalog.json_build_object('held', pg_catalog.json_object_agg(rolname, privs),
                  'grantable', coalesce(pg_catalog.json_object_agg(rolname, gprivs) filter (where gprivs is not null), '{}'::json)) as j
           from car group by 1, 2),
  cn as (select o.oid, pg_catalog.json_agg(att.attname::text order by att.attnum) as names
           from o join pg_catalog.pg_attribute att on att.attrelid = o.oid and att.attnum > 0 and not att.attisdropped
          where o.kind = 'tables' group by 1),
  oj as (select o.sch, o.kind, pg_catalog.json_object_agg(o.obj, pg_catalog.json_build_object(
                  'owner', pg_catalog.pg_get_userbyid(o.owner)::text, 'ref', o.ref,
                  'held', coalesce(ao.held, '{}'::json), 'grantable', coalesce(ao.gheld, '{}'::json),
                  'grantors', coalesce(ao.thirds, '{}'::json),
                  'by', coalesce(ao.byj, '{}'::json),
                  'column_names', coalesce(cn.names, '[]'::json),
                  'columns', coalesce((select pg_catalog.json_object_agg(cc.col, cc.j) from cc where cc.oid = o.oid), '{}'::json))) as j
           from o left join ao on ao.oid = o.oid and ao.kind = o.kind left join cn on cn.oid = o.oid
          group by 1, 2),
  sj as (select sch, pg_catalog.json_object_agg(kind, j) as j from oj group by 1)
  select coalesce((select pg_catalog.json_object_agg(sch, j) from sj), '{}'::json))$q$::text
$$;
comment on function xplane.grants_objects_catalog_sql() is
  'The one query (a json expression, built as text, with arguments $1 roles text[], $2 objects jsonb [{"schema","on","object"}]) that reads what the roles hold on the named objects of one database: {"<schema>": {"<on>": {"<object>": {"owner", "ref", "held": {role: [privileges]}, "grantable", "grantors" (third grantors xp may act as), "column_names", "columns": {column: {"held", "grantable"}}}}}}; an object that does not exist is absent.';

create or replace function xplane.grant_object_of(p_catalog jsonb, p_grant jsonb)
returns jsonb language sql immutable parallel safe as $$
  select p_catalog -> (p_grant ->> 'database') -> 'objects' -> (p_grant ->> 'schema') -> (p_grant ->> 'on') -> (p_grant -> 'objects' ->> 0)
$$;
comment on function xplane.grant_object_of(jsonb, jsonb) is
  'The catalog entry (grants_objects_catalog_sql) of the object an object-level grant names, from {db: grants_catalog}; null when it does not exist.';

create or replace function xplane.grants_objects_adjust(p_role text, p_desired jsonb, p_catalog jsonb)
returns table (database text, schema text, kind text, adj jsonb) language sql stable set search_path = xplane, pg_catalog as $$
  -- Per (database, schema, tables|sequences|functions): how many objects of the role's
  -- object-level entries hold each privilege they declare. The whole-schema form does not
  -- count those: it neither reports nor revokes them.
  select x.db, x.sch, x.kind, jsonb_object_agg(x.p, x.n)
    from (select g ->> 'database' as db, g ->> 'schema' as sch, g ->> 'on' as kind, p, count(*)::int as n
            from jsonb_array_elements(coalesce(p_desired, '[]'::jsonb)) g
            cross join lateral (select xplane.grant_object_of(p_catalog, g) as obj) o
            cross join lateral jsonb_array_elements_text(g -> 'privileges') p
           where g ? 'objects' and not g ? 'columns' and g ->> 'on' in ('tables', 'sequences', 'functions')
             and o.obj is not null and o.obj ->> 'owner' <> p_role
             and coalesce(o.obj -> 'held' -> p_role, '[]'::jsonb) ? p
           group by 1, 2, 3, 4) x
   group by 1, 2, 3
$$;
comment on function xplane.grants_objects_adjust(text, jsonb, jsonb) is
  'Per (database, schema, kind) of a role''s object-level entries, {privilege: objects holding it as declared}: what the whole-schema form leaves out of its count of objects carrying a privilege.';

create or replace function xplane.grants_objects_observed(p_role text, p_desired jsonb, p_catalog jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_out   jsonb := '[]';
  v_g     jsonb;
  v_obj   jsonb;
  v_whole text[];
  v_decl  text[];
  v_held  jsonb;
  v_gr    jsonb;
  v_privs text[];
  v_gopt  boolean;
  v_t     record;
  v_col   text;
  v_des   jsonb;
begin
  -- The observed object-level entries of a role whose desired grants p_desired hold some, in
  -- their shape: each object as it is (every privilege the role holds on it, but those the
  -- whole-schema form grants it and the entry does not declare), and for each table with
  -- column entries every column where the role holds a privilege.
  for v_g in select g from jsonb_array_elements(p_desired) g where g ? 'objects' and not g ? 'columns' loop
    v_obj := xplane.grant_object_of(p_catalog, v_g);
    continue when v_obj is null;
    v_decl := xplane.grant_privs(v_g);
    if v_obj ->> 'owner' = p_role then                  -- an owner holds everything it asks for
      v_privs := v_decl;
      v_gopt := xplane.grant_option_of(v_g);
    else
      v_whole := xplane.grant_privs(xplane.grant_find(p_desired, v_g ->> 'database', v_g ->> 'schema', v_g ->> 'on'));
      v_held := coalesce(v_obj -> 'held' -> p_role, '[]');
      v_gr := coalesce(v_obj -> 'grantable' -> p_role, '[]');
      v_privs := array(select p from jsonb_array_elements_text(v_held) p where p = any (v_decl) or not p = any (v_whole));
      v_gopt := case when xplane.grant_option_of(v_g) then v_gr @> to_jsonb(v_decl)
                     else exists (select 1 from unnest(v_decl) p where v_gr ? p) end;
    end if;
    if cardinality(v_privs) > 0 or v_gopt then
      v_out := v_out || (xplane.grant_entry(v_g ->> 'database', v_g ->> 'schema', v_g ->> 'on', v_privs, false)
                         || jsonb_build_object('grant_option', v_gopt, 'objects', v_g -> 'objects')
                         -- granted_by: shown when everything the role holds there was granted by that role alone
                         || case when v_g ? 'granted_by' and (v_obj ->> 'owner' = p_role
                                   or xplane.grant_by_observed(v_obj -> 'by' -> p_role, v_g ->> 'granted_by', v_obj ->> 'owner',
                                                               p_catalog -> (v_g ->> 'database') ->> 'me'))
                                 then jsonb_build_object('granted_by', v_g -> 'granted_by') else '{}'::jsonb end);
    end if;
  end loop;
  for v_t in select distinct g ->> 'database' as db, g ->> 'schema' as sch, g -> 'objects' as objs
               from jsonb_array_elements(p_desired) g where g ? 'columns' loop
    v_obj := xplane.grant_object_of(p_catalog, jsonb_build_object('database', v_t.db, 'schema', v_t.sch, 'on', 'tables', 'objects', v_t.objs));
    continue when v_obj is null;
    for v_col in select c from jsonb_object_keys(v_obj -> 'columns') c
                  where v_obj -> 'columns' -> c -> 'held' ? p_role order by 1 loop
      v_des := (select g from jsonb_array_elements(p_desired) g
                 where g ->> 'database' = v_t.db and g ->> 'schema' = v_t.sch and g -> 'objects' = v_t.objs
                   and g -> 'columns' ->> 0 = v_col limit 1);
      v_held := v_obj -> 'columns' -> v_col -> 'held' -> p_role;
      v_gr := coalesce(v_obj -> 'columns' -> v_col -> 'grantable' -> p_role, '[]');
      v_decl := xplane.grant_privs(v_des);
      v_gopt := case when xplane.grant_option_of(v_des) then v_gr @> to_jsonb(v_decl)
                     else exists (select 1 from unnest(v_decl) p where v_gr ? p) end;
      v_out := v_out || (xplane.grant_entry(v_t.db, v_t.sch, 'tables', array(select jsonb_array_elements_text(v_held)), false)
                         || jsonb_build_object('grant_option', v_gopt, 'objects', v_t.objs, 'columns', jsonb_build_array(v_col)));
    end loop;
  end loop;
  return v_out;
end
$$;
comment on function xplane.grants_objects_observed(text, jsonb, jsonb) is
  'The observed object-level entries of p_role (for the object-level entries of its desired grants), in the normalised shape, from {db: grants_catalog}.';

create or replace function xplane.grants_objects_delta(p_role text, p_desired jsonb, p_catalog jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_steps jsonb := '{}';                -- {"db\tschema": [statements]}
  v_g     jsonb;
  v_obj   jsonb;
  v_ref   text;
  v_key   text;
  v_whole text[];
  v_wdel  text[];
  v_want  text[];
  v_held  text[];
  v_adj   jsonb;
  v_cnt   jsonb;
  v_stmts text[];
  v_t     record;
  v_col   text;
  v_des   jsonb;
  v_gr    jsonb;
begin
  -- Statements that make p_role hold on each named object exactly what its object-level
  -- entries declare (plus what the whole-schema form grants on every object), after the
  -- whole-schema statements of grants_delta (same lock): what those revoke on all objects is
  -- taken as revoked here, and granted again where declared. Objects that do not exist are
  -- skipped (grants_objects_missing names them).
  for v_g in select g from jsonb_array_elements(p_desired) g where g ? 'objects' and not g ? 'columns' loop
    v_obj := xplane.grant_object_of(p_catalog, v_g);
    continue when v_obj is null or v_obj ->> 'owner' = p_role;
    v_ref := v_obj ->> 'ref';
    v_whole := xplane.grant_privs(xplane.grant_find(p_desired, v_g ->> 'database', v_g ->> 'schema', v_g ->> 'on'));
    v_wdel := '{}';
    if v_g ->> 'on' in ('tables', 'sequences', 'functions') then
      -- what grants_delta revokes "on all … in schema" (held beyond the object-level entries)
      v_cnt := coalesce(p_catalog -> (v_g ->> 'database') -> 'schemas' -> (v_g ->> 'schema') -> 'objects' -> p_role -> (v_g ->> 'on') -> 'held', '{}');
      select a.adj into v_adj from xplane.grants_objects_adjust(p_role, p_desired, p_catalog) a
       where a.database = v_g ->> 'database' and a.schema = v_g ->> 'schema' and a.kind = v_g ->> 'on';
      v_wdel := array(select p from unnest(xplane.grant_privileges(v_g ->> 'on')) p
                       where not p = any (v_whole) and coalesce((v_cnt ->> p)::int, 0) > coalesce((v_adj ->> p)::int, 0));
    end if;
    v_want := xplane.grant_privs(v_g) || v_whole;
    v_held := array(select p from jsonb_array_elements_text(coalesce(v_obj -> 'held' -> p_role, '[]')) p where not p = any (v_wdel));
    v_gr := coalesce(v_obj -> 'grantable' -> p_role, '[]');
    v_stmts := case when v_g ? 'granted_by'
                    -- granted as that role (SET ROLE), the same by others revoked, what is not wanted revoked
                    then xplane.grant_revoke_sql('', '{}', array(select p from unnest(v_held) p where not p = any (v_want) order by p), v_ref, p_role)
                         || xplane.granted_by_sql(v_g ->> 'granted_by', v_ref, p_role,
                              array(select p from unnest(xplane.grant_privs(v_g)) p where not p = any (v_whole)), v_held,
                              v_obj -> 'by' -> p_role, v_obj ->> 'owner', p_catalog -> (v_g ->> 'database') ->> 'me', v_obj -> 'grantors' -> p_role,
                              xplane.grant_option_of(v_g), v_gr,
                              case v_g ->> 'on' when 'tables' then 'has_table_privilege' when 'sequences' then 'has_sequence_privilege'
                                               when 'functions' then 'has_function_privilege' else 'has_type_privilege' end,
                              substr(v_ref, strpos(v_ref, ' ') + 1))
                    else xplane.grant_sync_sql('', v_want, v_held, v_ref, p_role)
            || xplane.grant_option_sql(v_ref, p_role, xplane.grant_option_missing(v_g, v_gr), xplane.grant_option_extra(v_g, v_gr)) end
            -- a third grantor's grants: what the role holds beyond the wanted, whatever xp revoked
            || xplane.third_grantor_sql(v_obj -> 'grantors' -> p_role, v_ref, p_role,
                 array(select p from jsonb_array_elements_text(coalesce(v_obj -> 'held' -> p_role, '[]')) p
                        where not p = any (v_want) order by p));
    v_key := (v_g ->> 'database') || E'\t' || (v_g ->> 'schema');
    if cardinality(v_stmts) > 0 then
      v_steps := v_steps || jsonb_build_object(v_key, coalesce(v_steps -> v_key, '[]') || to_jsonb(v_stmts));
    end if;
  end loop;
  for v_t in select distinct g ->> 'database' as db, g ->> 'schema' as sch, g -> 'objects' as objs
               from jsonb_array_elements(p_desired) g where g ? 'columns' loop
    v_obj := xplane.grant_object_of(p_catalog, jsonb_build_object('database', v_t.db, 'schema', v_t.sch, 'on', 'tables', 'objects', v_t.objs));
    continue when v_obj is null or v_obj ->> 'owner' = p_role;
    v_stmts := '{}';
    for v_col in select c from (
        select g -> 'columns' ->> 0 as c from jsonb_array_elements(p_desired) g
         where g ->> 'database' = v_t.db and g ->> 'schema' = v_t.sch and g -> 'objects' = v_t.objs and g ? 'columns'
           and v_obj -> 'column_names' ? (g -> 'columns' ->> 0)
        union select c from jsonb_object_keys(v_obj -> 'columns') c where v_obj -> 'columns' -> c -> 'held' ? p_role) x order by 1 loop
      v_des := (select g from jsonb_array_elements(p_desired) g
                 where g ->> 'database' = v_t.db and g ->> 'schema' = v_t.sch and g -> 'objects' = v_t.objs
                   and g -> 'columns' ->> 0 = v_col limit 1);
      v_gr := coalesce(v_obj -> 'columns' -> v_col -> 'grantable' -> p_role, '[]');
      -- each privilege with its column: GRANT SELECT ("id") ON TABLE …
      v_stmts := v_stmts
        || xplane.grant_sync_sql('', array(select p || format(' (%I)', v_col) from unnest(xplane.grant_privs(v_des)) p),
             array(select p || format(' (%I)', v_col) from jsonb_array_elements_text(coalesce(v_obj -> 'columns' -> v_col -> 'held' -> p_role, '[]')) p),
             v_obj ->> 'ref', p_role)
        || xplane.grant_option_sql(v_obj ->> 'ref', p_role,
             array(select p || format(' (%I)', v_col) from unnest(xplane.grant_option_missing(v_des, v_gr)) p),
             array(select p || format(' (%I)', v_col) from unnest(xplane.grant_option_extra(v_des, v_gr)) p));
    end loop;
    v_key := v_t.db || E'\t' || v_t.sch;
    if cardinality(v_stmts) > 0 then
      v_steps := v_steps || jsonb_build_object(v_key, coalesce(v_steps -> v_key, '[]') || to_jsonb(v_stmts));
    end if;
  end loop;
  return (select coalesce(jsonb_agg(jsonb_build_object('database', split_part(s.key, E'\t', 1),
                                                       'lock', format('schema:%s.%s', split_part(s.key, E'\t', 1), split_part(s.key, E'\t', 2)),
                                                       'sql', (select string_agg(x, '; ') from jsonb_array_elements_text(s.value) x))
                                    order by s.key), '[]')
            from jsonb_each(v_steps) s);
end
$$;
comment on function xplane.grants_objects_delta(text, jsonb, jsonb) is
  'The GRANT/REVOKE statements of p_role''s object-level entries (run after grants_delta''s whole-schema statements, which they take into account): [{"database", "lock", "sql"}], one per schema touched; empty when in sync.';

create or replace function xplane.grants_objects_missing(p_grants jsonb, p_catalog jsonb)
returns text language sql immutable parallel safe as $$
  -- The named objects (and columns) that do not exist, in databases and schemas that do.
  select string_agg(m, ', ' order by m)
    from (select distinct case
                   when o.obj is null then format('%s "%s" in schema "%s" of database "%s"',
                     case g ->> 'on' when 'tables' then 'table' when 'sequences' then 'sequence' when 'functions' then 'function' else 'type' end,
                     g -> 'objects' ->> 0, g ->> 'schema', g ->> 'database')
                   else format('column "%s" of table "%s" in schema "%s" of database "%s"',
                     g -> 'columns' ->> 0, g -> 'objects' ->> 0, g ->> 'schema', g ->> 'database') end as m
            from jsonb_array_elements(coalesce(p_grants, '[]'::jsonb)) g
            cross join lateral (select xplane.grant_object_of(p_catalog, g) as obj) o
           where g ? 'objects' and p_catalog -> (g ->> 'database') -> 'schemas' ? (g ->> 'schema')
             and (o.obj is null or (g ? 'columns' and not o.obj -> 'column_names' ? (g -> 'columns' ->> 0)))) x
$$;
comment on function xplane.grants_objects_missing(jsonb, jsonb) is
  'The objects and columns named by object-level grants that do not exist (in databases and schemas that do), as text; null when all exist.';

-- Which objects (and columns) each managed role's object-level grants named at its last
-- successful apply: removing such a grant block then revokes what it granted (for types and
-- columns, which no whole-schema form covers, as for the rest). Empty without object grants.
create table if not exists xplane.grant_object_scopes (
  provider_config text not null,
  role_name       text not null,
  database        text not null,
  schema          text not null,
  target          text not null,
  object          text not null,
  column_name     text not null default '',
  primary key (provider_config, role_name, database, schema, target, object, column_name)
);
comment on table xplane.grant_object_scopes is 'The objects (target tables|sequences|functions|types, object, column_name '''' for the object itself) each managed role''s object-level grants named at its last successful apply.';
revoke all on table xplane.grant_object_scopes from public;

create or replace function xplane.grant_object_scope_record(p_provider_config text, p_role text, p_grants jsonb)
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  delete from xplane.grant_object_scopes where provider_config = p_provider_config and role_name = p_role;
  insert into xplane.grant_object_scopes (provider_config, role_name, database, schema, target, object, column_name)
  select distinct p_provider_config, p_role, g ->> 'database', g ->> 'schema', g ->> 'on', g -> 'objects' ->> 0, coalesce(g -> 'columns' ->> 0, '')
    from jsonb_array_elements(coalesce(p_grants, '[]'::jsonb)) g
   where g ? 'objects'
  on conflict do nothing;
end
$$;
comment on function xplane.grant_object_scope_record(text, text, jsonb) is
  'Records the objects (and columns) the object-level grants of a role now name (grant_scope_record calls it); p_grants null or [] forgets them.';

create or replace function xplane.grant_object_scopes_of(p_provider_config text, p_roles text[])
returns table (role_name text, entries jsonb) language plpgsql stable set search_path = xplane, pg_catalog as $$
begin
  -- The recorded objects of these roles as object-level entries without privileges (what
  -- role_batch_catalog adds to their previous scope). PL/pgSQL: grant_object_entry is in 050.
  return query
  select s.role_name, jsonb_agg(xplane.grant_object_entry(s.database, s.schema, s.target, s.object, nullif(s.column_name, '')))
    from xplane.grant_object_scopes s
   where s.provider_config = p_provider_config and s.role_name = any (p_roles)
   group by s.role_name;
end
$$;
comment on function xplane.grant_object_scopes_of(text, text[]) is
  'The objects recorded for these roles (grant_object_scopes) as object-level grant entries with no privileges: {role_name, entries}.';

create or replace function xplane.grant_objects_with_previous(p_desired jsonb, p_previous jsonb)
returns jsonb language sql immutable parallel safe as $$
  -- The desired grants, and the object-level entries of p_previous (named at the last apply)
  -- that no desired entry names, without privileges: their objects are still read, so that
  -- what a removed block granted shows and gets revoked.
  select coalesce(p_desired, '[]'::jsonb) || coalesce((
    select jsonb_agg(p) from jsonb_array_elements(coalesce(p_previous, '[]'::jsonb)) p
     where p ? 'objects'
       and not exists (select 1 from jsonb_array_elements(coalesce(p_desired, '[]'::jsonb)) d
                        where d ->> 'database' = p ->> 'database' and d ->> 'schema' = p ->> 'schema' and d ->> 'on' = p ->> 'on'
                          and d -> 'objects' = p -> 'objects' and (d -> 'columns') is not distinct from (p -> 'columns'))), '[]'::jsonb)
$$;
comment on function xplane.grant_objects_with_previous(jsonb, jsonb) is
  'p_desired plus the object-level entries of p_previous it does not name (privileges []): what the object-level observer and delta work on.';

-- xplane: names a configuration writes as strings (owner = "app", database = "shop") and does
-- not declare, the extensions it creates, the locales of its databases and the role settings it
-- sets. A database or role that does not exist, an extension (version) or a locale the server
-- does not have, or a setting value it refuses, fails only at apply, perhaps after other
-- changes; the plan asks here first (src/plan/names.ts).

create or replace function xplane.setting_problems(p_settings jsonb)
returns jsonb
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_item jsonb;
  v_stmt text;
  v_msg  text;
  v_out  jsonb := '[]';
begin
  -- Each setting as apply would set it (role_alter_statements), on the current role, in a
  -- subtransaction that always rolls back: PostgreSQL's own check of the name and value (and of
  -- the right to set it), nothing left behind.
  for v_item in select value from pg_catalog.jsonb_array_elements(p_settings) loop
    begin
      foreach v_stmt in array xplane.role_alter_statements(current_user,
          pg_catalog.jsonb_build_object('settings', pg_catalog.jsonb_build_object(v_item ->> 'name', v_item -> 'value')), '{"settings": {}}') loop
        execute v_stmt;
      end loop;
      raise exception 'xplane: setting probe' using errcode = 'P0001';
    exception when others then
      get stacked diagnostics v_msg = message_text;
      if v_msg <> 'xplane: setting probe' then
        v_out := v_out || pg_catalog.jsonb_build_array(v_item || pg_catalog.jsonb_build_object('problem', v_msg));
      end if;
    end;
  end loop;
  return v_out;
end
$$;
comment on function xplane.setting_problems(jsonb) is
  'Of role settings [{name, value}] (normalised), those the server refuses, with its message as "problem": each tried as ALTER ROLE current_user SET in a subtransaction that rolls back.';

create or replace function xplane.missing_objects(p_provider_config text, p_schemas jsonb)
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_db    text;
  v_items jsonb;
  v_out   jsonb := '[]';
begin
  -- The entries of p_schemas with an "object" (object-level grants: {database, schema, on,
  -- object, column?}) whose object or column is not on the server, in schemas that are (a
  -- schema still to be created: its grants wait for the objects). One round trip per database
  -- that has some; none without object-level grants. A function is compared by its signature
  -- as grant_signature normalises it.
  for v_db, v_items in
    select e ->> 'database', pg_catalog.jsonb_agg(e || pg_catalog.jsonb_build_object('sig',
             case when e ->> 'on' = 'functions' then coalesce(xplane.grant_signature(e ->> 'object'), e ->> 'object') else e ->> 'object' end))
      from pg_catalog.jsonb_array_elements(coalesce(p_schemas, '[]')) e
     where e ? 'object' group by 1 order by 1 loop
    begin
      v_out := v_out || xplane.remote_query(p_provider_config, v_db, $q$(
        select coalesce(pg_catalog.jsonb_agg(e - 'sig'), '[]'::jsonb) from pg_catalog.jsonb_array_elements($1::jsonb) e
          join pg_catalog.pg_namespace n on n.nspname = e ->> 'schema'
         where not case e ->> 'on'
           when 'tables' then exists (select 1 from pg_catalog.pg_class c where c.relnamespace = n.oid and c.relname = e ->> 'sig'
                                        and c.relkind in ('r', 'p', 'v', 'm', 'f')
                                        and (e ->> 'column' is null or exists (select 1 from pg_catalog.pg_attribute a
                                              where a.attrelid = c.oid and a.attname = e ->> 'column' and a.attnum > 0 and not a.attisdropped)))
           when 'sequences' then exists (select 1 from pg_catalog.pg_class c where c.relnamespace = n.oid and c.relname = e ->> 'sig' and c.relkind = 'S')
           when 'functions' then exists (select 1 from pg_catalog.pg_proc p where p.pronamespace = n.oid
                                           and p.proname::text || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')' = e ->> 'sig')
           when 'types' then exists (select 1 from pg_catalog.pg_type t where t.typnamespace = n.oid and t.typname = e ->> 'sig')
           else true end)$q$, array[v_items::text]);
    exception when others then
      null;                                            -- a database that is not there: nothing to judge
    end;
  end loop;
  return v_out;
end
$$;
comment on function xplane.missing_objects(text, jsonb) is
  'Of the objects object-level grants name ([{database, schema, on, object, column?}], in p_schemas of missing_names), those not on the server, in schemas that are; one round trip per database.';

create or replace function xplane.missing_names(p_provider_config text, p_databases text[], p_roles text[], p_extensions jsonb,
                                               p_locales text[], p_settings jsonb, p_schemas jsonb,
                                               p_tablespaces text[], p_relocations jsonb)
returns jsonb
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_db      text;
  v_names   text[];
  v_missing jsonb := '[]';
  v_found   jsonb;
  v_objects jsonb;
begin
  -- p_schemas: [{"database", "schema"}]: one round trip per database. In a database that is not
  -- there yet (declared: its template decides; not declared: the plan says so) none is judged.
  for v_db, v_names in select e ->> 'database', pg_catalog.array_agg(e ->> 'schema')
                         from pg_catalog.jsonb_array_elements(coalesce(p_schemas, '[]')) e group by 1 order by 1 loop
    begin
      v_found := xplane.remote_query(p_provider_config, v_db, $q$(
        select coalesce(pg_catalog.jsonb_agg(n), '[]'::jsonb) from pg_catalog.unnest($1::text[]) n
         where not exists (select 1 from pg_catalog.pg_namespace s where s.nspname = n))$q$, array[v_names::text]);
    exception when others then
      v_found := '[]';
    end;
    v_missing := v_missing || (select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('database', v_db, 'schema', n)), '[]')
                                 from pg_catalog.jsonb_array_elements_text(v_found) n);
  end loop;
  v_objects := xplane.missing_objects(p_provider_config, p_schemas);
  -- One round trip to the managed server (the provider config may name another one).
  -- p_extensions: [{"name", "version" (null: the default)}]; returned when not available.
  -- A locale is known when the server imported it as a libc collation (initdb imports what
  -- `locale -a` lists; pg_import_system_collations() adds what was installed since), spelled as
  -- given or with its codeset as glibc lists it (en_US.UTF-8 → en_US.utf8). Inline: the managed
  -- server has no xplane functions.
  return pg_catalog.jsonb_build_object('settings', xplane.setting_problems(coalesce(p_settings, '[]')), 'schemas', v_missing)
    || case when pg_catalog.jsonb_array_length(v_objects) > 0 then pg_catalog.jsonb_build_object('objects', v_objects) else '{}'::jsonb end
    || xplane.remote_query(p_provider_config, '', $q$(
    select pg_catalog.jsonb_build_object(
      -- whether the role xp connects as may make a role superuser (superuser = true)
      'superuser', (select r.rolsuper from pg_catalog.pg_roles r where r.rolname = current_user),
      -- membership options inherit and set need 160000
      'server_version_num', pg_catalog.current_setting('server_version_num')::int,
      'databases', coalesce((select pg_catalog.jsonb_agg(n order by n) from pg_catalog.unnest($1::text[]) n
                              where not exists (select 1 from pg_catalog.pg_database d where d.datname = n)), '[]'::jsonb),
      'roles', coalesce((select pg_catalog.jsonb_agg(n order by n) from pg_catalog.unnest($2::text[]) n
                          where not exists (select 1 from pg_catalog.pg_roles r where r.rolname = n)), '[]'::jsonb),
      'extensions', coalesce((select pg_catalog.jsonb_agg(e order by e ->> 'name', e ->> 'version')
                                from pg_catalog.jsonb_array_elements($3::jsonb) e
                               where not exists (select 1 from pg_catalog.pg_available_extension_versions v
                                                  where v.name = e ->> 'name'
                                                    and (e ->> 'version' is null or v.version = e ->> 'version'))), '[]'::jsonb),
      'locales', coalesce((select pg_catalog.jsonb_agg(n order by n) from pg_catalog.unnest($4::text[]) n
                            where not exists (select 1 from pg_catalog.pg_collation c
                                               where c.collprovider = 'c'
                                                 and c.collcollate in (n, (select coalesce(m[1] || coalesce('.' || pg_catalog.lower(pg_catalog.regexp_replace(m[2], '[^A-Za-z0-9]', '', 'g')), '') || coalesce(m[3], ''), n)
                                                                           from (select pg_catalog.regexp_match(n, '^([^.@]*)(?:\.([^@]*))?(@.*)?$') as m) x)))), '[]'::jsonb),
      -- what CREATE DATABASE … TEMPLATE copies: a new database must match it but from template0
      'database_locales', coalesce((select pg_catalog.jsonb_object_agg(d.datname, pg_catalog.jsonb_build_object(
                                      'encoding', pg_catalog.pg_encoding_to_char(d.encoding), 'lc_collate', d.datcollate, 'lc_ctype', d.datctype))
                                      from pg_catalog.pg_database d where d.datname = any ($1::text[])), '{}'::jsonb),
      'tablespaces', coalesce((select pg_catalog.jsonb_agg(n order by n) from pg_catalog.unnest($5::text[]) n
                                where not exists (select 1 from pg_catalog.pg_tablespace t where t.spcname = n)), '[]'::jsonb),
      -- ALTER EXTENSION … UPDATE TO: only along a path of update scripts from the installed version
      'no_update_path', coalesce((select pg_catalog.jsonb_agg(e order by e ->> 'name', e ->> 'version')
                                    from pg_catalog.jsonb_array_elements($3::jsonb) e
                                   where e ? 'from' and e ->> 'version' is not null and e ->> 'version' <> e ->> 'from'
                                     and exists (select 1 from pg_catalog.pg_available_extensions a where a.name = e ->> 'name')
                                     and not exists (select 1 from pg_catalog.pg_extension_update_paths(e ->> 'name') p
                                                      where p.source = e ->> 'from' and p.target = e ->> 'version' and p.path is not null)), '[]'::jsonb),
      -- ALTER EXTENSION … SET SCHEMA: only for an extension whose installed version is relocatable
      'not_relocatable', coalesce((select pg_catalog.jsonb_agg(e order by e ->> 'name', e ->> 'version')
                                     from pg_catalog.jsonb_array_elements($6::jsonb) e
                                    where exists (select 1 from pg_catalog.pg_available_extension_versions v
                                                   where v.name = e ->> 'name' and v.version = e ->> 'version' and not v.relocatable)), '[]'::jsonb)))$q$,
    array[p_databases::text, p_roles::text, p_extensions::text, p_locales::text, coalesce(p_tablespaces, '{}')::text, coalesce(p_relocations, '[]')::text]);
end
$$;
comment on function xplane.missing_names(text, text[], text[], jsonb, text[], jsonb, jsonb, text[], jsonb) is
  'Of these database and role names, schemas [{database, schema}] (and objects of object-level grants, entries with "object": missing_objects, returned as "objects" when some are missing), extensions [{name, version}], libc locales and tablespaces, the ones the server behind the provider config does not have, and the role and database settings [{name, value}] it refuses: {"databases", "schemas", "roles", "extensions", "locales", "tablespaces", "settings": [{name, value, problem}]}, the encoding and locale of those databases that exist ("database_locales"), of the extensions to update [{name, version, from (installed)}] those with no update path ("no_update_path"), and of the extensions to move to another schema [{name, version (installed)}] those that are not relocatable ("not_relocatable"), and whether the role xp connects as is superuser ("superuser").';

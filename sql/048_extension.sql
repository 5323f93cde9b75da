-- Kind Extension: an extension in a database. Identity (database, name).

create or replace function xplane.normalize_extension(p_spec jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
begin
  perform xplane.spec_check_keys('Extension', p_spec, array['database', 'schema', 'version', 'cascade', 'allow_data_loss']);
  if not p_spec ? 'database' then
    perform xplane.invalid_spec('Extension', 'database', 'is required (the database to install the extension in)');
  end if;
  if p_spec ->> 'version' = '' then                    -- CREATE EXTENSION … VERSION '' would fail at apply
    perform xplane.invalid_spec('Extension', 'version', 'must not be empty (null: the default version)');
  end if;
  return jsonb_build_object(
    'database',        xplane.spec_identifier('Extension', p_spec, 'database', null),
    'schema',          xplane.spec_identifier('Extension', p_spec, 'schema', null, true),
    'version',         xplane.spec_text('Extension', p_spec, 'version', null, true),
    'cascade',         xplane.spec_bool('Extension', p_spec, 'cascade', false),
    'allow_data_loss', xplane.spec_bool('Extension', p_spec, 'allow_data_loss', false));
end
$$;
comment on function xplane.normalize_extension(jsonb) is
  'Normalised Extension spec: database (required), schema (null: the extension''s default), version (null: the default version, not compared), cascade (false: the extensions it requires must be there; create-only), allow_data_loss (false: DROP … RESTRICT).';

create or replace function xplane.extensions_in(p_provider_config text, p_database text, p_names text[])
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  -- One round trip: {name: observed} for the extensions of p_names installed in p_database.
  select xplane.remote_query(p_provider_config, p_database, $q$(
    select coalesce(jsonb_object_agg(e.extname, jsonb_build_object(
             'database', $1::text, 'schema', n.nspname, 'version', e.extversion)), '{}'::jsonb)
      from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
     where e.extname = any ($2::text[]))$q$, array[p_database, p_names::text])
$$;
comment on function xplane.extensions_in(text, text, text[]) is
  'Observed state of the named extensions installed in one database, as {name: observed}: one query.';

create or replace function xplane.observe_many_extension(p_items jsonb, p_provider_config text)
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  select xplane.observe_many_in_databases(p_items, p_provider_config, 'extensions_in')
$$;
comment on function xplane.observe_many_extension(jsonb, text) is
  'Observes extensions [{name, spec}] from pg_extension: one query for which databases exist, one per database involved; observed-or-null in input order.';

create or replace function xplane.act_create_extension(p_name text, p_spec jsonb, p_provider_config text)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_spec jsonb;
  v_obs  jsonb;
  v_db   text;
  v_missing jsonb;
begin
  v_spec := xplane.normalize_extension(p_spec);
  v_db := v_spec ->> 'database';
  if cardinality(xplane.connectable_databases(p_provider_config, array[v_db])) = 0 then
    return xplane.result('dependency_not_ready', format('database %s does not exist or does not accept connections (yet)', quote_ident(v_db)));
  end if;
  v_obs := xplane.extensions_in(p_provider_config, v_db, array[p_name]) -> p_name;
  if v_obs is not null then
    return xplane.result('already_exists', format('extension %s already exists in database %s', quote_ident(p_name), quote_ident(v_db)), v_obs);
  end if;
  -- Without cascade, what it requires must be installed first: say which, and how (declared
  -- ones are created by the same apply, and this create is retried: dependency_not_ready).
  if not (v_spec ->> 'cascade')::boolean then
    v_missing := xplane.remote_query(p_provider_config, v_db, $q$(
      select coalesce(pg_catalog.jsonb_agg(r order by r), '[]'::jsonb)
        from pg_catalog.pg_available_extension_versions v, pg_catalog.unnest(v.requires) r
       where v.name = $1 and v.version = coalesce($2, (select a.default_version from pg_catalog.pg_available_extensions a where a.name = $1))
         and not exists (select 1 from pg_catalog.pg_extension e where e.extname = r))$q$, array[p_name, v_spec ->> 'version']);
    if jsonb_array_length(v_missing) > 0 then
      -- PostgreSQL's words first ("required extension "cube" is not installed"), then the way out.
      return xplane.result('dependency_not_ready', format(
        'required extension %s is not installed in database %s: declare %s in that database too (extension %s is created once it is there), or set cascade = true to have CREATE EXTENSION … CASCADE install %s',
        (select string_agg(to_json(r)::text, ', ') from jsonb_array_elements_text(v_missing) r), to_json(v_db)::text,
        case when jsonb_array_length(v_missing) = 1 then 'it' else 'them' end, to_json(p_name)::text,
        case when jsonb_array_length(v_missing) = 1 then 'it' else 'them' end));
    end if;
  end if;
  perform xplane.remote_exec_locked(p_provider_config, v_db, format('extension:%s.%s', v_db, p_name),
    format('create extension %I', p_name)
    || case when v_spec ->> 'schema' is null then '' else format(' schema %I', v_spec ->> 'schema') end
    || case when v_spec ->> 'version' is null then '' else format(' version %L', v_spec ->> 'version') end
    || case when (v_spec ->> 'cascade')::boolean then ' cascade' else '' end);
  return xplane.result('success', format('extension %s created in database %s', quote_ident(p_name), quote_ident(v_db)),
                       xplane.extensions_in(p_provider_config, v_db, array[p_name]) -> p_name);
end
$$;
comment on function xplane.act_create_extension(text, jsonb, text) is
  'The create action of Extension (xplane.create_extension is its guarded form, through xplane.act): creates an extension in spec.database (schema, version when given; CASCADE when spec.cascade, else dependency_not_ready naming the required extensions that are not installed). A non-superuser can create trusted extensions only: others come back as permission_denied.';

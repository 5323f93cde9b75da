-- Kind Extension: an extension in a database. Identity (database, name).

create or replace function xplane.normalize_extension(p_spec jsonb)
returns jsonb
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
begin
  perform xplane.spec_check_keys('Extension', p_spec, array['database', 'schema', 'version', 'allow_data_loss']);
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
    'allow_data_loss', xplane.spec_bool('Extension', p_spec, 'allow_data_loss', false));
end
$$;
comment on function xplane.normalize_extension(jsonb) is
  'Normalised Extension spec: database (required), schema (null: the extension''s default), version (null: the default version, not compared), allow_data_loss (false: DROP … RESTRICT).';

create or replace function xplane.extensions_in(p_provider_config text, p_database text, p_names text[])
returns jsonb
language sql volatile
set search_path = xplane, pg_catalog
as $$
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
returns jsonb
language sql volatile
set search_path = xplane, pg_catalog
as $$
  select xplane.observe_many_in_databases(p_items, p_provider_config, 'extensions_in')
$$;
comment on function xplane.observe_many_extension(jsonb, text) is
  'Observes extensions [{name, spec}] from pg_extension: one query for which databases exist, one per database involved; observed-or-null in input order.';

create or replace function xplane.observe_extension(p_name text, p_spec jsonb, p_provider_config text)
returns jsonb
language sql volatile
set search_path = xplane, pg_catalog
as $$
  select nullif(xplane.observe_many_extension(jsonb_build_array(jsonb_build_object('name', p_name, 'spec', p_spec)), p_provider_config) -> 0,
                'null'::jsonb)
$$;
comment on function xplane.observe_extension(text, jsonb, text) is
  'Observed state of one extension, or null (used by the Extension actions).';

create or replace function xplane.create_extension(p_name text, p_spec jsonb, p_provider_config text default 'default')
returns xplane.action_result
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_spec jsonb;
  v_obs  jsonb;
  v_db   text;
  v_state text; v_msg text; v_detail text; v_hint text;
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
  perform xplane.remote_exec_locked(p_provider_config, v_db, format('extension:%s.%s', v_db, p_name),
    format('create extension %I', p_name)
    || case when v_spec ->> 'schema' is null then '' else format(' schema %I', v_spec ->> 'schema') end
    || case when v_spec ->> 'version' is null then '' else format(' version %L', v_spec ->> 'version') end);
  return xplane.result('success', format('extension %s created in database %s', quote_ident(p_name), quote_ident(v_db)),
                       xplane.extensions_in(p_provider_config, v_db, array[p_name]) -> p_name);
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return xplane.failure(v_state, v_msg, v_detail, v_hint);
end
$$;
comment on function xplane.create_extension(text, jsonb, text) is
  'Creates an extension in spec.database (schema, version when given). A non-superuser can create trusted extensions only: others come back as permission_denied. Never raises.';

create or replace function xplane.update_extension(p_name text, p_spec jsonb, p_provider_config text default 'default')
returns xplane.action_result
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_spec jsonb;
  v_obs  jsonb;
  v_diff text[];
  v_db   text;
  v_sql  text := '';
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  v_spec := xplane.normalize_extension(p_spec);
  v_db := v_spec ->> 'database';
  v_obs := xplane.observe_extension(p_name, v_spec, p_provider_config);
  if v_obs is null then
    return xplane.result('not_found', format('extension %s does not exist in database %s', quote_ident(p_name), quote_ident(v_db)));
  end if;
  v_diff := xplane.spec_diff('Extension', v_spec, v_obs);
  if cardinality(v_diff) = 0 then
    return xplane.result('no_change', format('extension %s is up to date', quote_ident(p_name)), v_obs);
  end if;
  if 'version' = any (v_diff) then
    v_sql := v_sql || format('alter extension %I update to %L; ', p_name, v_spec ->> 'version');
  end if;
  if 'schema' = any (v_diff) then
    v_sql := v_sql || format('alter extension %I set schema %I; ', p_name, v_spec ->> 'schema');
  end if;
  perform xplane.remote_exec_locked(p_provider_config, v_db, format('extension:%s.%s', v_db, p_name), v_sql);
  return xplane.result('updated', format('extension %s updated: %s', quote_ident(p_name), array_to_string(v_diff, ', ')),
                       xplane.extensions_in(p_provider_config, v_db, array[p_name]) -> p_name);
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return xplane.failure(v_state, v_msg, v_detail, v_hint);
end
$$;
comment on function xplane.update_extension(text, jsonb, text) is
  'ALTER EXTENSION … UPDATE TO the spec''s version and/or SET SCHEMA (relocatable extensions only). Never raises.';

create or replace function xplane.delete_extension(p_name text, p_spec jsonb, p_provider_config text default 'default')
returns xplane.action_result
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_spec jsonb;
  v_obs  jsonb;
  v_db   text;
  v_loss jsonb;
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  v_spec := xplane.normalize_extension(p_spec);
  v_db := v_spec ->> 'database';
  v_obs := xplane.observe_extension(p_name, v_spec, p_provider_config);
  if v_obs is null then
    return xplane.result('not_found', format('extension %s does not exist in database %s', quote_ident(p_name), quote_ident(v_db)));
  end if;
  if not (v_spec ->> 'allow_data_loss')::boolean then
    v_loss := xplane.data_loss_many(jsonb_build_array(jsonb_build_object('kind', 'Extension', 'name', p_name, 'database', v_db)), p_provider_config) -> 0;
    if (v_loss ->> 'count')::int > 0 then
      return xplane.result('error', xplane.data_loss_refusal(format('extension %s in database %s', quote_ident(p_name), quote_ident(v_db)), v_loss), v_obs);
    end if;
  end if;
  -- Without allow_data_loss, DROP … RESTRICT re-checks in the drop's own transaction.
  perform xplane.remote_exec_locked(p_provider_config, v_db, format('extension:%s.%s', v_db, p_name),
    format('drop extension %I %s', p_name, case when (v_spec ->> 'allow_data_loss')::boolean then 'cascade' else 'restrict' end));
  return xplane.result('success', format('extension %s dropped from database %s', quote_ident(p_name), quote_ident(v_db)), null);
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return xplane.failure(v_state, v_msg, v_detail, v_hint);
end
$$;
comment on function xplane.delete_extension(text, jsonb, text) is
  'Drops an extension: refused while objects outside it depend on it (columns of its types, views or functions using it: xplane.data_loss_sql) unless spec.allow_data_loss (then CASCADE); without it DROP … RESTRICT. Never raises.';

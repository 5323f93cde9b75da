-- Kind Schema: a schema inside a database. Identity (database, name).

create or replace function xplane.normalize_schema(p_spec jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
begin
  perform xplane.spec_check_keys('Schema', p_spec, array['database', 'owner', 'comment', 'allow_data_loss', 'public_privileges']);
  if not p_spec ? 'database' then
    perform xplane.invalid_spec('Schema', 'database', 'is required (the database the schema lives in)');
  end if;
  return jsonb_build_object(
    'database',        xplane.spec_identifier('Schema', p_spec, 'database', null),
    'owner',           xplane.spec_identifier('Schema', p_spec, 'owner', current_user::text),
    'allow_data_loss', xplane.spec_bool('Schema', p_spec, 'allow_data_loss', false)) || xplane.spec_comment('Schema', p_spec)
    || xplane.spec_public_privileges('Schema', p_spec, 'schema');
end
$$;
comment on function xplane.normalize_schema(jsonb) is
  'Normalised Schema spec: database (required), owner (current user), comment (null), allow_data_loss (false).';

create or replace function xplane.schemas_in(p_provider_config text, p_database text, p_names text[])
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  -- One round trip: {name: observed} for the schemas of p_names that exist in p_database.
  select xplane.remote_query(p_provider_config, p_database, format($q$(
    select coalesce(jsonb_object_agg(n.nspname, jsonb_build_object(
             'database', $1::text,
             'owner', pg_catalog.pg_get_userbyid(n.nspowner),
             'comment', pg_catalog.obj_description(n.oid, 'pg_namespace'),
             'public_privileges', %s)), '{}'::jsonb)
      from pg_catalog.pg_namespace n where n.nspname = any ($2::text[]))$q$,
    xplane.public_privileges_observed_sql('n', 'n.oid')), array[p_database, p_names::text])
$$;
comment on function xplane.schemas_in(text, text, text[]) is
  'Observed state of the named schemas that exist in one database, as {name: observed}: one query.';

create or replace function xplane.observe_many_in_databases(p_items jsonb, p_provider_config text, p_objects_in text)
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_db    text;
  v_objs  jsonb;
  v_found jsonb := '{}'::jsonb;   -- {database: {name: observed}}
begin
  foreach v_db in array xplane.connectable_databases(p_provider_config,
      array(select distinct i -> 'spec' ->> 'database' from jsonb_array_elements(p_items) i)) loop
    execute format('select xplane.%I($1, $2, $3)', p_objects_in) into v_objs
      using p_provider_config, v_db,
            array(select i ->> 'name' from jsonb_array_elements(p_items) i where i -> 'spec' ->> 'database' = v_db);
    v_found := v_found || jsonb_build_object(v_db, v_objs);
  end loop;
  return (select coalesce(jsonb_agg(coalesce(v_found -> (i -> 'spec' ->> 'database') -> (i ->> 'name'), 'null'::jsonb) order by ord), '[]'::jsonb)
            from jsonb_array_elements(p_items) with ordinality t(i, ord));
end
$$;
comment on function xplane.observe_many_in_databases(jsonb, text, text) is
  'Batched observe of a per-database kind (identity: spec.database, name): one query for which databases exist, then one call of xplane.<p_objects_in>(provider config, database, names) → {name: observed} per database involved; observed-or-null in input order.';

create or replace function xplane.observe_many_schema(p_items jsonb, p_provider_config text)
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  select xplane.observe_many_in_databases(p_items, p_provider_config, 'schemas_in')
$$;
comment on function xplane.observe_many_schema(jsonb, text) is
  'Observes schemas [{name, spec}] from pg_namespace: one query for which databases exist, one per database involved; observed-or-null in input order.';

create or replace function xplane.create_schemas(p_provider_config text, p_items jsonb)
returns xplane.action_result[] language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_n       integer := jsonb_array_length(p_items);
  v_names   text[] := '{}';
  v_specs   jsonb[] := '{}';
  v_results xplane.action_result[] := array_fill(null::xplane.action_result, array[v_n]);
  v_dbs     text[];
  v_db      text;
  v_todo    integer[];
  v_found   jsonb;
  v_state text; v_msg text; v_detail text; v_hint text;
  i integer;
begin
  -- Creates absent schemas ([{"name", "spec"}]) together: one remote transaction per database
  -- (a schema that exists fails it with 42P06: already_exists), then one read of what they
  -- look like. A batch that fails is retried one schema at a time. create_schema is a batch of one.
  for i in 1 .. v_n loop
    v_names[i] := p_items -> (i - 1) ->> 'name';
    begin
      v_specs[i] := xplane.normalize_schema(p_items -> (i - 1) -> 'spec');
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
      v_results[i] := xplane.failure(v_state, v_msg, v_detail, v_hint);
    end;
  end loop;
  v_dbs := xplane.connectable_databases(p_provider_config,
             array(select distinct v_specs[k] ->> 'database' from generate_series(1, v_n) k where v_results[k] is null));
  for i in 1 .. v_n loop
    if v_results[i] is null and not (v_specs[i] ->> 'database' = any (v_dbs)) then
      v_results[i] := xplane.result('dependency_not_ready',
        format('database %s does not exist or does not accept connections (yet)', quote_ident(v_specs[i] ->> 'database')));
    end if;
  end loop;
  foreach v_db in array v_dbs loop
    v_todo := array(select k from generate_series(1, v_n) k where v_results[k] is null and v_specs[k] ->> 'database' = v_db);
    continue when cardinality(v_todo) = 0;
    begin
      perform xplane.remote_exec(p_provider_config, v_db, xplane.locked_sql(
        array(select format('schema:%s.%s', v_db, v_names[k]) from unnest(v_todo) k),
        (select string_agg(xplane.can_act_as_sql(o), '') from (select distinct v_specs[k] ->> 'owner' as o from unnest(v_todo) k) x)
        || (select string_agg(format('create schema %I authorization %I; ', v_names[k], v_specs[k] ->> 'owner')
                              || case when v_specs[k] ->> 'comment' is null then ''
                                      else format('comment on schema %I is %L; ', v_names[k], v_specs[k] ->> 'comment') end
                              || xplane.alter_sql('Schema', v_names[k], 'public_privileges', v_specs[k]), '' order by k)
              from unnest(v_todo) k)));
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
      foreach i in array v_todo loop
        v_results[i] := case when cardinality(v_todo) = 1 then xplane.failure(v_state, v_msg, v_detail, v_hint)
                             else (xplane.create_schemas(p_provider_config, jsonb_build_array(p_items -> (i - 1))))[1] end;
      end loop;
      continue;
    end;
    v_found := xplane.schemas_in(p_provider_config, v_db, array(select v_names[k] from unnest(v_todo) k));
    foreach i in array v_todo loop
      v_results[i] := xplane.result('success', format('schema %s created in database %s', quote_ident(v_names[i]), quote_ident(v_db)),
                                    v_found -> v_names[i]);
    end loop;
  end loop;
  return v_results;
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return array(select coalesce(v_results[k], xplane.failure(v_state, v_msg, v_detail, v_hint)) from generate_series(1, v_n) k);
end
$$;
comment on function xplane.create_schemas(text, jsonb) is
  'Creates absent schemas [{"name","spec"}] together: one remote transaction per database and one read of the result; a failing batch is retried one schema at a time. Results in input order: success, dependency_not_ready (database missing), already_exists, or the failure.';

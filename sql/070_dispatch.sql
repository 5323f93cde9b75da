-- One entry point per verb, dispatching by kind: normalize_spec, observe_many (observe_one),
-- and the actions: xplane.act, the one guarded path of every create/update/delete, with the
-- generic update and delete of the kinds whose attributes each have an ALTER; the per-kind
-- functions live in 040–069 (one file per kind). The signatures are the contract in
-- docs/internals/contracts.md §2.

create or replace function xplane.normalize_spec(p_kind xplane.resource_kind, p_spec jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
begin
  if p_spec is null or jsonb_typeof(p_spec) <> 'object' then
    perform xplane.invalid_spec(p_kind, 'spec', 'must be a JSON object');
  end if;
  -- A static dispatch (PL/pgSQL keeps its plans), not EXECUTE: this runs once per resource of
  -- a plan. A kind missing here raises case_not_found.
  case p_kind
    when 'Database' then return xplane.normalize_database(p_spec);
    when 'Schema' then return xplane.normalize_schema(p_spec);
    when 'Role' then return xplane.normalize_role(p_spec);
    when 'Extension' then return xplane.normalize_extension(p_spec);
    when 'ServiceAccount' then return xplane.normalize_service_account(p_spec);
  end case;
end
$$;
comment on function xplane.normalize_spec(xplane.resource_kind, jsonb) is
  'The one normalisation of a spec: defaults filled, lists sorted and de-duplicated, password removed. Raises SQLSTATE 22023 naming the field (Kind.field: problem) when the spec is invalid.';

create or replace function xplane.spec_diff(p_kind xplane.resource_kind, p_desired jsonb, p_observed jsonb)
returns text[] language sql immutable parallel safe as $$
  -- Compared: the keys the observed state carries (create-only and delete-only keys such as
  -- template or allow_data_loss are never observed). Extension.version/schema and
  -- Database.tablespace null = "any". ServiceAccount.password (write-only) shows only as
  -- "changed outside xp" (roles_catalog).
  select coalesce(array_agg(o.key order by o.key), '{}')
    from jsonb_each(p_observed) o
   where (p_desired ? o.key
          and not ((p_kind = 'Extension' and o.key in ('version', 'schema') or p_kind = 'Database' and o.key = 'tablespace')
                   and p_desired -> o.key = 'null'::jsonb)
          and p_desired -> o.key is distinct from o.value)
      or (p_kind = 'ServiceAccount' and o.key = 'password' and o.value = '"password changed outside xp"')
$$;
comment on function xplane.spec_diff(xplane.resource_kind, jsonb, jsonb) is
  'Keys whose normalised desired value differs from the observed one (only keys the observed state carries). Empty array: in sync.';

create or replace function xplane.observer_of(p_kind xplane.resource_kind)
returns text language sql immutable parallel safe as $$
  select case when p_kind in ('Role', 'ServiceAccount') then 'observe_many_roles'
              else 'observe_many_' || xplane.snake_kind(p_kind) end
$$;
comment on function xplane.observer_of(xplane.resource_kind) is
  'The batched observe function of a kind: observe_many_<kind>, but one for Roles and ServiceAccounts together (observe_many_roles).';

create or replace function xplane.observe_many_json(p_items jsonb, p_provider_config text default 'default')
-- jit = off: catalog queries are never worth JIT compilation (see xplane.connection_string)
returns json language plpgsql volatile set search_path = xplane, pg_catalog set jit = off as $$
declare
  v_kinds    text[];
  v_names    text[];
  v_norms    jsonb[];
  v_errs     text[];
  v_dbs      text[];
  v_observed jsonb[];
  v_item     jsonb;
  v_batch    record;
  v_row      record;
  v_ords     bigint[];
  v_obs      jsonb;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' then
    raise exception 'observe_many: items must be a JSON array of {"kind", "name", "spec"}' using errcode = 'invalid_parameter_value';
  end if;
  -- Normalised all at once first (no subtransaction per item); when one spec is invalid, again
  -- item by item, so that each invalid one gets its own error (v_errs, and v_dbs: spec.database
  -- as given) and the others their normalised spec. In arrays, by ordinal: wrapping each spec
  -- into a jsonb item and aggregating them copied every spec twice, to be taken apart again.
  v_errs := '{}';
  v_dbs := '{}';
  begin
    select coalesce(array_agg(t.e ->> 'kind' order by t.n), '{}'), coalesce(array_agg(t.e ->> 'name' order by t.n), '{}'),
           coalesce(array_agg(xplane.normalize_spec((t.e ->> 'kind')::xplane.resource_kind, coalesce(t.e -> 'spec', '{}'::jsonb)) order by t.n), '{}')
      into v_kinds, v_names, v_norms
      from jsonb_array_elements(p_items) with ordinality t(e, n);
  exception when others then
    v_kinds := '{}'; v_names := '{}'; v_norms := '{}';
    for v_item in select e from jsonb_array_elements(p_items) e loop
      v_kinds := v_kinds || (v_item ->> 'kind');
      v_names := v_names || (v_item ->> 'name');
      begin
        v_norms := v_norms || xplane.normalize_spec((v_item ->> 'kind')::xplane.resource_kind, coalesce(v_item -> 'spec', '{}'::jsonb));
        v_errs := v_errs || null::text;
        v_dbs := v_dbs || null::text;
      exception when others then
        v_norms := v_norms || null::jsonb;
        v_errs := v_errs || sqlerrm;
        v_dbs := v_dbs || coalesce(v_item -> 'spec' ->> 'database', '');
      end;
    end loop;
  end;
  v_observed := array_fill(null::jsonb, array[cardinality(v_kinds)]);
  -- One batched call per kind (Roles and ServiceAccounts together: one catalog read for
  -- both); each does one query per database involved. v_observed[ordinal]: observed, an
  -- array assigned in place (merging jsonb objects copied what the other kinds answered).
  for v_batch in
    select xplane.observer_of(u.k::xplane.resource_kind) as observer, array_agg(u.i order by u.i) as ords,
           jsonb_agg(jsonb_build_object('kind', u.k, 'name', u.nm, 'spec', u.j) order by u.i) as items
      from unnest(v_kinds, v_names, v_norms) with ordinality u(k, nm, j, i)
     where u.j is not null and u.j <> 'null'::jsonb
     group by 1
  loop
    execute format('select xplane.%I($1, $2)', v_batch.observer) into v_obs using v_batch.items, p_provider_config;
    v_ords := v_batch.ords;
    -- unnested once, not "v_obs -> i" per item (that copies the whole batch's answer each time)
    for v_row in select x.i, x.obs from jsonb_array_elements(v_obs) with ordinality x(obs, i) loop
      v_observed[v_ords[v_row.i]] := v_row.obs;
    end loop;
  end loop;
  -- json, not jsonb: the answer (megabytes for thousands of items) goes to the client as text;
  -- json_agg appends each item's text, where jsonb_agg builds and converts a tree of it all.
  return (
    select coalesce(json_agg(case when u.er is not null
             then json_build_object('kind', u.k, 'name', u.nm, 'normalized', null, 'error', u.er, 'database', u.db, 'observed', null)
             else json_build_object('kind', u.k, 'name', u.nm, 'normalized', u.j,
                    'database', xplane.resource_database(u.k::xplane.resource_kind, u.j),
                    'observed', coalesce(u.o, 'null'::jsonb)) end order by u.i), '[]'::json)
      from unnest(v_kinds, v_names, v_norms, v_errs, v_dbs, v_observed) with ordinality u(k, nm, j, er, db, o, i));
end
$$;
comment on function xplane.observe_many_json(jsonb, text) is
  'Batched observe: items [{"kind","name","spec"}] → [{"kind","name","database","normalized","observed"(, "error")}] in input order, as json (what the client reads). Reads the catalogs (never the stored status); round trips grow with the number of databases, not of resources.';

create or replace function xplane.observe_many(p_items jsonb, p_provider_config text default 'default')
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  select xplane.observe_many_json(p_items, p_provider_config)::jsonb
$$;
comment on function xplane.observe_many(jsonb, text) is
  'observe_many_json as jsonb: for the provider''s own callers (reconcile, renames).';

create or replace function xplane.observe_resource(p_kind xplane.resource_kind, p_name text, p_spec jsonb,
                                                   p_provider_config text default 'default')
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  select nullif(xplane.observe_many(jsonb_build_array(jsonb_build_object('kind', p_kind, 'name', p_name, 'spec', p_spec)),
                                    p_provider_config) -> 0 -> 'observed', 'null'::jsonb)
$$;
comment on function xplane.observe_resource(xplane.resource_kind, text, jsonb, text) is
  'The observed state of one object in the shape of its normalised spec, or null when it does not exist (observe_many of one item).';

create or replace function xplane.observe_one(p_kind xplane.resource_kind, p_name text, p_spec jsonb, p_provider_config text)
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_obs jsonb;
begin
  execute format('select xplane.%I($1, $2) -> 0', xplane.observer_of(p_kind)) into v_obs
    using jsonb_build_array(jsonb_build_object('kind', p_kind, 'name', p_name, 'spec', p_spec)), p_provider_config;
  return nullif(v_obs, 'null'::jsonb);
end
$$;
comment on function xplane.observe_one(xplane.resource_kind, text, jsonb, text) is
  'The observed state of one object whose spec is already normalised, or null when absent: the kind''s batched observe (observer_of) of one item. What the actions read before and after they act.';

create or replace function xplane.name_problem(p_kind xplane.resource_kind, p_name text)
returns text language sql stable parallel safe as $$
  -- PostgreSQL would silently truncate a longer name, and xp would never find the object again.
  select case when xplane.identifier_problem(p_name) is not null
              then format('%s.name: %s', p_kind, xplane.identifier_problem(p_name)) end
$$;
comment on function xplane.name_problem(xplane.resource_kind, text) is
  'Why a name cannot be an object''s (Kind.name: …), or null when it can: 1 to 63 bytes.';

create or replace function xplane.action_refusal(p_action text, p_kind xplane.resource_kind, p_name text, p_spec jsonb,
                                                 p_provider_config text)
returns text language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_reason  text;
  v_changed text[];
begin
  -- A create only ever makes what does not exist (what xp depends on exists: a create of it
  -- finds it and becomes an update). Which attributes an update changes is read only for an
  -- object xp depends on: nothing more to read for any other.
  if p_action = 'create' then
    return null;
  end if;
  v_reason := xplane.protected_reason(p_kind, p_name, xplane.resource_database(p_kind, p_spec), p_provider_config);
  if v_reason is null then
    return null;
  end if;
  if p_action = 'update' then
    v_changed := xplane.spec_diff(p_kind, xplane.normalize_spec(p_kind, p_spec),
                                  xplane.observe_resource(p_kind, p_name, p_spec, p_provider_config));
  end if;
  return xplane.refusal_message(v_reason, p_action, p_kind, p_name, v_changed);
end
$$;
comment on function xplane.action_refusal(text, xplane.resource_kind, text, jsonb, text) is
  'run_action''s guard: the refusal (refusal_message) of this update/delete of an object xp depends on (an update''s changed attributes read from the catalogs), or null.';

create or replace function xplane.batch_creator(p_kind xplane.resource_kind)
returns text language sql immutable parallel safe as $$
  select case when p_kind in ('Role', 'ServiceAccount') then 'create_roles' when p_kind = 'Schema' then 'create_schemas' end
$$;
comment on function xplane.batch_creator(xplane.resource_kind) is
  'The function that creates many absent objects of a kind together (create_roles, create_schemas), or null: reconcile_many hands it runs of them, and a kind''s create action is a batch of one.';

create or replace function xplane.alter_sql(p_kind xplane.resource_kind, p_name text, p_key text, p_spec jsonb)
returns text language sql stable parallel safe as $$
  -- lower(kind) is one of the enum's words (database, schema), never user input.
  select case p_key
    when 'owner' then xplane.can_act_as_sql(p_spec ->> 'owner')
                      || format('alter %s %I owner to %I; ', lower(p_kind::text), p_name, p_spec ->> 'owner')
    when 'comment' then format('comment on %s %I is %s; ', lower(p_kind::text), p_name, coalesce(quote_literal(p_spec ->> 'comment'), 'null'))
    when 'connection_limit' then format('alter database %I with connection limit %s; ', p_name, (p_spec ->> 'connection_limit')::int)
    when 'allow_connections' then format('alter database %I with allow_connections %s; ', p_name, (p_spec ->> 'allow_connections')::boolean::text)
    when 'is_template' then format('alter database %I with is_template %s; ', p_name, (p_spec ->> 'is_template')::boolean::text)
    when 'settings' then xplane.database_settings_sql(p_name, p_spec)
    -- Database.tablespace: not here (it cannot run in a transaction): database_set_tablespace
    when 'version' then format('alter extension %I update to %L; ', p_name, p_spec ->> 'version')
    when 'schema' then format('alter extension %I set schema %I; ', p_name, p_spec ->> 'schema')
    when 'public_privileges' then case when p_spec ? 'public_privileges'
      then xplane.public_privileges_sql(lower(p_kind::text), p_name, p_spec -> 'public_privileges') else '' end
    else '' end
$$;
comment on function xplane.alter_sql(xplane.resource_kind, text, text, jsonb) is
  'The statement that brings one attribute (p_key) of a Database, Schema or Extension to its normalised spec: owner, comment; Database connection_limit, allow_connections, is_template, settings (RESET ALL, then SET each); Database and Schema public_privileges (REVOKE/GRANT … PUBLIC); Extension version (UPDATE TO), schema (SET SCHEMA). What act_update_object runs for each attribute that differs (Database.tablespace has its own statement: database_set_tablespace).';

create or replace function xplane.act_update_object(p_kind xplane.resource_kind, p_name text, p_spec jsonb, p_provider_config text)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_spec  jsonb := xplane.normalize_spec(p_kind, p_spec);
  v_db    text := xplane.resource_database(p_kind, v_spec);     -- '' for a database
  v_what  text := format('%s %s', lower(p_kind::text), quote_ident(p_name));
  v_obs   jsonb;
  v_diff  text[];
  v_key   text;
  v_sql   text;
begin
  v_obs := xplane.observe_one(p_kind, p_name, v_spec, p_provider_config);
  if v_obs is null then
    return xplane.result('not_found', v_what || ' does not exist' || coalesce(' in database ' || quote_ident(nullif(v_db, '')), ''), null);
  end if;
  v_diff := xplane.spec_diff(p_kind, v_spec, v_obs);
  -- What ALTER DATABASE cannot change: xp never drops and re-creates a database to change it.
  foreach v_key in array case when p_kind = 'Database' then array['encoding', 'lc_collate', 'lc_ctype'] else '{}' end loop
    if v_key = any (v_diff) then
      return xplane.result('invalid_spec', format(
        'Database.%s is immutable: database %s has %s = %s, the spec asks for %s. xp never drops and re-creates a database to change it: create a new database and move the data, or set %s back to %s.',
        v_key, quote_ident(p_name), v_key, v_obs ->> v_key, v_spec ->> v_key, v_key, v_obs ->> v_key), v_obs);
    end if;
  end loop;
  if cardinality(v_diff) = 0 then
    return xplane.result('no_change', v_what || ' is up to date', v_obs);
  end if;
  -- One remote transaction, under the object's lock (database:<name>, schema:<db>.<name>, …);
  -- none when only the tablespace differs (its statement runs alone, below).
  v_sql := (select string_agg(xplane.alter_sql(p_kind, p_name, k, v_spec), '' order by k) from unnest(v_diff) k);
  if v_sql <> '' then
    perform xplane.remote_exec_locked(p_provider_config, v_db,
      format('%s:%s', lower(p_kind::text), case when v_db = '' then p_name else v_db || '.' || p_name end), v_sql);
  end if;
  if p_kind = 'Database' and 'tablespace' = any (v_diff) then
    perform xplane.database_set_tablespace(p_provider_config, p_name, v_spec ->> 'tablespace');
  end if;
  return xplane.result('updated', format('%s updated: %s', v_what, array_to_string(v_diff, ', ')),
                       xplane.observe_one(p_kind, p_name, v_spec, p_provider_config));
end
$$;
comment on function xplane.act_update_object(xplane.resource_kind, text, jsonb, text) is
  'The update action of Database, Schema and Extension (update_<kind> is its guarded form, through xplane.act): brings each attribute that differs to the spec (alter_sql) in one statement batch, then moves a database to its tablespace (database_set_tablespace); refuses (invalid_spec) a change of Database encoding/lc_collate/lc_ctype, naming the field. not_found when absent, no_change when in sync.';

create or replace function xplane.act_delete_object(p_kind xplane.resource_kind, p_name text, p_spec jsonb, p_provider_config text)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_spec    jsonb := xplane.normalize_spec(p_kind, p_spec);
  v_db      text := v_spec ->> 'database';
  v_what    text := format('%s %s', lower(p_kind::text), quote_ident(p_name));
  v_drop    boolean := (v_spec ->> 'allow_data_loss')::boolean;
  v_obs     jsonb;
  v_loss    jsonb;
  v_refusal text;
begin
  v_obs := xplane.observe_one(p_kind, p_name, v_spec, p_provider_config);
  if v_obs is null then
    return xplane.result('not_found', format('%s does not exist in database %s', v_what, quote_ident(v_db)));
  end if;
  -- Also called directly (psql): never schema xplane, the schema holding dblink, or dblink.
  v_refusal := xplane.protection_refusal('delete', p_kind, p_name, v_db, null, p_provider_config);
  if v_refusal is not null then
    return xplane.result('error', v_refusal, v_obs);
  end if;
  if not v_drop then
    v_loss := xplane.data_loss_many(jsonb_build_array(jsonb_build_object('kind', p_kind, 'name', p_name, 'database', v_db)), p_provider_config) -> 0;
    if (v_loss ->> 'count')::int > 0 then
      return xplane.result('error', xplane.data_loss_refusal(format('%s in database %s', v_what, quote_ident(v_db)), v_loss), v_obs);
    end if;
  end if;
  -- Without allow_data_loss, DROP … RESTRICT is the re-check in the drop's own transaction: an
  -- object created since the count above makes it fail (with its name), dropping nothing.
  perform xplane.remote_exec_locked(p_provider_config, v_db, format('%s:%s.%s', lower(p_kind::text), v_db, p_name),
    format('drop %s %I %s', lower(p_kind::text), p_name, case when v_drop then 'cascade' else 'restrict' end));
  return xplane.result('success', format('%s dropped from database %s', v_what, quote_ident(v_db)), null);
end
$$;
comment on function xplane.act_delete_object(xplane.resource_kind, text, jsonb, text) is
  'The delete action of Schema and Extension (delete_schema, delete_extension are its guarded forms, through xplane.act): drops the object, refused for what xp depends on (schema xplane, the schema holding dblink, dblink: protection_refusal) and while anything outside it would go with it (xplane.data_loss_sql) unless spec.allow_data_loss (then CASCADE); without it DROP … RESTRICT. not_found when absent.';

create or replace function xplane.act(p_action text, p_kind xplane.resource_kind, p_name text, p_spec jsonb,
                                      p_provider_config text default 'default', p_protect boolean default false)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_refusal text;
  v_result  xplane.action_result;
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  if p_action is null or p_action not in ('create', 'update', 'delete') then
    return xplane.result('error', format('unknown action %s', p_action));
  end if;
  if p_protect then
    v_refusal := xplane.action_refusal(p_action, p_kind, p_name, p_spec, p_provider_config);
    if v_refusal is not null then
      return xplane.result('error', v_refusal);
    end if;
  end if;
  -- A create of a kind with a batch creator is a batch of one.
  if p_action = 'create' and xplane.batch_creator(p_kind) is not null then
    execute format('select * from unnest(xplane.%I($1, $2)) limit 1', xplane.batch_creator(p_kind)) into v_result
      using p_provider_config, jsonb_build_array(jsonb_build_object('kind', p_kind, 'name', p_name, 'spec', p_spec));
    return v_result;
  end if;
  -- Every other action of every kind, in one place (a static dispatch).
  return case
    when p_action = 'create' and p_kind = 'Database' then xplane.act_create_database(p_name, p_spec, p_provider_config)
    when p_action = 'create' and p_kind = 'Extension' then xplane.act_create_extension(p_name, p_spec, p_provider_config)
    when p_kind in ('Role', 'ServiceAccount') and p_action = 'update' then xplane.act_update_role(p_kind, p_name, p_spec, p_provider_config)
    when p_kind in ('Role', 'ServiceAccount') then xplane.act_delete_role(p_kind, p_name, p_spec, p_provider_config)
    when p_action = 'update' then xplane.act_update_object(p_kind, p_name, p_spec, p_provider_config)
    when p_kind = 'Database' then xplane.act_delete_database(p_name, p_spec, p_provider_config)
    else xplane.act_delete_object(p_kind, p_name, p_spec, p_provider_config) end;
exception when others then
  -- The one exception tail of every action: an error becomes the action's failure result.
  get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return xplane.failure(v_state, v_msg, v_detail, v_hint);
end
$$;
comment on function xplane.act(text, xplane.resource_kind, text, jsonb, text, boolean) is
  'Runs the create, update or delete action of a kind (the act_* functions, the batch creators for a create) and returns its action_result; never raises: an error becomes a failure result (xplane.failure). p_protect: first refuse (an error result, "refusing to …") to drop or strip what xp depends on (action_refusal), as run_action does.';

-- The actions of the contract (docs/internals/contracts.md §2): xplane.<create|update|delete>_<kind>
-- for every kind, each xplane.act of its action and kind, made here rather than written out
-- fifteen times.
do $actions$
declare
  v_kind   xplane.resource_kind;
  v_action text;
  v_fn     text;
begin
  foreach v_kind in array enum_range(null::xplane.resource_kind) loop
    foreach v_action in array array['create', 'update', 'delete'] loop
      v_fn := v_action || '_' || xplane.snake_kind(v_kind);
      execute format($f$create or replace function xplane.%I(p_name text, p_spec jsonb, p_provider_config text default 'default')
returns xplane.action_result language sql volatile set search_path = xplane, pg_catalog as $body$
  select xplane.act(%L, %L, p_name, p_spec, p_provider_config)
$body$$f$, v_fn, v_action, v_kind);
      execute format('comment on function xplane.%I(text, jsonb, text) is %L', v_fn,
        format('The %s action of %s: xplane.act(%L, %L, …). Never raises: an error is a failure result. docs/kinds/%s.md.',
               v_action, v_kind, v_action, v_kind, xplane.snake_kind(v_kind)));
    end loop;
  end loop;
end
$actions$;

create or replace function xplane.run_action(p_action text, p_kind xplane.resource_kind, p_name text, p_spec jsonb,
                                             p_provider_config text default 'default')
-- jit = off: catalog queries are never worth JIT compilation (see xplane.connection_string)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog set jit = off as $$
begin
  if xplane.name_problem(p_kind, p_name) is not null then
    return xplane.result('invalid_spec', xplane.name_problem(p_kind, p_name));
  end if;
  return xplane.act(p_action, p_kind, p_name, p_spec, p_provider_config, true);
end
$$;
comment on function xplane.run_action(text, xplane.resource_kind, text, jsonb, text) is
  'Runs xplane.<create|update|delete>_<kind>(name, spec, provider_config) (through xplane.act) and returns its action_result, unless the name cannot be an object''s (invalid_spec) or the action would drop or strip what xp depends on (action_refusal: an error result, "refusing to …"); never raises.';

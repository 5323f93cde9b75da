-- The framework: schema, tables, enums, conventions every function follows.
select plan(28);

select has_schema('xplane', 'schema xplane exists');
select has_table('xplane', t, format('table xplane.%s exists', t))
  from unnest(array['managed_resources', 'conditions', 'events', 'provider_configs', 'stacks', 'schema_version']) t;
select enum_has_labels('xplane', 'resource_kind', array['Database', 'Schema', 'Role', 'Extension', 'ServiceAccount'], 'resource_kind has the five kinds');
select enum_has_labels('xplane', 'status_code', array['success', 'already_exists', 'not_found', 'updated', 'no_change',
  'error', 'permission_denied', 'invalid_spec', 'dependency_not_ready'], 'status_code has the nine codes');
select is(
  (select string_agg(p.oid::regprocedure::text, ', ')
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'xplane'
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
      and obj_description(p.oid, 'pg_proc') is null),
  null, 'every xplane function has COMMENT ON FUNCTION');
select is(
  (select string_agg(p.oid::regprocedure::text, ', ')
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'xplane'
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
      and not coalesce(p.proconfig && array['search_path=xplane, pg_catalog', 'search_path=xplane, pg_catalog, pg_temp'], false)
      -- Pure SQL helpers go without, so that they are inlined into their (pinned) callers: not
      -- volatile, not SECURITY DEFINER, reading no table of the provider.
      and not (p.prolang = (select oid from pg_language where lanname = 'sql') and p.provolatile <> 'v' and not p.prosecdef
               and p.prosrc !~ 'xplane\.(managed_resources|credentials|grant_scopes|stacks|provider_configs|events|conditions|schema_version)\M')),
  null, 'every xplane function pins search_path = xplane, pg_catalog, except pure SQL helpers');
-- Pure SQL helpers are inlined into their callers, which is why they exist (a call of its own
-- costs about 14 µs: grant_entry runs 8,000 times in a no-op plan of 1,000 tenants).
-- PostgreSQL never inlines an IMMUTABLE function whose body is not immutable (jsonb_build_object
-- and format are stable): such a label only makes every call a call. EXPLAIN VERBOSE tells
-- whether a call survives planning, with variables (not constants) as arguments.
create function pg_temp.inlined(p_fn regprocedure) returns boolean language plpgsql as $$
declare
  v_plan text := '';
  v_line text;
  v_cols text;
  v_refs text;
begin
  select coalesce(string_agg(format('null::%s as a%s', format_type(t, null), i), ', '), ''), coalesce(string_agg('s.a' || i, ', '), '')
    into v_cols, v_refs
    from unnest((select proargtypes::oid[] from pg_proc where oid = p_fn)) with ordinality a(t, i);
  for v_line in execute format('explain (verbose, costs off) select %s(%s) from (select %s offset 0) s',
                               p_fn::oid::regproc, v_refs, v_cols) loop
    v_plan := v_plan || v_line;
  end loop;
  return position(p_fn::oid::regproc::text || '(' in v_plan) = 0;
end
$$;
create function pg_temp.immutable_in_name_only() returns text language plpgsql as $$
declare
  f     regprocedure;
  v_bad text[] := '{}';
begin
  for f in select p.oid::regprocedure from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'xplane' and p.prolang = (select oid from pg_language where lanname = 'sql')
              and p.provolatile = 'i' and p.proconfig is null and not p.prosecdef and not p.proretset and p.pronargs > 0
              and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
              and not pg_temp.inlined(p.oid::regprocedure) loop
    begin
      execute format('alter function %s stable', f);
      if pg_temp.inlined(f) then
        v_bad := v_bad || f::text;
      end if;
      raise exception using errcode = 'XP999', message = 'undo the alter';
    exception when sqlstate 'XP999' then
      null;
    end;
  end loop;
  return nullif(array_to_string(v_bad, ', '), '');
end
$$;
select is(pg_temp.immutable_in_name_only(), null,
  'no SQL helper is IMMUTABLE over a body that is not (PostgreSQL would never inline it): declare it STABLE');
select ok(pg_temp.inlined('xplane.grant_entry(text,text,text,text[],boolean)') and pg_temp.inlined('xplane.identifier_problem(text)'),
  'the helpers of every plan (grant_entry, identifier_problem) are inlined');
select is(
  (select string_agg(p.proname, ', ' order by p.proname)
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'xplane' and p.prosecdef
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')),
  'lock_stack, remote_disconnect, remote_exec, remote_query, stack_lock_holder',
  'SECURITY DEFINER only where the connection password is needed, and for the stack lock (owner-only xplane.stacks)');
select is(
  (select string_agg(p.proname, ', ' order by p.proname)
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'xplane' and p.prosecdef
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
      and not coalesce(p.proconfig @> array['search_path=xplane, pg_catalog, pg_temp'], false)),
  null, 'every SECURITY DEFINER function puts pg_temp last in its search_path (else it is searched first)');
select is(
  (select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'xplane' and has_function_privilege('public', p.oid, 'execute')),
  0, 'PUBLIC may execute no xplane function');
select ok(not has_table_privilege('public', 'xplane.provider_configs', 'select'), 'PUBLIC cannot read provider_configs');
select isnt((select count(*)::int from xplane.schema_version), 0, 'schema_version records the installed version');

insert into xplane.events (type, reason, message, created_at) values ('Normal', 'Old', 'from long ago', now() - interval '40 days'),
  ('Normal', 'New', 'recent', clock_timestamp());
select is(xplane.prune_events(), 1::bigint, 'prune_events removes events older than 30 days');
select is((select string_agg(reason, ',') from xplane.events), 'New', '… and keeps recent ones');
select is(xplane.remote_query('default', current_database(), $q$to_jsonb(current_setting('jit'))$q$), '"off"'::jsonb,
  'provider connections run with jit = off (catalog queries are not worth compiling)');
select is(xplane.remote_query('default', current_database(), $q$to_jsonb(current_setting('plan_cache_mode'))$q$), '"force_generic_plan"'::jsonb,
  'provider connections keep one generic plan per prepared catalog query');
-- A query with arguments is prepared on its first use (in the same round trip), then executed.
create function pg_temp.echo(p_n int) returns jsonb language sql as $$
  select xplane.remote_query('default', current_database(), $q$jsonb_build_object('n', $1::int, 'pid', pg_catalog.pg_backend_pid())$q$, array[p_n::text])
$$;
select is(pg_temp.echo(1) -> 'n', '1'::jsonb, 'remote_query with arguments: the first use prepares and runs it');
select is(pg_temp.echo(2) -> 'n', '2'::jsonb, '… the next ones run the prepared statement');
do $$
begin
  perform xplane.remote_query('default', current_database(), $q$to_jsonb($1::text)$q$, array['x']);
  raise exception 'roll back';
exception when raise_exception then
  null;
end
$$;
select is(xplane.remote_query('default', current_database(), $q$to_jsonb($1::text)$q$, array['y']), '"y"'::jsonb,
  'prepared in a transaction that rolled back: run as is');
create temp table pid_before as select pg_temp.echo(3) ->> 'pid' as pid;
do $$ begin perform xplane.remote_connection('default', current_database(), true); end $$;
select is((select (pg_temp.echo(4) ->> 'n') || ', ' || ((pg_temp.echo(5) ->> 'pid') <> pid)::text from pid_before), '4, true',
  'a reopened connection: prepared again');
create function pg_temp.dispatched(p_kind xplane.resource_kind) returns boolean language plpgsql as $$
begin
  perform xplane.normalize_spec(p_kind, '{}');
  return true;
exception when case_not_found then
  return false;
when invalid_parameter_value then
  return true;   -- the kind's own validation ran (a required attribute is missing)
end
$$;
select is((select string_agg(k::text, ', ') from unnest(enum_range(null::xplane.resource_kind)) k where not pg_temp.dispatched(k)),
  null, 'normalize_spec dispatches every kind');
select is((select string_agg(f, ', ') from unnest(enum_range(null::xplane.resource_kind)) k, unnest(array['create', 'update', 'delete']) a,
                lateral (select format('xplane.%s_%s(text,jsonb,text)', a, xplane.snake_kind(k)) as f) x
           where to_regprocedure(f) is null or pg_get_functiondef(to_regprocedure(f)) !~ 'xplane\.act\('),
  null, 'every kind has its create_, update_ and delete_ action, each the one guarded path (xplane.act)');
select * from finish();

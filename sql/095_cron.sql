-- Optional: let pg_cron run reconcile_all() so the database heals drift by itself
-- (xp init --reconcile-every 30s). pg_cron lives in one database of the server
-- (cron.database_name); the job is scheduled there, through dblink, to run in this one.

create or replace function xplane.cron_schedule_text(p_every text)
returns text language plpgsql immutable set search_path = xplane, pg_catalog as $$
declare
  m text[];
  n integer;
begin
  m := regexp_match(coalesce(p_every, ''), '^\s*([0-9]+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)\s*$');
  if m is null then
    if array_length(regexp_split_to_array(trim(coalesce(p_every, '')), '\s+'), 1) = 5 then
      return trim(p_every);   -- a cron expression, as is
    end if;
    raise exception 'reconcile interval %: expected 30s, 5m, 1h or a cron expression', quote_literal(coalesce(p_every, ''))
      using errcode = 'invalid_parameter_value';
  end if;
  n := m[1]::int;
  if n < 1 then
    raise exception 'reconcile interval % must be at least 1', quote_literal(p_every) using errcode = 'invalid_parameter_value';
  end if;
  case left(m[2], 1)
    when 's' then
      if n >= 60 and n % 60 = 0 then return xplane.cron_schedule_text((n / 60)::text || 'm'); end if;
      if n > 59 then
        raise exception 'reconcile interval %: seconds must be 1–59 (or whole minutes)', quote_literal(p_every) using errcode = 'invalid_parameter_value';
      end if;
      return n || ' seconds';
    when 'm' then
      if n >= 60 and n % 60 = 0 then return xplane.cron_schedule_text((n / 60)::text || 'h'); end if;
      if n > 59 then
        raise exception 'reconcile interval %: minutes must be 1–59 (or whole hours)', quote_literal(p_every) using errcode = 'invalid_parameter_value';
      end if;
      return case when n = 1 then '* * * * *' else format('*/%s * * * *', n) end;
    else
      if n > 23 then
        raise exception 'reconcile interval %: hours must be 1–23 (or a cron expression)', quote_literal(p_every) using errcode = 'invalid_parameter_value';
      end if;
      return case when n = 1 then '0 * * * *' else format('0 */%s * * *', n) end;
  end case;
end
$$;
comment on function xplane.cron_schedule_text(text) is
  'pg_cron schedule for an interval: 30s → ''30 seconds'', 5m → ''*/5 * * * *'', 1h → ''0 * * * *''; a five-field cron expression passes as is.';

create or replace function xplane.cron_job_name()
returns text language sql stable set search_path = xplane, pg_catalog as $$
  select 'xplane-reconcile-' || current_database()
$$;
comment on function xplane.cron_job_name() is
  'Name of this control database''s pg_cron job.';

create or replace function xplane.cron_database(p_provider_config text)
returns text language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_db      text := current_setting('cron.database_name', true);
  v_version text;
begin
  if v_db is null then
    raise exception 'pg_cron is not available on this server: it is not in shared_preload_libraries'
      using errcode = 'feature_not_supported',
            hint = 'Add pg_cron to shared_preload_libraries (and set cron.database_name), restart, then run this again; or run select xplane.reconcile_all() from an external scheduler.';
  end if;
  v_version := xplane.remote_query(p_provider_config, v_db,
    '(select to_jsonb(extversion) from pg_catalog.pg_extension where extname = ''pg_cron'')') #>> '{}';
  if v_version is null then
    begin
      perform xplane.remote_exec(p_provider_config, v_db, 'create extension if not exists pg_cron');
    exception when others then
      raise exception 'pg_cron is loaded but not installed in database %, and xp could not install it: %', quote_ident(v_db), sqlerrm
        using errcode = 'feature_not_supported',
              hint = format('An administrator runs, in database %s: create extension pg_cron;', quote_ident(v_db));
    end;
  end if;
  return v_db;
end
$$;
comment on function xplane.cron_database(text) is
  'The database pg_cron runs in (cron.database_name), with the extension installed there; raises with what to do where pg_cron is not available.';

create or replace function xplane.schedule_reconcile(p_every text default '30s', p_provider_config text default 'default')
returns bigint language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_schedule text := xplane.cron_schedule_text(p_every);
  v_db       text := xplane.cron_database(p_provider_config);
  v_version  text;
  v_job      bigint;
begin
  v_version := xplane.remote_query(p_provider_config, v_db,
    '(select to_jsonb(extversion) from pg_catalog.pg_extension where extname = ''pg_cron'')') #>> '{}';
  if v_schedule like '% seconds'
     and string_to_array(regexp_replace(v_version, '[^0-9.].*$', ''), '.')::int[] < array[1, 5] then
    raise warning 'pg_cron % on this server schedules at most once a minute: reconciling every minute instead of every %', v_version, p_every
      using hint = 'pg_cron 1.5 or later schedules in seconds.';
    v_schedule := '* * * * *';
  end if;
  begin
    v_job := (xplane.remote_query(p_provider_config, v_db, format(
      '(select to_jsonb(cron.schedule_in_database(%L, %L, %L, %L)))',
      xplane.cron_job_name(), v_schedule, 'select xplane.reconcile_all()', current_database())) #>> '{}')::bigint;
  exception when insufficient_privilege or invalid_schema_name then
    raise exception 'pg_cron refuses to schedule for this role: %', sqlerrm
      using errcode = 'insufficient_privilege',
            hint = format('An administrator runs, in database %s: grant usage on schema cron to %I; grant execute on function cron.schedule_in_database(text, text, text, text, text, boolean) to %I;',
                          quote_ident(v_db), current_user, current_user);
  end;
  return v_job;
end
$$;
comment on function xplane.schedule_reconcile(text, text) is
  'Schedules (or re-schedules) a pg_cron job that runs xplane.reconcile_all() in this database every p_every (30s, 5m, 1h or a cron expression). Raises, saying what to do, where pg_cron is not available. Returns the job id.';

create or replace function xplane.unschedule_reconcile(p_provider_config text default 'default')
returns boolean language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_db text := xplane.cron_database(p_provider_config);
begin
  return coalesce((xplane.remote_query(p_provider_config, v_db, format(
    '(select to_jsonb(bool_or(cron.unschedule(jobid))) from cron.job where jobname = %L)', xplane.cron_job_name())) #>> '{}')::boolean,
    false);
end
$$;
comment on function xplane.unschedule_reconcile(text) is
  'Removes this database''s pg_cron reconcile job; true when there was one.';

create or replace function xplane.reconcile_schedule(p_provider_config text default 'default')
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_db text := current_setting('cron.database_name', true);
begin
  if v_db is null then
    return null;
  end if;
  return xplane.remote_query(p_provider_config, v_db, format(
    '(select to_jsonb(j) from (select jobid, schedule, command, database, username, active from cron.job where jobname = %L) j)',
    xplane.cron_job_name()));
exception when others then
  return null;
end
$$;
comment on function xplane.reconcile_schedule(text) is
  'This database''s pg_cron reconcile job {jobid, schedule, command, database, username, active}, or null when none (or no pg_cron).';

-- Reaching the managed server: connection strings from provider_configs, and statements run
-- through dblink in a target database. Every DDL xp issues goes through these functions, so
-- that it commits at once and is visible to every later statement, in every database.

create or replace function xplane.upsert_provider_config(p_name text, p_connection jsonb)
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_bad text;
begin
  if p_name is null or p_name = '' then
    raise exception 'provider config name must not be empty' using errcode = 'invalid_parameter_value';
  end if;
  if p_connection is null or jsonb_typeof(p_connection) <> 'object' then
    raise exception 'provider config %: connection must be a JSON object', p_name using errcode = 'invalid_parameter_value';
  end if;
  select string_agg(k, ', ') into v_bad
    from jsonb_object_keys(p_connection) k
   where k not in ('host', 'port', 'user', 'password', 'dbname', 'sslmode');
  if v_bad is not null then
    raise exception 'provider config %: unknown connection keys: %', p_name, v_bad
      using errcode = 'invalid_parameter_value', hint = 'Allowed: host, port, user, password, dbname, sslmode.';
  end if;
  insert into xplane.provider_configs (name, connection) values (p_name, p_connection)
  on conflict (name) do update set connection = excluded.connection, updated_at = now()
   where provider_configs.connection is distinct from excluded.connection;
end
$$;
comment on function xplane.upsert_provider_config(text, jsonb) is
  'Creates or replaces a provider config: {"host","port","user","password","dbname","sslmode"}; dbname is the maintenance database used for cluster-wide statements.';

create or replace function xplane.conninfo_value(p_value text)
returns text language sql immutable strict parallel safe as $$
  select '''' || replace(replace(p_value, '\', '\\'), '''', '\''') || ''''
$$;
comment on function xplane.conninfo_value(text) is
  'Quotes a value for a libpq connection string (single quotes, backslash escapes).';

create or replace function xplane.remote_timeout(p_setting text, p_default text)
returns text language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_value text := coalesce(nullif(pg_catalog.current_setting('xplane.' || p_setting, true), ''), p_default);
begin
  -- The value goes into the connection's options ("-c lock_timeout=…"): a duration and
  -- nothing else, so that it cannot carry another option. 0 (no limit) is refused: no remote
  -- statement may wait unboundedly.
  if v_value !~ '^[0-9]{1,9}(us|ms|s|min|h|d)?$' or v_value ~ '^0+(us|ms|s|min|h|d)?$' then
    raise exception 'xplane.%: % is not a duration greater than zero', p_setting, quote_literal(v_value)
      using errcode = 'invalid_parameter_value',
            hint = format('Set it to a duration such as 30s or 5min (set xplane.%s = ''30s''; or xp --%s 30s).', p_setting, replace(p_setting, '_', '-'));
  end if;
  return v_value;
end
$$;
comment on function xplane.remote_timeout(text, text) is
  'The session setting xplane.<p_setting> (remote_lock_timeout, remote_statement_timeout), or p_default: a duration greater than zero, checked (it goes into a connection string).';

-- Not SECURITY DEFINER: only the owner (and the definer functions below, which run as the
-- owner) may call it, since the string carries the password.
create or replace function xplane.connection_string(p_provider_config text, p_database text default '')
returns text language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_conn jsonb;
begin
  select connection into v_conn from xplane.provider_configs where name = p_provider_config;
  if not found then
    raise exception 'provider config "%" does not exist', p_provider_config
      using errcode = 'undefined_object',
            hint = format('Run select xplane.upsert_provider_config(%L, ''{"host": "127.0.0.1", "port": 5432, "user": "…", "password": "…", "dbname": "postgres"}'') (xp init does it for you).', p_provider_config);
  end if;
  if coalesce(p_database, '') <> '' then
    v_conn := v_conn || jsonb_build_object('dbname', p_database);
  elsif not v_conn ? 'dbname' then
    v_conn := v_conn || jsonb_build_object('dbname', current_database());
  end if;
  -- jit=off: the provider's catalog queries are large, cheap expression trees that a server
  -- with LLVM would JIT-compile on every call (6 s instead of 90 ms for 100 service accounts,
  -- bench/RESULTS.md). plan_cache_mode: prepared catalog queries (remote_query with arguments)
  -- keep one generic plan. synchronous_commit: each DDL commits on its own; on the same server
  -- the caller's (synchronous) commit flushes the WAL they wrote, and on another server a DDL
  -- lost in a crash is drift that the next reconcile repairs. lock_timeout, statement_timeout:
  -- no remote statement waits unboundedly, above all not for a lock the calling session holds
  -- (no deadlock detector sees that: the caller waits on dblink, not on a lock). A provider
  -- config may still set its own "options". application_name carries the caller's pid, so
  -- that a client cancelling its own work (xp on Ctrl-C) finds these sessions too.
  return (select string_agg(format('%s=%s', key, xplane.conninfo_value(value)), ' ' order by key)
            from jsonb_each_text(jsonb_build_object('options', format(
                   '-c jit=off -c plan_cache_mode=force_generic_plan -c synchronous_commit=off -c lock_timeout=%s -c statement_timeout=%s',
                   xplane.remote_timeout('remote_lock_timeout', '1min'), xplane.remote_timeout('remote_statement_timeout', '30min')))
                 || v_conn || jsonb_build_object('application_name', 'xplane/' || pg_catalog.pg_backend_pid()))
           where value is not null);
end
$$;
comment on function xplane.connection_string(text, text) is
  'libpq connection string for a provider config, to p_database (or its maintenance dbname when ''''), with bounded lock_timeout and statement_timeout (xplane.remote_timeout) and application_name xplane/<caller pid>. Carries the password: owner only.';
revoke all on function xplane.connection_string(text, text) from public;

create or replace function xplane.dblink_schema()
returns name language sql stable set search_path = xplane, pg_catalog as $$
  select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'dblink'
$$;
comment on function xplane.dblink_schema() is
  'The schema dblink is installed in (xplane unless an administrator put it elsewhere).';

create or replace function xplane.remote_connection(p_provider_config text, p_database text, p_fresh boolean default false)
returns text language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_conninfo text := xplane.connection_string(p_provider_config, p_database);
  v_name     text := 'xplane_' || md5(v_conninfo);
  v_dblink   name := xplane.dblink_schema();
  v_open     boolean;
begin
  if v_dblink is null then
    raise exception 'dblink is not installed in database %', current_database()
      using errcode = 'undefined_object', hint = 'An administrator runs: create extension dblink with schema xplane;';
  end if;
  execute format('select $1 = any(coalesce(%I.dblink_get_connections(), ''{}''))', v_dblink) into v_open using v_name;
  if v_open and p_fresh then
    execute format('select %I.dblink_disconnect($1)', v_dblink) using v_name;
    v_open := false;
  end if;
  if not v_open then
    -- Parameters, not literals: the connection string (password) must never appear in an
    -- error context or a server log line.
    execute format('select %I.dblink_connect($1, $2)', v_dblink) using v_name, v_conninfo;
  end if;
  return v_name;
end
$$;
comment on function xplane.remote_connection(text, text, boolean) is
  'Name of this session''s dblink connection to p_database (opened on first use, reused afterwards; p_fresh reopens it).';
revoke all on function xplane.remote_connection(text, text, boolean) from public;

create or replace function xplane.remote_disconnect(p_provider_config text, p_database text)
returns void language plpgsql volatile security definer set search_path = xplane, pg_catalog, pg_temp as $$
declare
  v_name   text := 'xplane_' || md5(xplane.connection_string(p_provider_config, p_database));
  v_dblink name := xplane.dblink_schema();
  v_open   boolean;
begin
  execute format('select $1 = any(coalesce(%I.dblink_get_connections(), ''{}''))', v_dblink) into v_open using v_name;
  if v_open then
    execute format('select %I.dblink_disconnect($1)', v_dblink) using v_name;
  end if;
end
$$;
comment on function xplane.remote_disconnect(text, text) is
  'Closes this session''s dblink connection to p_database, if open (before DROP DATABASE).';

create or replace function xplane.remote_blockers(p_provider_config text, p_conn text, p_sql text)
returns text language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_dblink   name := xplane.dblink_schema();
  v_pid      integer;
  v_busy     integer := 1;
  v_blockers text;
begin
  -- After a lock timeout, who held the lock? The wait is over: send the statement again,
  -- asynchronously and inside a transaction that is never committed (so that it changes
  -- nothing, even if it goes through now), look at what it waits for (pg_blocking_pids) for
  -- about a second at most, then cancel it and close the connection. Only for a provider config that reaches this server (whose
  -- pg_locks this is); null when unknown. Best effort: never raises.
  if not coalesce((xplane.remote_identity(p_provider_config) ->> 'local')::boolean, false) then
    return null;
  end if;
  execute format('select p from %I.dblink($1, %L) as t(p integer)', v_dblink, 'select pg_catalog.pg_backend_pid()') into v_pid using p_conn;
  execute format('select %I.dblink_send_query($1, $2)', v_dblink) using p_conn, 'begin; ' || p_sql;
  for i in 1 .. 20 loop
    execute format('select %I.dblink_is_busy($1)', v_dblink) into v_busy using p_conn;
    exit when v_busy = 0;
    select string_agg(format('pid %s (role %s%s, %s)%s', a.pid, coalesce(a.usename::text, '?'),
                             coalesce(', application ' || nullif(a.application_name, ''), ''), coalesce(a.state, '?'),
                             case when a.pid = pg_catalog.pg_backend_pid() then ': this very session, which waits for the statement' else '' end),
                      '; ' order by a.pid)
      into v_blockers
      from pg_catalog.pg_stat_activity a where a.pid = any (pg_catalog.pg_blocking_pids(v_pid));
    exit when v_blockers is not null;
    perform pg_catalog.pg_sleep(0.05);
  end loop;
  if v_busy = 1 then
    execute format('select %I.dblink_cancel_query($1)', v_dblink) using p_conn;
  end if;
  -- Closed rather than drained: its backend rolls the probe back, and the next statement on
  -- this connection opens a fresh one (remote_connection).
  execute format('select %I.dblink_disconnect($1)', v_dblink) using p_conn;
  return v_blockers;
exception when others then
  return v_blockers;
end
$$;
comment on function xplane.remote_blockers(text, text, text) is
  'After a remote lock timeout: which sessions block p_sql (sent again on connection p_conn in a transaction never committed, then cancelled; the connection is closed): "pid N (role r, application a, state)", this server only; null when unknown. Never raises.';

create or replace function xplane.remote_run_direct(p_provider_config text, p_database text, p_statement text, p_sql text,
                                                    p_retry boolean default true)
returns text language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_conn   text := xplane.remote_connection(p_provider_config, p_database);
  v_stmt   text := format(p_statement, xplane.dblink_schema());
  v_result   text;
  v_msg      text;
  v_state    text;
  v_blockers text;
begin
  begin
    begin
      execute v_stmt into v_result using v_conn, p_sql;
    exception when sqlstate '08000' or sqlstate '08003' or sqlstate '08006' or sqlstate '57P01' then
      if not p_retry then
        raise;
      end if;
      -- A reused connection died (server restart, idle timeout): reopen once and retry.
      v_conn := xplane.remote_connection(p_provider_config, p_database, true);
      execute v_stmt into v_result using v_conn, p_sql;
    end;
  exception when lock_not_available or query_canceled then
    -- The remote side gave up (lock_timeout, statement_timeout, or a cancel): say which bounds
    -- applied, in which database, and who held the lock (remote_blockers). Not the statement
    -- itself: it may carry a password verifier.
    get stacked diagnostics v_msg = message_text, v_state = returned_sqlstate;
    if v_state = '57014' and v_msg !~ 'statement timeout' then
      raise;   -- a cancel (xp on Ctrl-C, pg_cancel_backend): it ends the whole call, as intended
    end if;
    if v_state = '55P03' then
      v_blockers := xplane.remote_blockers(p_provider_config, v_conn, p_sql);
    end if;
    raise exception 'remote statement in database % gave up: % (xplane.remote_lock_timeout = %, xplane.remote_statement_timeout = %)',
        coalesce(nullif(p_database, ''), '(maintenance database)'), v_msg || coalesce('; the lock is held by ' || nullif(v_blockers, ''), ''),
        xplane.remote_timeout('remote_lock_timeout', '1min'), xplane.remote_timeout('remote_statement_timeout', '30min')
      using errcode = case when v_state = '55P03' then 'lock_not_available' else 'object_not_in_prerequisite_state' end,
            hint = 'Wait for the session holding the lock to finish, or end it (pg_terminate_backend), then apply again (find it with pg_blocking_pids(pid) on the waiting session); raise the bounds with xp --remote-lock-timeout / --remote-statement-timeout (session settings xplane.remote_lock_timeout, xplane.remote_statement_timeout).';
  end;
  return v_result;
end
$$;
comment on function xplane.remote_run_direct(text, text, text, text, boolean) is
  'Runs p_statement (a dblink call: %I the dblink schema, $1 the connection name, $2 p_sql) on this session''s connection to p_database, reopening a dead connection once unless p_retry is false (remote_run does the rest).';
revoke all on function xplane.remote_run_direct(text, text, text, text, boolean) from public;

create or replace function xplane.quiet_logging_sql(p_parameter_privileges boolean default true)
returns text language sql stable parallel safe as $$
  -- Every setting that makes the server log a statement's text, off in the remote session;
  -- returns their values before ({"name": "value"}, null when none). Only those the connection
  -- role may SET: all of them for a superuser, those granted with GRANT SET ON PARAMETER
  -- otherwise (PostgreSQL 15+); the others are left alone. PostgreSQL 14 has no parameter
  -- privileges (nor has_parameter_privilege): with p_parameter_privileges false, a superuser
  -- sets them all and another role none.
  select format($q$with s(p, v) as (values ('log_statement', 'none'), ('log_min_error_statement', 'panic'),
                                    ('log_min_duration_statement', '-1'), ('log_min_duration_sample', '-1'),
                                    ('log_transaction_sample_rate', '0')),
                 allowed as materialized (
                   select s.p, s.v, pg_catalog.current_setting(s.p) as before from s
                    where %s)
            select pg_catalog.json_object_agg(a.p, a.before)::text from allowed a
             where pg_catalog.set_config(a.p, a.v, false) is not null$q$,
         case when p_parameter_privileges then $p$pg_catalog.has_parameter_privilege(s.p, 'SET')$p$
              else $p$(select r.rolsuper from pg_catalog.pg_roles r where r.rolname = current_user)$p$ end)
$$;
comment on function xplane.quiet_logging_sql(boolean) is
  'Remote statement turning off the settings that log statement text (those the connection role may SET), returning their previous values (see remote_run); p_parameter_privileges false: for PostgreSQL 14.';

create or replace function xplane.restore_logging_sql(p_before text)
returns text language sql stable parallel safe as $$
  select format('select pg_catalog.count(pg_catalog.set_config(key, value, false))::text from pg_catalog.json_each_text(%L::json)', p_before)
$$;
comment on function xplane.restore_logging_sql(text) is
  'Remote statement setting back what quiet_logging_sql returned (see remote_run).';

create or replace function xplane.remote_run(p_provider_config text, p_database text, p_statement text, p_sql text)
returns text language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_query constant text := 'select t.v from %I.dblink($1, $2) as t(v text)';
  v_result text;
  v_before text;
  v_failed boolean := false;
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  -- A statement carrying a SCRAM verifier (CREATE/ALTER ROLE … PASSWORD) runs with statement
  -- logging off in the remote session, where the connection role may turn it off: the server
  -- logs a statement's text when it arrives, so this is a round trip of its own, before.
  if strpos(p_sql, 'SCRAM-SHA-256$') = 0 then
    return xplane.remote_run_direct(p_provider_config, p_database, p_statement, p_sql);
  end if;
  begin
    v_before := xplane.remote_run_direct(p_provider_config, p_database, v_query, xplane.quiet_logging_sql());
  exception when undefined_function then
    -- PostgreSQL 14: no has_parameter_privilege (nor parameter privileges)
    v_before := xplane.remote_run_direct(p_provider_config, p_database, v_query, xplane.quiet_logging_sql(false));
  end;
  begin
    -- No retry on a reopened connection: it would not be quiet.
    v_result := xplane.remote_run_direct(p_provider_config, p_database, p_statement, p_sql, false);
  exception when others then
    v_failed := true;
    get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  end;
  if v_before is not null then
    begin
      perform xplane.remote_run_direct(p_provider_config, p_database, v_query, xplane.restore_logging_sql(v_before), false);
    exception when others then
      null;  -- the connection is gone: its settings went with it
    end;
  end if;
  if v_failed then
    raise exception using errcode = v_state, message = v_msg, detail = v_detail, hint = v_hint;
  end if;
  return v_result;
end
$$;
comment on function xplane.remote_run(text, text, text, text) is
  'Runs p_statement (a dblink call: %I the dblink schema, $1 the connection name, $2 p_sql) on this session''s connection to p_database, reopening a dead connection once; a statement carrying a SCRAM verifier runs with statement logging off where the connection role may turn it off. The one place remote_exec and remote_query reach the server.';
revoke all on function xplane.remote_run(text, text, text, text) from public;

create or replace function xplane.remote_exec(p_provider_config text, p_database text, p_sql text)
returns text language plpgsql volatile security definer set search_path = xplane, pg_catalog, pg_temp as $$
begin
  return xplane.remote_run(p_provider_config, p_database, 'select %I.dblink_exec($1, $2)', p_sql);
end
$$;
comment on function xplane.remote_exec(text, text, text) is
  'Runs p_sql in database p_database ('''' = the provider config''s maintenance database) through dblink; it commits at once. Runs as the provider''s owner (SECURITY DEFINER) so callers never see the connection''s password.';

create or replace function xplane.remote_query(p_provider_config text, p_database text, p_sql text, p_args text[] default null)
returns jsonb language plpgsql volatile security definer set search_path = xplane, pg_catalog, pg_temp as $$
declare
  v_query constant text := 'select t.v from %I.dblink($1, $2) as t(v text) limit 1';
  v_name  text;
  v_key   text;
  v_known text;
  v_exec  text;
  v_prep  text;
  v_result jsonb;
begin
  -- dblink hands over the value as text, read into jsonb once, here. The remote side casts it
  -- to json, not jsonb: a json or jsonb expression is then output as is, and the large catalog
  -- queries build json (text), several times cheaper than building jsonb there.
  if p_args is null then
    return xplane.remote_run(p_provider_config, p_database, v_query, 'select (' || p_sql || ')::json')::jsonb;
  end if;
  -- A query with parameters ($1 …) is prepared once per connection and then executed with its
  -- cached generic plan (plan_cache_mode, see connection_string): planning the catalog queries
  -- costs several times more than running them. Which statements this session prepared on
  -- which connection is remembered in the session setting xplane.prepared.
  v_name := 'xplane_' || left(md5(p_sql), 16);
  v_exec := format('execute %I(%s)', v_name,
                   (select string_agg(quote_nullable(a), ', ' order by i) from unnest(p_args) with ordinality u(a, i)));
  v_prep := format('prepare %I as select (%s)::json; ', v_name, p_sql);
  v_key := xplane.remote_connection(p_provider_config, p_database) || '.' || v_name || ';';
  v_known := coalesce(current_setting('xplane.prepared', true), '');
  if strpos(v_known, v_key) = 0 then
    -- First use on this connection: prepare and execute in one round trip (the last result of
    -- a multi-statement string is the one dblink returns).
    begin
      v_result := xplane.remote_run(p_provider_config, p_database, v_query, v_prep || v_exec)::jsonb;
    exception when duplicate_prepared_statement then
      -- prepared in a transaction that rolled back since (which took xplane.prepared with it)
      v_result := xplane.remote_run(p_provider_config, p_database, v_query, v_exec)::jsonb;
    end;
    perform set_config('xplane.prepared', v_known || v_key, false);
    return v_result;
  end if;
  begin
    return xplane.remote_run(p_provider_config, p_database, v_query, v_exec)::jsonb;
  exception when invalid_sql_statement_name then
    -- The connection was reopened since (remote_run): prepare again, once.
    return xplane.remote_run(p_provider_config, p_database, v_query, v_prep || v_exec)::jsonb;
  end;
end
$$;
comment on function xplane.remote_query(text, text, text, text[]) is
  'Evaluates the scalar json or jsonb expression p_sql (usually a scalar subquery) in database p_database through dblink and returns its value: one round trip. With p_args, p_sql refers to them as $1, $2 … (typed by casts) and is prepared once per connection, so that its plan is reused.';

create or replace function xplane.ddl_lock_prefix(p_lock_key text)
returns text language sql immutable strict parallel safe as $$
  select format('select pg_catalog.pg_advisory_xact_lock(7893101, %s); ', pg_catalog.hashtext(p_lock_key))
$$;
comment on function xplane.ddl_lock_prefix(text) is
  'Statement that takes the transaction advisory lock guarding one catalog object (see remote_exec_locked).';

create or replace function xplane.locked_sql(p_locks text[], p_sql text)
returns text language sql immutable parallel safe as $$
  -- The advisory locks of several catalog objects, in a fixed order (no deadlock between two
  -- sessions taking overlapping sets), then the statements: one remote transaction.
  select coalesce((select string_agg(xplane.ddl_lock_prefix(k), '' order by k) from (select distinct unnest(p_locks) k) x), '')
         || p_sql
$$;
comment on function xplane.locked_sql(text[], text) is
  'p_sql preceded by the advisory locks of p_locks (sorted, once each), for remote_exec: the locks are held while it runs.';

create or replace function xplane.remote_exec_locked(p_provider_config text, p_database text, p_lock_key text, p_sql text)
returns text language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  -- The lock and the DDL travel as one multi-statement string: one implicit transaction on
  -- the remote side, so the lock is held exactly while the DDL runs and released at its commit.
  return xplane.remote_exec(p_provider_config, p_database, xplane.locked_sql(array[p_lock_key], p_sql));
end
$$;
comment on function xplane.remote_exec_locked(text, text, text, text) is
  'remote_exec serialised by an advisory lock on p_lock_key (e.g. ''schema:shop.api'', ''role:app''), so that parallel GRANT/ALTER on one catalog row never fail with "tuple concurrently updated". Advisory locks are per database: run cluster-wide DDL (roles, databases) with p_database = '''' so all sessions share the lock. Not for CREATE/DROP DATABASE (cannot run in a transaction).';

create or replace function xplane.can_act_as_sql(p_role text)
returns text language sql immutable strict parallel safe as $$
  -- Making another role the owner of something (CREATE DATABASE … OWNER, ALTER … OWNER TO,
  -- CREATE SCHEMA … AUTHORIZATION) needs the right to SET ROLE to it, and acting on the object
  -- afterwards (COMMENT, CREATE SCHEMA in a database it owns, DROP) needs its privileges.
  -- A CREATEROLE user holds only ADMIN OPTION on the roles it created (PostgreSQL 16+, unless
  -- createrole_self_grant = 'set, inherit'), and no membership at all on 15: grant itself
  -- membership with SET and INHERIT first, as createrole_self_grant would. Nothing to do for
  -- a superuser or the role itself.
  select format($sql$do $ensure$
declare
  v_role text := %L;
begin
  if v_role = current_user or (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then
    return;
  end if;
  if current_setting('server_version_num')::int >= 160000 then
    if not (pg_catalog.pg_has_role(current_user, v_role, 'SET') and pg_catalog.pg_has_role(current_user, v_role, 'USAGE')) then
      execute format('grant %%I to %%I with set true, inherit true', v_role, current_user);
    end if;
  elsif not pg_catalog.pg_has_role(current_user, v_role, 'MEMBER') then
    execute format('grant %%I to %%I', v_role, current_user);
  end if;
end
$ensure$; $sql$, p_role)
$$;
comment on function xplane.can_act_as_sql(text) is
  'SQL (for remote_exec) that lets the provider''s role SET ROLE to p_role and use its privileges before it makes p_role the owner of an object: a self-grant of membership (SET, INHERIT) where CREATEROLE alone does not suffice (PostgreSQL 16+ rules). A missing role fails with 42704 (dependency_not_ready).';

create or replace function xplane.act_as_mode_sql()
returns text language sql immutable parallel safe as $$
  -- The one place that says what lets xp's role act as another one (SET ROLE to it, to
  -- revoke a third grantor's grants, or to alter its default privileges): the SET option of a
  -- membership from PostgreSQL 16 on, any membership before (a superuser has every role). An
  -- expression, spliced into the SQL xp runs on the managed server, where no xplane function
  -- exists. A catalog query filtering many rows by it reads it once, as "mode" of its CTE "me".
  select $e$case when pg_catalog.current_setting('server_version_num')::int >= 160000 then 'SET' else 'MEMBER' end$e$::text
$$;
comment on function xplane.act_as_mode_sql() is
  'The SQL expression (text) of the pg_has_role mode that lets xp''s role act as another role on the server it runs on: ''SET'' from PostgreSQL 16 on, ''MEMBER'' before; spliced into the SQL run there (grants_catalog_ctes_sql, grants_objects_catalog_sql, grantor_check_sql).';

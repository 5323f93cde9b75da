-- Kind Database. Cluster-wide: observed from pg_database through the provider config's
-- maintenance database; every statement through dblink (CREATE/DROP DATABASE cannot run
-- inside a transaction).

create or replace function xplane.normalize_database(p_spec jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_encoding text;
  v_enc_norm text;
  v_collate  text;
  v_ctype    text;
begin
  perform xplane.spec_check_keys('Database', p_spec, array['owner', 'encoding', 'lc_collate', 'lc_ctype', 'template',
    'connection_limit', 'allow_connections', 'is_template', 'tablespace', 'settings', 'comment', 'allow_data_loss', 'public_privileges']);
  select d.datcollate, d.datctype into v_collate, v_ctype from pg_database d where d.datname = 'template1';
  if p_spec ->> 'tablespace' = 'pg_global' then            -- CREATE/ALTER DATABASE would refuse it at apply
    perform xplane.invalid_spec('Database', 'tablespace', 'pg_global holds the shared catalogs: no database can be in it (pg_default, or a tablespace made with CREATE TABLESPACE)');
  end if;
  v_encoding := xplane.spec_text('Database', p_spec, 'encoding', 'UTF8');
  v_enc_norm := pg_encoding_to_char(pg_char_to_encoding(v_encoding));
  -- The same rule as the encoding domain of src/kinds/domains.ts: a server encoding's name (or
  -- UNICODE), case and anything but letters and digits aside; not a client-only one (SJIS…),
  -- which CREATE DATABASE would refuse, nor an older alias the TypeScript side does not know.
  if v_enc_norm = '' or pg_char_to_encoding(v_enc_norm) > pg_char_to_encoding('KOI8U')
     or lower(regexp_replace(v_encoding, '[^A-Za-z0-9]', '', 'g'))
        not in (lower(regexp_replace(v_enc_norm, '[^A-Za-z0-9]', '', 'g')), 'unicode') then
    perform xplane.invalid_spec('Database', 'encoding', format('unknown encoding %L (a server encoding of PostgreSQL: UTF8, LATIN1, …)', v_encoding));
  end if;
  return jsonb_build_object(
    'owner',             xplane.spec_identifier('Database', p_spec, 'owner', current_user::text),
    'encoding',          v_enc_norm,
    'lc_collate',        xplane.spec_text('Database', p_spec, 'lc_collate', v_collate),
    'lc_ctype',          xplane.spec_text('Database', p_spec, 'lc_ctype', v_ctype),
    'template',          xplane.spec_identifier('Database', p_spec, 'template', 'template1'),
    'connection_limit',  xplane.spec_int('Database', p_spec, 'connection_limit', -1, -1),
    'allow_connections', xplane.spec_bool('Database', p_spec, 'allow_connections', true),
    'is_template',       xplane.spec_bool('Database', p_spec, 'is_template', false),
    -- null: the template's at creation, then not compared (spec_diff): a spec recorded by
    -- 0.6.0 has none, and the reconcile loop never moves a database it did not ask to move.
    'tablespace',        xplane.spec_identifier('Database', p_spec, 'tablespace', null, true),
    -- authoritative, as for roles (the same canonical names and values): {} resets any other
    'settings',          xplane.normalize_role_settings('Database', p_spec -> 'settings'),
    'allow_data_loss',   xplane.spec_bool('Database', p_spec, 'allow_data_loss', false)) || xplane.spec_comment('Database', p_spec)
    || xplane.spec_public_privileges('Database', p_spec, 'database');
end
$$;
comment on function xplane.normalize_database(jsonb) is
  'Normalised Database spec: owner (current user), encoding (UTF8, canonical spelling), lc_collate/lc_ctype (template1''s), template (template1), connection_limit (-1), allow_connections (true), is_template (false), tablespace (null: the template''s, not compared), settings ({}: authoritative, canonical as for roles: normalize_role_settings), comment (absent: not managed), public_privileges (absent: not managed), allow_data_loss (false).';

create or replace function xplane.observe_many_database(p_items jsonb, p_provider_config text)
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_names text[];
  v_found jsonb;
begin
  select coalesce(array_agg(i ->> 'name'), '{}') into v_names from jsonb_array_elements(p_items) i;
  -- One round trip for all databases (the provider config may name another server).
  v_found := xplane.remote_query(p_provider_config, '', format($q$(
    select coalesce(jsonb_object_agg(d.datname, jsonb_build_object(
             'owner', pg_catalog.pg_get_userbyid(d.datdba),
             'encoding', pg_catalog.pg_encoding_to_char(d.encoding),
             'lc_collate', d.datcollate,
             'lc_ctype', d.datctype,
             'connection_limit', d.datconnlimit,
             'allow_connections', d.datallowconn,
             'is_template', d.datistemplate,
             'tablespace', t.spcname,
             'settings', coalesce((select pg_catalog.jsonb_object_agg(pg_catalog.split_part(c, '=', 1), pg_catalog.substr(c, pg_catalog.strpos(c, '=') + 1))
                                     from pg_catalog.pg_db_role_setting s, pg_catalog.unnest(s.setconfig) c
                                    where s.setdatabase = d.oid and s.setrole = 0), '{}'::jsonb),
             'comment', pg_catalog.shobj_description(d.oid, 'pg_database'),
             'public_privileges', %s)), '{}'::jsonb)
      from pg_catalog.pg_database d join pg_catalog.pg_tablespace t on t.oid = d.dattablespace
     where d.datname = any ($1::text[]))$q$,
    xplane.public_privileges_observed_sql('d', 'd.oid')), array[v_names::text]);
  return (select coalesce(jsonb_agg(coalesce(v_found -> (i ->> 'name'), 'null'::jsonb) order by ord), '[]'::jsonb)
            from jsonb_array_elements(p_items) with ordinality t(i, ord));
end
$$;
comment on function xplane.observe_many_database(jsonb, text) is
  'Observes databases [{name, spec}] from pg_database (with pg_tablespace, and pg_db_role_setting for the settings of the database for every role) in one query; returns observed-or-null in input order.';

create or replace function xplane.act_create_database(p_name text, p_spec jsonb, p_provider_config text)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_spec     jsonb;
  v_obs      jsonb;
  v_template text;
  v_tpl      record;
begin
  v_spec := xplane.normalize_database(p_spec);
  v_obs := xplane.observe_one('Database', p_name, v_spec, p_provider_config);
  if v_obs is not null then
    return xplane.result('already_exists', format('database %s already exists', quote_ident(p_name)), v_obs);
  end if;
  v_template := v_spec ->> 'template';
  -- Only template0 may be copied with another encoding or locale: switch to it when the
  -- spec did not name a template and asks for what template1 does not have.
  if not (p_spec ? 'template') then
    select pg_encoding_to_char(d.encoding) as enc, d.datcollate, d.datctype into v_tpl
      from pg_database d where d.datname = 'template1';
    if (v_tpl.enc, v_tpl.datcollate, v_tpl.datctype) is distinct from
       (v_spec ->> 'encoding', v_spec ->> 'lc_collate', v_spec ->> 'lc_ctype') then
      v_template := 'template0';
    end if;
  end if;
  perform xplane.remote_exec_locked(p_provider_config, '', 'role:' || (v_spec ->> 'owner'), xplane.can_act_as_sql(v_spec ->> 'owner'));
  perform xplane.remote_exec(p_provider_config, '', format(
    'create database %I owner %I template %I encoding %L lc_collate %L lc_ctype %L connection limit %s allow_connections %s is_template %s',
    p_name, v_spec ->> 'owner', v_template, v_spec ->> 'encoding', v_spec ->> 'lc_collate', v_spec ->> 'lc_ctype',
    (v_spec ->> 'connection_limit')::int, v_spec ->> 'allow_connections', v_spec ->> 'is_template')
    || case when v_spec ->> 'tablespace' is null then '' else format(' tablespace %I', v_spec ->> 'tablespace') end);
  if v_spec ->> 'comment' is not null or coalesce(v_spec -> 'settings', '{}') <> '{}' or v_spec ? 'public_privileges' then
    perform xplane.remote_exec_locked(p_provider_config, '', 'database:' || p_name,
      concat(case when v_spec ->> 'comment' is not null then format('comment on database %I is %L; ', p_name, v_spec ->> 'comment') end,
             xplane.database_settings_sql(p_name, v_spec),
             xplane.alter_sql('Database', p_name, 'public_privileges', v_spec)));
  end if;
  return xplane.result('success', format('database %s created', quote_ident(p_name)),
                       xplane.observe_one('Database', p_name, v_spec, p_provider_config));
end
$$;
comment on function xplane.act_create_database(text, jsonb, text) is
  'The create action of Database (xplane.create_database is its guarded form, through xplane.act): creates a database as specified (is_template, tablespace when given), then its comment and settings (already_exists when it exists; template0 is used when the encoding/locale differ from template1 and no template was named).';

create or replace function xplane.act_delete_database(p_name text, p_spec jsonb, p_provider_config text)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_spec   jsonb;
  v_obs    jsonb;
  v_loss   jsonb;
  v_pid    int;
  v_closed boolean := false;
  v_refusal text;
begin
  v_spec := xplane.normalize_database(coalesce(p_spec, '{}'::jsonb));
  v_obs := xplane.observe_one('Database', p_name, v_spec, p_provider_config);
  if v_obs is null then
    return xplane.result('not_found', format('database %s does not exist', quote_ident(p_name)), null);
  end if;
  -- Also called directly (psql): never the control database (protection_refusal).
  v_refusal := xplane.protection_refusal('delete', 'Database', p_name, '', null, p_provider_config);
  if v_refusal is not null then
    return xplane.result('error', v_refusal, v_obs);
  end if;
  if not (v_spec ->> 'allow_data_loss')::boolean then
    if not (v_obs ->> 'allow_connections')::boolean then
      return xplane.result('error', format('refusing to drop database %s: it does not allow connections, so xp cannot check it for user data. Set allow_data_loss = true to drop it anyway.', quote_ident(p_name)), v_obs);
    end if;
    v_loss := xplane.data_loss_many(jsonb_build_array(jsonb_build_object('kind', 'Database', 'name', p_name)), p_provider_config) -> 0;
    if v_loss is null or v_loss = 'null'::jsonb then
      return xplane.result('error', format('refusing to drop database %s: xp cannot connect to it to check it for user objects. Set allow_data_loss = true to drop it anyway.', quote_ident(p_name)), v_obs);
    end if;
    if (v_loss ->> 'count')::int > 0 then
      return xplane.result('error', xplane.data_loss_refusal(format('database %s', quote_ident(p_name)), v_loss), v_obs);
    end if;
    -- DROP DATABASE cannot run in a transaction, so that count may go stale before it. Close
    -- the database to new connections, end the other sessions in it (as WITH (FORCE) would),
    -- and count again on this session's connection: nothing else can change it now. A refusal,
    -- or any failure, opens the database again.
    v_pid := (xplane.remote_query(p_provider_config, p_name, 'pg_catalog.to_json(pg_catalog.pg_backend_pid())') #>> '{}')::int;
    perform xplane.remote_exec(p_provider_config, '', format('alter database %I with allow_connections false', p_name));
    v_closed := true;
    perform xplane.remote_exec(p_provider_config, '', format(
      'do $end$ begin perform pg_catalog.pg_terminate_backend(pid, 10000) from pg_catalog.pg_stat_activity '
      'where datname = %L and pid <> %s and backend_type = ''client backend''; end $end$', p_name, v_pid));
    v_loss := xplane.data_loss_many(jsonb_build_array(jsonb_build_object('kind', 'Database', 'name', p_name)), p_provider_config) -> 0;
    if v_loss is null or v_loss = 'null'::jsonb or (v_loss ->> 'count')::int > 0 then
      perform xplane.remote_exec(p_provider_config, '', format('alter database %I with allow_connections true', p_name));
      return xplane.result('error', coalesce(xplane.data_loss_refusal(format('database %s', quote_ident(p_name)), nullif(v_loss, 'null'::jsonb)),
                                             format('refusing to drop database %s: it could not be checked again before the drop. Set allow_data_loss = true to drop it anyway.', quote_ident(p_name))),
                           v_obs);
    end if;
  end if;
  perform xplane.remote_disconnect(p_provider_config, p_name);
  -- PostgreSQL refuses to drop a template database: first make it an ordinary one.
  if (v_obs ->> 'is_template')::boolean then
    perform xplane.remote_exec(p_provider_config, '', format('alter database %I with is_template false', p_name));
  end if;
  perform xplane.remote_exec(p_provider_config, '', format('drop database if exists %I with (force)', p_name));
  return xplane.result('success', format('database %s dropped', quote_ident(p_name)), null);
exception when others then
  if v_closed then
    begin
      perform xplane.remote_exec(p_provider_config, '', format('alter database %I with allow_connections true', p_name));
    exception when others then
      null;  -- the error being raised is what to report; the next run sees allow_connections = false
    end;
  end if;
  raise;
end
$$;
comment on function xplane.act_delete_database(text, jsonb, text) is
  'The delete action of Database (xplane.delete_database is its guarded form, through xplane.act): drops a database (WITH (FORCE)); refuses when it holds any user object (xplane.data_loss_sql: tables, views, sequences, functions, types, large objects, extensions xp does not manage, …) unless spec.allow_data_loss, counting again while the database is closed to other sessions just before the drop; never drops the control database. not_found when absent. Re-opens the database to connections when it fails after closing it, then raises the error.';

create or replace function xplane.connectable_databases(p_provider_config text, p_names text[])
returns text[] language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  if coalesce(cardinality(p_names), 0) = 0 then
    return '{}';
  end if;
  return (select coalesce(array_agg(v #>> '{}'), '{}')
            from jsonb_array_elements(xplane.remote_query(p_provider_config, '',
              '(select coalesce(jsonb_agg(datname), ''[]''::jsonb) from pg_catalog.pg_database where datallowconn and datname = any ($1::text[]))',
              array[p_names::text])) v);
end
$$;
comment on function xplane.connectable_databases(text, text[]) is
  'Which of p_names exist and accept connections (one round trip): per-database kinds observe only these and report the others absent.';

create or replace function xplane.database_settings_sql(p_name text, p_spec jsonb)
returns text language plpgsql immutable parallel safe set search_path = xplane, pg_catalog as $$
begin
  -- ALTER DATABASE … RESET ALL, then SET each setting of the spec (as roles do: setting_set_sql,
  -- in 052): in one transaction the database ends up with exactly these. '' when the spec does
  -- not manage settings. PL/pgSQL: setting_set_sql is created after this file.
  return case when jsonb_typeof(p_spec -> 'settings') = 'object' then
    format('alter database %I reset all; ', p_name)
    || coalesce((select string_agg(xplane.setting_set_sql(format('database %I', p_name), key, value) || '; ', '' order by key)
                   from jsonb_each_text(p_spec -> 'settings')), '')
  else '' end;
end
$$;
comment on function xplane.database_settings_sql(text, jsonb) is
  'The statements that give a database exactly the settings of its normalised spec (ALTER DATABASE … RESET ALL, then SET each, for every role: pg_db_role_setting with setrole 0); '''' when the spec does not manage them.';

create or replace function xplane.database_set_tablespace(p_provider_config text, p_name text, p_tablespace text)
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  -- ALTER DATABASE … SET TABLESPACE copies every file of the database; it cannot run in a
  -- transaction block, nor while anyone (xp's own dblink connection to it included) is
  -- connected to the database: PostgreSQL's error (55006, "being accessed by other users") is
  -- the action's result then, and the next run tries again.
  perform xplane.remote_disconnect(p_provider_config, p_name);
  perform xplane.remote_exec(p_provider_config, '', format('alter database %I set tablespace %I', p_name, p_tablespace));
end
$$;
comment on function xplane.database_set_tablespace(text, text, text) is
  'Moves a database to another tablespace (ALTER DATABASE … SET TABLESPACE, alone: outside a transaction, after closing xp''s connection to it). Fails while other sessions are connected to the database.';

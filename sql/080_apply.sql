-- The entry points people and the CLI call: apply (upsert + reconcile), delete, stack modes.

create or replace function xplane.declare_stack(p_stack text)
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  -- Look first: inserting a stack that another open transaction is inserting waits for it,
  -- which would serialise the first batches of an apply (xp declares the stack beforehand).
  if not exists (select 1 from xplane.stacks where name = p_stack) then
    insert into xplane.stacks (name) values (p_stack) on conflict (name) do nothing;
  end if;
end
$$;
comment on function xplane.declare_stack(text) is
  'Records a stack (mode enforce) if it is new.';

create or replace function xplane.stack_lock_holder(p_stack text)
returns table (backend_pid integer, role text, client_addr inet, backend_start timestamptz, since timestamptz)
language sql stable security definer set search_path = xplane, pg_catalog, pg_temp as $$
  -- The row lock's holder as the server knows it: the transaction in the row's xmax, the backend
  -- holding that transaction's lock, and that backend's login role, address and start. Nothing a
  -- client wrote (application_name, a value in a table) goes into it. Columns the caller may not
  -- see in pg_stat_activity (another role's session, without pg_read_all_stats) are null.
  select a.pid, a.usename::text, a.client_addr, a.backend_start, a.xact_start
    from xplane.stacks s
    join pg_catalog.pg_locks l on l.locktype = 'transactionid' and l.transactionid = s.xmax and l.mode = 'ExclusiveLock' and l.granted
    join pg_catalog.pg_stat_activity a on a.pid = l.pid
   where s.name = p_stack
   limit 1
$$;
comment on function xplane.stack_lock_holder(text) is
  'Who holds the lock of a stack (xplane.lock_stack), as recorded by the server: backend pid, login role, client address, backend start and since when (the start of its transaction). No row when nobody holds it. SECURITY DEFINER: reads xplane.stacks, which only the owner may.';

create or replace function xplane.lock_stack(p_stack text, p_timeout_ms integer default 0)
returns void language plpgsql volatile security definer set search_path = xplane, pg_catalog, pg_temp as $$
declare
  v_start timestamptz := clock_timestamp();
  v_left  numeric;
  v_h     record;
  v_msg   text;
begin
  -- One apply per stack: a row lock on the stack's row of xplane.stacks, which only the
  -- provider's owner may lock (PUBLIC has no privilege on it; callers come through this
  -- function). It lasts until the calling transaction ends, and a backend that ends (client
  -- killed, connection lost) ends its transaction: a crashed holder never keeps it.
  if not exists (select 1 from xplane.stacks where name = p_stack) then
    raise exception 'stack "%" is not declared', p_stack
      using errcode = 'undefined_object',
            hint = format('Call select xplane.declare_stack(%L) in a transaction of its own first.', p_stack);
  end if;
  -- The lock is held by an idle transaction while xp works on other connections: the server's
  -- idle timeouts must not end it under a running apply.
  perform set_config('idle_in_transaction_session_timeout', '0', true);
  if current_setting('server_version_num')::integer >= 170000 then
    perform set_config('transaction_timeout', '0', true);
  end if;
  -- Taken in this function's own transaction, never in a subtransaction (an exception block):
  -- the holder is found through the transaction id in the row's xmax, and pg_locks lists the
  -- lock of a top-level transaction id only. So: take it if free (skip locked); if not, wait
  -- for it in a subtransaction that gives it back at once, and take it again here.
  loop
    perform 1 from xplane.stacks where name = p_stack for no key update skip locked;
    if found then
      return;
    end if;
    v_left := coalesce(p_timeout_ms, 0) - extract(epoch from clock_timestamp() - v_start) * 1000;
    exit when v_left < 1;
    begin
      perform set_config('lock_timeout', ceil(v_left)::bigint::text, true);
      perform 1 from xplane.stacks where name = p_stack for no key update;
      raise exception using errcode = 'raise_exception';  -- free now: roll back and take it above
    exception
      when raise_exception then null;
      when lock_not_available then exit;
    end;
  end loop;
  select * into v_h from xplane.stack_lock_holder(p_stack);
  if v_h.backend_pid is null then
    raise exception 'stack "%" is locked by another session', p_stack
      using errcode = 'lock_not_available',
            hint = 'Another apply is running on this stack; try again when it has finished.';
  end if;
  v_msg := format('stack "%s" is locked by role "%s" (backend pid %s%s%s)%s', p_stack, v_h.role, v_h.backend_pid,
    case when v_h.client_addr is not null then ', from ' || host(v_h.client_addr)
         when v_h.backend_start is not null then ', local socket' else '' end,
    coalesce(', connected ' || to_char(v_h.backend_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
    coalesce(' since ' || to_char(v_h.since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''));
  raise exception using message = v_msg, errcode = 'lock_not_available',
    detail = 'The holder as the server records it (pg_locks, pg_stat_activity), not as its client names itself.',
    hint = format('Another apply is running on this stack; try again when it has finished, or end it: select pg_terminate_backend(%s)', v_h.backend_pid);
end
$$;
comment on function xplane.lock_stack(text, integer) is
  'Takes the lock of a declared stack (one apply per stack) for the rest of the calling transaction: a row lock on xplane.stacks, waiting up to p_timeout_ms (0: not at all). Held by someone else: SQLSTATE 55P03 naming the holder as the server records it (xplane.stack_lock_holder). Call it in a transaction that does nothing else (xp uses a connection of its own). SECURITY DEFINER: only the owner may lock xplane.stacks.';

create or replace function xplane.raise_not_owner(p_kind xplane.resource_kind, p_name text, p_owner text, p_stack text)
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  raise exception '% % is owned by stack %, not %', p_kind, quote_ident(p_name), quote_ident(coalesce(p_owner, '?')), quote_ident(p_stack)
    using errcode = 'unique_violation',
          hint = 'A resource belongs to one stack: remove it from the other stack first (deletion_policy orphan keeps the object).';
end
$$;
comment on function xplane.raise_not_owner(xplane.resource_kind, text, text, text) is
  'Raises the error of a write refused because another stack owns the resource (SQLSTATE 23505, naming the owner): the one message of upsert_resource and delete.';

create or replace function xplane.upsert_resource(p_kind xplane.resource_kind, p_name text, p_spec jsonb,
                                                  p_provider_config text, p_stack text, p_deletion_policy xplane.deletion_policy,
                                                  p_prevent_destroy boolean default null, p_ignore_changes text[] default null)
returns uuid language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_spec     jsonb := p_spec;
  v_database text;
  v_id       uuid;
  v_owner    text;
  v_secret   boolean := false;
begin
  if p_name is null or p_name = '' then
    raise exception 'xplane.apply: the name of a % must not be empty', p_kind using errcode = 'invalid_parameter_value';
  end if;
  if v_spec is null or jsonb_typeof(v_spec) <> 'object' then
    raise exception 'xplane.apply: the spec of % % must be a JSON object', p_kind, quote_ident(p_name)
      using errcode = 'invalid_parameter_value';
  end if;
  -- A password never reaches the stored spec: its verifier goes to xplane.credentials.
  if v_spec ? 'password' then
    if p_kind = 'ServiceAccount' and v_spec -> 'password' <> 'null'::jsonb then
      v_secret := xplane.credential_put(p_provider_config, p_name, xplane.check_password(p_kind, v_spec));
    end if;
    v_spec := v_spec - 'password';
  end if;
  v_database := xplane.resource_database(p_kind, v_spec);
  perform xplane.declare_stack(p_stack);
  -- The ownership check and the write are one statement: the update happens only when the
  -- record is this stack's. A record another transaction is inserting is waited for, then
  -- judged as committed; a look before the write would let two stacks both "win" (the record
  -- saying one, its spec the other).
  insert into xplane.managed_resources as r
         (stack, kind, name, database, spec, deletion_policy, prevent_destroy, ignore_changes, provider_config, next_reconcile_at)
  values (p_stack, p_kind, p_name, v_database, v_spec, p_deletion_policy, coalesce(p_prevent_destroy, false),
          coalesce(p_ignore_changes, '{}'), p_provider_config, now())
  on conflict (provider_config, kind, database, name) do update
     set spec = excluded.spec,
         deletion_policy = excluded.deletion_policy,
         -- null: a caller that does not speak of them (xplane.apply) keeps what is recorded.
         prevent_destroy = coalesce(p_prevent_destroy, r.prevent_destroy),
         ignore_changes = coalesce(p_ignore_changes, r.ignore_changes),
         generation = r.generation
                      + case when r.spec is distinct from excluded.spec or v_secret or r.deleted_at is not null then 1 else 0 end,
         finalizers = case when excluded.deletion_policy = 'orphan' then array_remove(r.finalizers, 'xplane.io/drop-object')
                           else r.finalizers end,
         deleted_at = null,
         next_reconcile_at = now(),
         updated_at = now()
   where r.stack = p_stack
  returning id into v_id;
  if v_id is null then
    -- Another stack's: ON CONFLICT locked the record even though it did not update it, so its
    -- owner cannot change before this transaction ends. (What this call did before, such as a
    -- credential, is undone with the error.)
    select stack into v_owner from xplane.managed_resources
     where provider_config = p_provider_config and kind = p_kind and database = v_database and name = p_name;
    perform xplane.raise_not_owner(p_kind, p_name, v_owner, p_stack);
  end if;
  return v_id;
end
$$;
comment on function xplane.upsert_resource(xplane.resource_kind, text, jsonb, text, text, xplane.deletion_policy, boolean, text[]) is
  'The declaring half of apply and apply_many: validates the name, moves a password (SCRAM verifier) to xplane.credentials, and upserts the record with its lifecycle (deletion_policy; prevent_destroy and ignore_changes unless null: kept) (generation + 1 when the spec changes) unless another stack owns it, in one statement (a conditional upsert: no race between the check and the write). The row stays locked until the transaction ends.';

create or replace function xplane.apply(p_kind xplane.resource_kind, p_name text, p_spec jsonb,
                                        p_provider_config text default 'default', p_stack text default 'default',
                                        p_deletion_policy xplane.deletion_policy default 'delete')
-- jit = off: catalog queries are never worth JIT compilation (see xplane.connection_string)
returns uuid language plpgsql volatile set search_path = xplane, pg_catalog set jit = off as $$
declare
  v_id uuid := xplane.upsert_resource(p_kind, p_name, p_spec, p_provider_config, p_stack, p_deletion_policy);
begin
  perform xplane.reconcile(v_id);
  return v_id;
end
$$;
comment on function xplane.apply(xplane.resource_kind, text, jsonb, text, text, xplane.deletion_policy) is
  'Declares the desired state of one object (upsert; generation + 1 when the spec changes) and reconciles it at once. The outcome is in managed_resources.status and the views; a ServiceAccount''s password (a SCRAM verifier) is moved to xplane.credentials, never stored in the spec.';

create or replace function xplane.apply_many(p_items jsonb, p_stack text default 'default')
-- jit = off: catalog queries are never worth JIT compilation (see xplane.connection_string)
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog set jit = off as $$
declare
  v_n       integer := coalesce(jsonb_array_length(p_items), 0);
  v_ids     uuid[] := '{}';
  v_pcs     text[] := '{}';
  v_out     jsonb[] := '{}';
  v_item    jsonb;
  v_pc      text;
  v_ords    integer[];
  v_results xplane.action_result[];
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' then
    raise exception 'apply_many: items must be a JSON array of {"kind", "name", "spec", "provider_config", "deletion_policy", "prevent_destroy", "ignore_changes", "address", "renamed_from"}'
      using errcode = 'invalid_parameter_value';
  end if;
  -- Declare every item (one that cannot be declared gets its error, the others go on) …
  for i in 1 .. v_n loop
    v_item := p_items -> (i - 1);
    v_pcs[i] := coalesce(v_item ->> 'provider_config', 'default');
    begin
      -- A rename the plan decided (renamed_from: the recorded name) is carried out first, so
      -- that the record the declaration upserts is the renamed one (xplane.rename_resource).
      if v_item ->> 'renamed_from' is not null then
        perform xplane.rename_resource((v_item ->> 'kind')::xplane.resource_kind, v_item ->> 'renamed_from', v_item ->> 'name',
                                       xplane.resource_database((v_item ->> 'kind')::xplane.resource_kind, coalesce(v_item -> 'spec', '{}'::jsonb)),
                                       v_pcs[i], p_stack);
      end if;
      v_ids[i] := xplane.upsert_resource((v_item ->> 'kind')::xplane.resource_kind, v_item ->> 'name', v_item -> 'spec', v_pcs[i],
                                         p_stack, coalesce(v_item ->> 'deletion_policy', 'delete')::xplane.deletion_policy,
                                         (v_item ->> 'prevent_destroy')::boolean,
                                         case when jsonb_typeof(v_item -> 'ignore_changes') = 'array'
                                              then array(select jsonb_array_elements_text(v_item -> 'ignore_changes')) end);
      if v_item ->> 'address' is not null then
        update xplane.managed_resources set address = v_item ->> 'address' where id = v_ids[i] and address is distinct from v_item ->> 'address';
      end if;
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
      v_ids[i] := null;
      v_out[i] := (select jsonb_build_object('status_code', f.status_code, 'message', f.message)
                     from xplane.failure(v_state, v_msg, v_detail, v_hint) f);
    end;
  end loop;
  -- … then reconcile them with one batched observe per provider config (reconcile_many).
  for v_pc in select distinct pc from unnest(v_pcs) pc loop
    select array_agg(o order by o) into v_ords from generate_series(1, v_n) o where v_pcs[o] = v_pc and v_ids[o] is not null;
    continue when v_ords is null;
    v_results := xplane.reconcile_many(array(select v_ids[o] from unnest(v_ords) with ordinality u(o, k) order by k), v_pc);
    for j in 1 .. cardinality(v_ords) loop
      -- exists: the object is there (observed), even when part of the action waits (dependency_not_ready)
      v_out[v_ords[j]] := jsonb_build_object('id', v_ids[v_ords[j]], 'status_code', (v_results[j]).status_code,
                                             'message', (v_results[j]).message, 'exists', (v_results[j]).observed is not null);
    end loop;
  end loop;
  return coalesce(to_jsonb(v_out), '[]'::jsonb);
end
$$;
comment on function xplane.apply_many(jsonb, text) is
  'apply for a batch of independent objects (none depends on another): items [{"kind","name","spec","provider_config","deletion_policy","prevent_destroy","ignore_changes","address","renamed_from"}] (the lifecycle keys, address and renamed_from optional) are declared (renamed_from: renamed in place first, xplane.rename_resource; address: recorded), observed in one batched read per provider config, and reconciled in order, in one transaction. Returns [{"id","status_code","message","exists"}] in input order (exists: the object is observed after the action); an item that cannot be declared (invalid name, another stack''s resource) gets its error and the others go on.';

create or replace function xplane.analyze_catalogs(p_provider_config text, p_databases text[])
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_db text;
begin
  -- After an apply that created or dropped many roles, schemas or databases, the catalogs xp
  -- reads keep the statistics of a much smaller cluster until autovacuum analyses them (a
  -- minute or more later), and catalog queries run with plans made for a handful of rows: the
  -- next plan takes half as long again. Refresh them now, as autovacuum would. Best effort:
  -- the shared catalogs need a superuser (PostgreSQL skips them for others, with a warning
  -- kept quiet here), and a database that cannot be reached is passed over.
  begin
    perform xplane.remote_exec(p_provider_config, '',
      'set client_min_messages = error; '
      'analyze pg_catalog.pg_authid, pg_catalog.pg_auth_members, pg_catalog.pg_shdepend, pg_catalog.pg_shdescription, '
      'pg_catalog.pg_db_role_setting, pg_catalog.pg_database; reset client_min_messages');
  exception when others then
    null;
  end;
  foreach v_db in array coalesce(p_databases, '{}') loop
    begin
      perform xplane.remote_exec(p_provider_config, v_db,
        'set client_min_messages = error; analyze pg_catalog.pg_namespace, pg_catalog.pg_class, pg_catalog.pg_default_acl; '
        'reset client_min_messages');
    exception when others then
      null;
    end;
  end loop;
  analyze xplane.managed_resources, xplane.conditions, xplane.grant_scopes, xplane.credentials;
end
$$;
comment on function xplane.analyze_catalogs(text, text[]) is
  'Refreshes the planner statistics of the catalogs xp reads (roles cluster-wide; schemas, relations and default privileges in p_databases) and of its own tables, after an apply that changed many objects. Best effort, never raises.';

create or replace function xplane.delete(p_kind xplane.resource_kind, p_name text, p_database text default '',
                                         p_provider_config text default 'default', p_allow_data_loss boolean default false,
                                         p_stack text default null, p_orphan boolean default false)
-- jit = off: catalog queries are never worth JIT compilation (see xplane.connection_string)
returns boolean language plpgsql volatile set search_path = xplane, pg_catalog set jit = off as $$
declare
  v_id    uuid;
  v_owner text;
begin
  -- As in upsert_resource, the ownership check is part of the write: a record of another
  -- stack is neither marked nor changed (p_stack null: whichever stack owns it).
  update xplane.managed_resources
     set deleted_at = coalesce(deleted_at, now()),
         next_reconcile_at = now(),
         deletion_policy = case when p_orphan then 'orphan' else deletion_policy end,
         spec = case when p_allow_data_loss and kind in ('Database', 'Schema', 'Extension')
                     then spec || '{"allow_data_loss": true}'::jsonb else spec end,
         updated_at = now()
   where provider_config = p_provider_config and kind = p_kind and database = coalesce(p_database, '') and name = p_name
     and (p_stack is null or stack = p_stack)
  returning id into v_id;
  if v_id is null then
    select stack into v_owner from xplane.managed_resources
     where provider_config = p_provider_config and kind = p_kind and database = coalesce(p_database, '') and name = p_name;
    if v_owner is not null then
      perform xplane.raise_not_owner(p_kind, p_name, v_owner, p_stack);
    end if;
    return false;
  end if;
  perform xplane.reconcile(v_id);
  return not exists (select 1 from xplane.managed_resources where id = v_id);
end
$$;
comment on function xplane.delete(xplane.resource_kind, text, text, text, boolean, text, boolean) is
  'Deletes a managed resource: drops the object (deletion_policy delete) or leaves it (orphan, or p_orphan), refusing databases, schemas and extensions whose drop would destroy user objects (xplane.data_loss_sql) unless p_allow_data_loss. With p_stack, only a resource of that stack (another stack''s: SQLSTATE 23505 naming the owner). True when the record is gone; false when unknown or still pending (refused, failed, finalizers: see resource_status).';

create or replace function xplane.set_stack_mode(p_stack text, p_mode xplane.stack_mode)
returns void language sql volatile set search_path = xplane, pg_catalog as $$
  insert into xplane.stacks (name, mode) values (p_stack, p_mode)
  on conflict (name) do update set mode = excluded.mode, updated_at = now()
$$;
comment on function xplane.set_stack_mode(text, xplane.stack_mode) is
  'enforce (default): reconcile changes the server. observe: reconcile only records drift as conditions and events.';

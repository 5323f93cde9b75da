-- The reconcile loop: observe, act, record (status, conditions, events), schedule the next
-- attempt. reconcile_all takes due resources in dependency order, deletions first in reverse.

create or replace function xplane.retry_delay(p_failure_count integer, p_class xplane.failure_class)
returns interval language sql volatile set search_path = xplane, pg_catalog as $$
  -- Exponential backoff (5 s, 10 s, 20 s, … capped at 10 min) with jitter: a random delay
  -- between half and all of the step, so that failing resources do not retry in lockstep.
  select case p_class
    when 'validation' then null
    when 'permanent' then interval '10 minutes' * (0.5 + random() / 2)
    else least(interval '5 seconds' * power(2, least(greatest(p_failure_count, 1) - 1, 16)), interval '10 minutes')
         * (0.5 + random() / 2)
  end
$$;
comment on function xplane.retry_delay(integer, xplane.failure_class) is
  'Delay before the next attempt after the n-th consecutive failure: transient 5 s·2^(n-1) capped at 10 min, permanent 10 min, both with ±50 % jitter; validation: none (null: wait for a new spec).';

create or replace function xplane.failure_advice(p_class xplane.failure_class, p_result xplane.action_result,
                                                 p_retry_at timestamptz)
returns text language sql stable set search_path = xplane, pg_catalog as $$
  select case
    when p_class = 'validation' then 'Fix the spec and apply it again (no retry until it changes): ' || (p_result).message
    when (p_result).status_code = 'permission_denied' then
      'Grant the provider''s role the privilege it lacks (or change the spec), then run select xplane.reconcile(id) or wait for the retry at '
      || to_char(p_retry_at, 'YYYY-MM-DD HH24:MI:SS TZ') || ': ' || (p_result).message
    when p_class = 'permanent' then
      'Needs a human: ' || (p_result).message || ' (retried at ' || to_char(p_retry_at, 'YYYY-MM-DD HH24:MI:SS TZ') || ')'
    else 'Retrying at ' || to_char(p_retry_at, 'YYYY-MM-DD HH24:MI:SS TZ') || ': ' || (p_result).message
  end
$$;
comment on function xplane.failure_advice(xplane.failure_class, xplane.action_result, timestamptz) is
  'The Ready=False message of a failure: what to do about it, then the error.';

create or replace function xplane.failure_reason(p_class xplane.failure_class, p_result xplane.action_result)
returns text language sql immutable as $$
  select case
    when p_class = 'validation' then 'InvalidSpec'
    when (p_result).status_code = 'permission_denied' then 'PermissionDenied'
    when (p_result).status_code = 'dependency_not_ready' then 'DependencyNotReady'
    when (p_result).message like 'refusing to %' then 'Refused'
    when p_class = 'transient' then 'RetryScheduled'
    else 'ReconcileError'
  end
$$;
comment on function xplane.failure_reason(xplane.failure_class, xplane.action_result) is
  'Condition reason of a failure: InvalidSpec, PermissionDenied, DependencyNotReady, Refused, RetryScheduled or ReconcileError.';

create or replace function xplane.record_outcomes(p_ids uuid[], p_action text, p_results xplane.action_result[],
                                                  p_normalized jsonb[])
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_verb    text := initcap(p_action);
  v_ok      integer[];
  v_res     xplane.managed_resources;
  v_class   xplane.failure_class;
  v_retry   timestamptz;
  v_reason  text;
  i         integer;
begin
  -- Writes the outcome of each reconcile (the arrays side by side): status, conditions, event,
  -- failure_count and next_reconcile_at. Successes, nearly all of an apply, in a few statements
  -- for the whole batch; failures one by one (each its own backoff).
  v_ok := array(select g from generate_series(1, coalesce(cardinality(p_ids), 0)) g
                 where not xplane.is_failure((p_results[g]).status_code) order by g);
  if cardinality(v_ok) > 0 then
    update xplane.managed_resources r
       set status = jsonb_build_object('status_code', (p_results[u.k]).status_code, 'message', (p_results[u.k]).message,
                                       'observed', (p_results[u.k]).observed, 'action', p_action, 'reconciled_at', now()),
           observed_generation = r.generation, failure_count = 0, last_failure_class = null,
           next_reconcile_at = now(), last_reconciled_at = now(),
           finalizers = case when r.deletion_policy = 'delete' and not 'xplane.io/drop-object' = any (r.finalizers)
                             then r.finalizers || 'xplane.io/drop-object'::text else r.finalizers end
      from unnest(v_ok) u(k)
     where r.id = p_ids[u.k];
    -- Synced; Ready (absent, still differing from the spec, or available); LastAsyncOperation.
    perform xplane.set_conditions(array_agg(c.id order by c.k, c.j), array_agg(c.type order by c.k, c.j),
                                  array_agg(c.status order by c.k, c.j), array_agg(c.reason order by c.k, c.j),
                                  array_agg(c.message order by c.k, c.j))
       from (select u.k, 1 as j, p_ids[u.k] as id, 'Synced'::xplane.condition_type as type, 'True' as status,
                    'ReconcileSuccess' as reason, '' as message
               from unnest(v_ok) u(k)
             union all
             select u.k, 2, p_ids[u.k], 'Ready',
                    case when d.drift is null or cardinality(d.drift) > 0 then 'False' else 'True' end,
                    case when d.drift is null then 'NotFound' when cardinality(d.drift) > 0 then 'NotConverged' else 'Available' end,
                    case when d.drift is null then 'the object is absent after the action'
                         when cardinality(d.drift) > 0 then 'still differs from the spec in: ' || array_to_string(d.drift, ', ')
                         else '' end
               from unnest(v_ok) u(k)
               join xplane.managed_resources r on r.id = p_ids[u.k]
               cross join lateral (select case when (p_results[u.k]).observed is null then null
                                               else xplane.spec_diff(r.kind, p_normalized[u.k], (p_results[u.k]).observed) end as drift) d
             union all
             select u.k, 3, p_ids[u.k], 'LastAsyncOperation', 'True', v_verb || 'Succeeded', (p_results[u.k]).message
               from unnest(v_ok) u(k) where p_action <> 'none') c;
    if p_action <> 'none' then
      perform xplane.emit_events(array_agg(p_ids[u.k] order by u.k), array_agg('Normal'::xplane.event_type order by u.k),
                                 array_agg(case p_action when 'create' then 'Created' when 'update' then 'Updated' else v_verb end order by u.k),
                                 array_agg((p_results[u.k]).message order by u.k))
         from unnest(v_ok) u(k);
    end if;
  end if;
  for i in 1 .. coalesce(cardinality(p_ids), 0) loop
    continue when i = any (v_ok);
    select * into v_res from xplane.managed_resources where id = p_ids[i];
    v_class := xplane.classify_failure(p_results[i]);
    v_retry := now() + xplane.retry_delay(v_res.failure_count + 1, v_class);
    v_reason := xplane.failure_reason(v_class, p_results[i]);
    update xplane.managed_resources
       set status = jsonb_build_object('status_code', (p_results[i]).status_code, 'message', (p_results[i]).message,
                                       'observed', coalesce((p_results[i]).observed, status -> 'observed'), 'action', p_action,
                                       'failure_class', v_class, 'retry_at', v_retry, 'reconciled_at', now()),
           failure_count = failure_count + 1, last_failure_class = v_class,
           next_reconcile_at = v_retry, last_reconciled_at = now()
     where id = p_ids[i];
    perform xplane.set_conditions(array[p_ids[i], p_ids[i], p_ids[i]], array['Synced', 'Ready', 'LastAsyncOperation']::xplane.condition_type[],
      array['False', 'False', 'False'], array[v_reason, v_reason, v_verb || 'Failed'],
      array[(p_results[i]).message, xplane.failure_advice(v_class, p_results[i], v_retry), (p_results[i]).message]);
    perform xplane.emit_event(p_ids[i], 'Warning', v_verb || 'Failed', (p_results[i]).message);
  end loop;
end
$$;
comment on function xplane.record_outcomes(uuid[], text, xplane.action_result[], jsonb[]) is
  'Writes the outcomes of a batch of reconciles with one action (ids, results and normalised specs side by side): status, conditions, events, failure_count and next_reconcile_at (backoff by failure class).';

create or replace function xplane.record_outcome(p_res xplane.managed_resources, p_action text, p_result xplane.action_result,
                                                 p_normalized jsonb)
returns void language sql volatile set search_path = xplane, pg_catalog as $$
  select xplane.record_outcomes(array[p_res.id], p_action, array[p_result], array[p_normalized])
$$;
comment on function xplane.record_outcome(xplane.managed_resources, text, xplane.action_result, jsonb) is
  'Writes the outcome of one reconcile (record_outcomes of one).';

create or replace function xplane.reconcile_deletion(p_res xplane.managed_resources, p_mode xplane.stack_mode)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_result     xplane.action_result;
  v_finalizers text[];
begin
  if p_res.deletion_policy = 'orphan' or p_mode = 'observe' then
    v_result := xplane.result('success', format('%s %s orphaned (%s): the record is removed, the object is left in place',
      p_res.kind, quote_ident(p_res.name),
      case when p_mode = 'observe' then 'stack in observe mode' else 'deletion_policy orphan' end), null);
    perform xplane.emit_event(p_res.id, 'Normal', 'Orphaned', (v_result).message);
  else
    -- Dropped whether or not a reconcile ever succeeded (the drop-object finalizer): a create
    -- that failed half-way (a role made, its grants refused) leaves the object all the same,
    -- and a resource reported deleted is gone from the catalogs. Absent, nothing is dropped.
    v_result := xplane.run_action('delete', p_res.kind, p_res.name, p_res.spec, p_res.provider_config);
    if (v_result).status_code = 'invalid_spec' then
      -- The spec was broken after the object was created: delete by identity alone.
      v_result := xplane.run_action('delete', p_res.kind, p_res.name,
        jsonb_strip_nulls(jsonb_build_object('database', p_res.spec -> 'database',
                                             'allow_data_loss', p_res.spec -> 'allow_data_loss')),
        p_res.provider_config);
    end if;
    if not 'xplane.io/drop-object' = any (p_res.finalizers) and (v_result).status_code in ('not_found', 'invalid_spec') then
      -- Never reconciled, and absent (or a name no object can have): nothing to drop.
      v_result := xplane.result('success', format('%s %s was never reconciled successfully and does not exist: the record is removed, nothing was dropped',
        p_res.kind, quote_ident(p_res.name)), null);
      perform xplane.emit_event(p_res.id, 'Normal', 'Forgotten', (v_result).message);
    elsif (v_result).status_code not in ('success', 'not_found') then
      perform xplane.record_outcome(p_res, 'delete', v_result, null);
      return v_result;
    else
      perform xplane.emit_event(p_res.id, 'Normal', 'Deleted', (v_result).message);
    end if;
  end if;
  update xplane.managed_resources
     set finalizers = array_remove(finalizers, 'xplane.io/drop-object'), updated_at = now()
   where id = p_res.id
  returning finalizers into v_finalizers;
  if cardinality(v_finalizers) > 0 then
    update xplane.managed_resources
       set status = jsonb_build_object('status_code', (v_result).status_code, 'message', (v_result).message,
                                       'observed', null, 'action', 'delete', 'reconciled_at', now()),
           next_reconcile_at = now() + interval '30 seconds', last_reconciled_at = now()
     where id = p_res.id;
    perform xplane.set_condition(p_res.id, 'LastAsyncOperation', 'True', 'DeleteSucceeded', (v_result).message);
    perform xplane.set_condition(p_res.id, 'Ready', 'False', 'WaitingForFinalizers',
      'deleted; the record stays until these finalizers are removed: ' || array_to_string(v_finalizers, ', '));
  else
    delete from xplane.managed_resources where id = p_res.id;
  end if;
  return v_result;
end
$$;
comment on function xplane.reconcile_deletion(xplane.managed_resources, xplane.stack_mode) is
  'Deletion of a resource marked deleted: drops the object when it exists (deletion_policy delete, enforce mode, whether or not a reconcile ever succeeded) or leaves it (orphan / observe), then removes the record once no other finalizer remains.';

create or replace function xplane.reconcile_observed(p_res xplane.managed_resources, p_observed jsonb, p_known boolean)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_mode   xplane.stack_mode := coalesce((select mode from xplane.stacks where name = p_res.stack), 'enforce');
  v_norm   jsonb;
  v_obs    jsonb := p_observed;
  v_diff   text[];
  v_result xplane.action_result;
  v_action text;
  v_ignored jsonb;
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  if p_res.deleted_at is not null then
    return xplane.reconcile_deletion(p_res, v_mode);
  end if;
  begin
    v_norm := xplane.normalize_spec(p_res.kind, p_res.spec);
  exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    v_result := xplane.failure(v_state, v_msg, v_detail, v_hint);
    perform xplane.record_outcome(p_res, 'validate', v_result, null);
    return v_result;
  end;
  if not p_known then
    begin
      v_obs := xplane.observe_resource(p_res.kind, p_res.name, p_res.spec, p_res.provider_config);
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
      v_result := xplane.failure(v_state, v_msg, v_detail, v_hint);
      perform xplane.record_outcome(p_res, 'observe', v_result, v_norm);
      return v_result;
    end;
  end if;
  if v_obs is not null and cardinality(p_res.ignore_changes) > 0 then
    -- lifecycle { ignore_changes }: for these attributes, what the server has is what is wanted.
    v_ignored := (select jsonb_object_agg(k, v_obs -> k) from unnest(p_res.ignore_changes) k where v_obs ? k and v_norm ? k);
    v_norm := v_norm || coalesce(v_ignored, '{}');
    p_res.spec := p_res.spec || coalesce(v_ignored, '{}');
    -- a password changed outside xp, when ignored, is left as it is (never in the spec)
    if 'password' = any (p_res.ignore_changes) then
      v_obs := v_obs - 'password';
    end if;
  end if;
  if v_mode = 'observe' then
    return xplane.record_drift(p_res, v_norm, v_obs);
  end if;
  if v_obs is null then
    v_action := 'create';
    v_result := xplane.run_action('create', p_res.kind, p_res.name, p_res.spec, p_res.provider_config);
    if (v_result).status_code = 'already_exists' then
      -- Created by someone else since we looked: converge it instead.
      v_action := 'update';
      v_result := xplane.run_action('update', p_res.kind, p_res.name, p_res.spec, p_res.provider_config);
    end if;
  else
    v_diff := xplane.spec_diff(p_res.kind, v_norm, v_obs);
    if cardinality(v_diff) = 0 and not xplane.needs_update(p_res) then
      v_action := 'none';
      v_result := xplane.result('no_change', format('%s %s is up to date', p_res.kind, quote_ident(p_res.name)), v_obs);
    else
      v_action := 'update';
      v_result := xplane.run_action('update', p_res.kind, p_res.name, p_res.spec, p_res.provider_config);
      if (v_result).status_code = 'no_change' then
        v_action := 'none';
      end if;
    end if;
  end if;
  perform xplane.record_outcome(p_res, v_action, v_result, v_norm);
  return v_result;
end
$$;
comment on function xplane.reconcile_observed(xplane.managed_resources, jsonb, boolean) is
  'Reconciles one (locked) resource given its observed state (p_known) or observing it: create when absent, update when it differs (attributes in ignore_changes keep what the server has), nothing when in sync; observe-mode stacks only record drift.';

create or replace function xplane.needs_update(p_res xplane.managed_resources)
returns boolean language plpgsql stable set search_path = xplane, pg_catalog as $$
begin
  -- A change the catalogs cannot show: a new password verifier not yet set on the server.
  if p_res.kind = 'ServiceAccount' and pg_catalog.to_regclass('xplane.credentials') is not null then
    return exists (select 1 from xplane.credentials c
                    where c.provider_config = p_res.provider_config and c.role_name = p_res.name and c.applied_at is null);
  end if;
  return false;
end
$$;
comment on function xplane.needs_update(xplane.managed_resources) is
  'True when the resource needs its update action although the observed state matches (a service account''s new password).';

create or replace function xplane.record_drift(p_res xplane.managed_resources, p_normalized jsonb, p_observed jsonb)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_diff    text[];
  v_message text;
  v_changed boolean;
begin
  if p_observed is null then
    v_message := format('%s %s does not exist (stack %s is in observe mode: nothing was changed)', p_res.kind, quote_ident(p_res.name), quote_ident(p_res.stack));
  else
    v_diff := xplane.spec_diff(p_res.kind, p_normalized, p_observed);
    if cardinality(v_diff) > 0 then
      v_message := format('%s %s differs from the spec in: %s (stack %s is in observe mode: nothing was changed)',
        p_res.kind, quote_ident(p_res.name),
        (select string_agg(format('%s (spec %s, actual %s)', k, p_normalized -> k, p_observed -> k), ', ') from unnest(v_diff) k),
        quote_ident(p_res.stack));
    end if;
  end if;
  update xplane.managed_resources
     set status = jsonb_build_object('status_code', 'no_change', 'message', coalesce(v_message, 'in sync'),
                                     'observed', p_observed, 'action', 'observe', 'drift', to_jsonb(coalesce(v_diff, '{}')),
                                     'reconciled_at', now()),
         observed_generation = generation, failure_count = 0, next_reconcile_at = now(), last_reconciled_at = now()
   where id = p_res.id;
  perform xplane.set_condition(p_res.id, 'Synced', 'True', 'Observed', 'observe mode: reported, not changed');
  if v_message is null then
    perform xplane.set_condition(p_res.id, 'Ready', 'True', 'Available', '');
  else
    v_changed := xplane.set_condition(p_res.id, 'Ready', 'False', case when p_observed is null then 'Absent' else 'Drifted' end, v_message);
    if v_changed then
      perform xplane.emit_event(p_res.id, 'Warning', 'DriftDetected', v_message);
    end if;
  end if;
  return xplane.result('no_change', coalesce(v_message, 'in sync'), p_observed);
end
$$;
comment on function xplane.record_drift(xplane.managed_resources, jsonb, jsonb) is
  'Observe mode: records drift (absent, or the differing keys with spec and actual values) as Ready=False and a DriftDetected event when it appears; changes nothing.';

create or replace function xplane.reconcile(p_id uuid)
-- jit = off: catalog queries are never worth JIT compilation (see xplane.connection_string)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog set jit = off as $$
declare
  v_res xplane.managed_resources;
begin
  select * into v_res from xplane.managed_resources where id = p_id for update;
  if not found then
    return xplane.result('not_found', format('no managed resource with id %s', p_id));
  end if;
  return xplane.reconcile_observed(v_res, null, false);
end
$$;
comment on function xplane.reconcile(uuid) is
  'Reconciles one managed resource now (whether due or not) and returns the action''s result.';

create or replace function xplane.reconcile_many(p_ids uuid[], p_provider_config text)
-- jit = off: catalog queries are never worth JIT compilation (see xplane.connection_string)
returns xplane.action_result[] language plpgsql volatile set search_path = xplane, pg_catalog set jit = off as $$
declare
  v_n       integer := coalesce(cardinality(p_ids), 0);
  v_res     xplane.managed_resources;
  v_obs     jsonb;
  v_creator text[] := '{}';
  v_results xplane.action_result[] := '{}';
  v_run     integer[];
  v_batch   xplane.action_result[];
  v_created integer[];
  v_state text; v_msg text; v_detail text; v_hint text;
  i integer := 1;
  k integer;
begin
  -- p_ids: resources of one provider config, locked by the caller, none depending on another
  -- that is not earlier in the list. One batched observe, then each reconciled with it; a run
  -- of consecutive absent Roles / ServiceAccounts (create_roles) or Schemas (create_schemas) is
  -- created together.
  begin
    v_obs := xplane.observe_many(
      (select jsonb_agg(jsonb_build_object('kind', r.kind, 'name', r.name, 'spec', r.spec) order by t.ord)
         from unnest(p_ids) with ordinality t(id, ord) join xplane.managed_resources r on r.id = t.id),
      p_provider_config);
  exception when others then
    v_obs := null;   -- the server is unreachable: each resource observes (and fails) on its own
  end;
  -- Which batch creator each resource can go to (null: reconciled on its own).
  for k in 1 .. v_n loop
    select * into v_res from xplane.managed_resources where id = p_ids[k];
    v_creator[k] := case
      when v_obs is null or v_obs -> (k - 1) ->> 'error' is not null or v_obs -> (k - 1) -> 'observed' <> 'null'::jsonb
           or v_res.deleted_at is not null or xplane.name_problem(v_res.kind, v_res.name) is not null
           or coalesce((select mode from xplane.stacks where name = v_res.stack), 'enforce') <> 'enforce' then null
      else xplane.batch_creator(v_res.kind) end;
  end loop;
  while i <= v_n loop
    if v_creator[i] is not null then
      v_run := array[i];
      while i + cardinality(v_run) <= v_n and v_creator[i + cardinality(v_run)] = v_creator[i] loop
        v_run := v_run || (i + cardinality(v_run));
      end loop;
      begin
        execute format('select xplane.%I($1, $2)', v_creator[i]) into v_batch
          using p_provider_config, (select jsonb_agg(jsonb_build_object('kind', r.kind, 'name', r.name, 'spec', r.spec) order by u.n)
                                      from unnest(v_run) with ordinality u(j, n) join xplane.managed_resources r on r.id = p_ids[u.j]);
      exception when others then
        v_batch := '{}';  -- guarded below: each on its own
      end;
      v_created := '{}';
      for k in 1 .. cardinality(v_run) loop
        if v_batch[k] is null or (v_batch[k]).status_code = 'already_exists' then
          -- Created by someone else since the observe (or the batch broke): the one-by-one way.
          select * into v_res from xplane.managed_resources where id = p_ids[v_run[k]];
          v_results[v_run[k]] := xplane.reconcile_observed(v_res, null, false);
        else
          v_created := v_created || k;
          v_results[v_run[k]] := v_batch[k];
        end if;
      end loop;
      perform xplane.record_outcomes(array(select p_ids[v_run[c]] from unnest(v_created) with ordinality u(c, o) order by o), 'create',
                                     array(select v_batch[c] from unnest(v_created) with ordinality u(c, o) order by o),
                                     array(select v_obs -> (v_run[c] - 1) -> 'normalized' from unnest(v_created) with ordinality u(c, o) order by o));
      i := i + cardinality(v_run);
      continue;
    end if;
    select * into v_res from xplane.managed_resources where id = p_ids[i];
    begin
      if v_obs is not null and v_obs -> (i - 1) ->> 'error' is null then
        v_results[i] := xplane.reconcile_observed(v_res, nullif(v_obs -> (i - 1) -> 'observed', 'null'::jsonb), true);
      else
        v_results[i] := xplane.reconcile_observed(v_res, null, false);
      end if;
    exception when others then
      -- Actions never raise; this guards the rest of the batch against a bug in one resource.
      get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
      raise warning 'xplane.reconcile_many: % % failed: %', v_res.kind, quote_ident(v_res.name), v_msg;
      v_results[i] := xplane.failure(v_state, v_msg, v_detail, v_hint);
    end;
    i := i + 1;
  end loop;
  return v_results;
end
$$;
comment on function xplane.reconcile_many(uuid[], text) is
  'Reconciles locked resources of one provider config with one batched observe (observe_many), in list order, creating runs of consecutive absent Roles and ServiceAccounts (create_roles) or Schemas (create_schemas) together; returns their results in the same order. Shared by reconcile_all and apply_many.';

create or replace function xplane.reconcile_all(p_stack text default null)
-- jit = off: catalog queries are never worth JIT compilation (see xplane.connection_string)
returns integer language plpgsql volatile set search_path = xplane, pg_catalog set jit = off as $$
declare
  v_count integer := 0;
  v_res   xplane.managed_resources;
  v_ids   uuid[];
  v_pc    text;
begin
  -- Deletions first, dependents before what they depend on.
  for v_res in
    select * from xplane.managed_resources
     where deleted_at is not null and next_reconcile_at <= now() and (p_stack is null or stack = p_stack)
     order by xplane.kind_order(kind) desc, database, name
     for update skip locked
  loop
    begin
      perform xplane.reconcile_deletion(v_res, coalesce((select mode from xplane.stacks where name = v_res.stack), 'enforce'));
    exception when others then
      -- Actions never raise; this guards the rest of the run against a bug in one resource.
      raise warning 'xplane.reconcile_all: % % failed: %', v_res.kind, quote_ident(v_res.name), sqlerrm;
    end;
    v_count := v_count + 1;
  end loop;
  -- Then everything due, per provider config: one batched observe, then actions in dependency order.
  for v_pc in
    select distinct provider_config from xplane.managed_resources
     where deleted_at is null and next_reconcile_at <= now() and (p_stack is null or stack = p_stack)
  loop
    select array_agg(id order by xplane.kind_order(kind), database, name) into v_ids
      from (select id, kind, database, name from xplane.managed_resources
             where deleted_at is null and next_reconcile_at <= now() and provider_config = v_pc
               and (p_stack is null or stack = p_stack)
             for update skip locked) due;
    continue when v_ids is null;
    perform xplane.reconcile_many(v_ids, v_pc);
    v_count := v_count + cardinality(v_ids);
  end loop;
  return v_count;
end
$$;
comment on function xplane.reconcile_all(text) is
  'Reconciles every due resource (next_reconcile_at passed) of one stack or all: deletions first in reverse dependency order, then one batched observe per provider config and the actions in dependency order (Database → Role → Schema → Extension → ServiceAccount). Rows another session is reconciling are skipped. Returns how many were reconciled.';

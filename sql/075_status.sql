-- Conditions and events, and the NOTIFY that lets watchers follow them live (channel xplane).

create or replace function xplane.notify(p_payload jsonb)
returns void
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_text text := p_payload::text;
begin
  -- NOTIFY payloads are limited to 8000 bytes: drop the message rather than fail.
  if octet_length(v_text) > 7900 then
    v_text := (p_payload - 'message' || jsonb_build_object('message', left(p_payload ->> 'message', 1000)))::text;
  end if;
  perform pg_notify('xplane', v_text);
end
$$;
comment on function xplane.notify(jsonb) is
  'NOTIFY on channel xplane (delivered at commit) with a JSON payload; long messages are cut to fit.';

create or replace function xplane.set_condition(p_resource_id uuid, p_type xplane.condition_type, p_status text,
                                                p_reason text, p_message text default '')
returns boolean
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_changed boolean;
  v_res     xplane.managed_resources;
begin
  -- clock_timestamp(): one reconcile_all transaction changes many conditions, each at its time.
  insert into xplane.conditions as c (resource_id, type, status, reason, message, observed_generation, last_transition, updated_at)
  values (p_resource_id, p_type, p_status, p_reason, coalesce(p_message, ''),
          (select generation from xplane.managed_resources where id = p_resource_id), clock_timestamp(), clock_timestamp())
  on conflict (resource_id, type) do update
     set status = excluded.status, reason = excluded.reason, message = excluded.message,
         observed_generation = excluded.observed_generation,
         last_transition = case when c.status is distinct from excluded.status then clock_timestamp() else c.last_transition end,
         updated_at = clock_timestamp()
   where (c.status, c.reason, c.message, c.observed_generation)
         is distinct from (excluded.status, excluded.reason, excluded.message, excluded.observed_generation)
  returning true into v_changed;
  if coalesce(v_changed, false) then
    select * into v_res from xplane.managed_resources where id = p_resource_id;
    perform xplane.notify(jsonb_build_object('type', 'condition', 'resource_id', p_resource_id, 'kind', v_res.kind,
      'name', v_res.name, 'database', v_res.database, 'stack', v_res.stack, 'condition', p_type,
      'status', p_status, 'reason', p_reason, 'message', p_message));
  end if;
  return coalesce(v_changed, false);
end
$$;
comment on function xplane.set_condition(uuid, xplane.condition_type, text, text, text) is
  'Upserts one condition; last_transition moves only when status changes; NOTIFY when anything changed. True when it changed.';

create or replace function xplane.emit_event(p_resource_id uuid, p_type xplane.event_type, p_reason text, p_message text)
returns void
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_res xplane.managed_resources;
  v_id  bigint;
begin
  select * into v_res from xplane.managed_resources where id = p_resource_id;
  insert into xplane.events (resource_id, stack, kind, name, database, type, reason, message, actor)
  values (p_resource_id, coalesce(v_res.stack, 'default'), v_res.kind, coalesce(v_res.name, ''), coalesce(v_res.database, ''),
          p_type, p_reason, coalesce(p_message, ''), current_user)
  returning id into v_id;
  perform xplane.notify(jsonb_build_object('type', 'event', 'id', v_id, 'resource_id', p_resource_id, 'kind', v_res.kind,
    'name', v_res.name, 'database', v_res.database, 'stack', v_res.stack, 'event_type', p_type,
    'reason', p_reason, 'message', p_message, 'actor', current_user));
end
$$;
comment on function xplane.emit_event(uuid, xplane.event_type, text, text) is
  'Records an event (Normal/Warning, reason, message) with the acting role (current_user) and NOTIFYs it.';

create or replace function xplane.prune_events(p_keep interval default '30 days')
returns bigint
language sql volatile
set search_path = xplane, pg_catalog
as $$
  with gone as (delete from xplane.events where created_at < clock_timestamp() - p_keep returning 1)
  select count(*) from gone
$$;
comment on function xplane.prune_events(interval) is
  'Deletes events older than p_keep (default 30 days) and returns how many; schedule it with pg_cron next to reconcile_all if events pile up.';

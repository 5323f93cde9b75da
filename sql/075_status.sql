-- Conditions and events, and the NOTIFY that lets watchers follow them live (channel xplane).

create or replace function xplane.notify(p_payload jsonb)
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
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

create or replace function xplane.set_conditions(p_ids uuid[], p_types xplane.condition_type[], p_statuses text[],
                                                 p_reasons text[], p_messages text[])
returns integer language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_changed integer;
begin
  -- One statement for a batch of conditions (each (resource, type) at most once): an apply sets
  -- three per resource. clock_timestamp(): one reconcile_all transaction changes many
  -- conditions, each at its time. NOTIFY for each that changed.
  with changed as (
    insert into xplane.conditions as c (resource_id, type, status, reason, message, observed_generation, last_transition, updated_at)
    select u.id, u.type, u.status, u.reason, coalesce(u.message, ''), r.generation, clock_timestamp(), clock_timestamp()
      from unnest(p_ids, p_types, p_statuses, p_reasons, p_messages) with ordinality u(id, type, status, reason, message, k)
      left join xplane.managed_resources r on r.id = u.id
     order by u.k
    on conflict (resource_id, type) do update
       set status = excluded.status, reason = excluded.reason, message = excluded.message,
           observed_generation = excluded.observed_generation,
           last_transition = case when c.status is distinct from excluded.status then clock_timestamp() else c.last_transition end,
           updated_at = clock_timestamp()
     where (c.status, c.reason, c.message, c.observed_generation)
           is distinct from (excluded.status, excluded.reason, excluded.message, excluded.observed_generation)
    returning c.resource_id, c.type, c.status, c.reason, c.message)
  select count(*) into v_changed from (
    select xplane.notify(jsonb_build_object('type', 'condition', 'resource_id', ch.resource_id, 'kind', r.kind,
             'name', r.name, 'database', r.database, 'stack', r.stack, 'condition', ch.type,
             'status', ch.status, 'reason', ch.reason, 'message', ch.message))
      from changed ch
      join unnest(p_ids, p_types) with ordinality u(id, type, k) on u.id = ch.resource_id and u.type = ch.type
      left join xplane.managed_resources r on r.id = ch.resource_id
     order by u.k) told;
  return v_changed;
end
$$;
comment on function xplane.set_conditions(uuid[], xplane.condition_type[], text[], text[], text[]) is
  'Upserts a batch of conditions (the arrays side by side; each resource and type at most once); last_transition moves only when status changes; NOTIFY for each that changed. Returns how many changed.';

create or replace function xplane.set_condition(p_resource_id uuid, p_type xplane.condition_type, p_status text,
                                                p_reason text, p_message text default '')
returns boolean language sql volatile set search_path = xplane, pg_catalog as $$
  select xplane.set_conditions(array[p_resource_id], array[p_type], array[p_status], array[p_reason], array[p_message]) > 0
$$;
comment on function xplane.set_condition(uuid, xplane.condition_type, text, text, text) is
  'Upserts one condition (set_conditions of one). True when it changed.';

create or replace function xplane.emit_events(p_ids uuid[], p_types xplane.event_type[], p_reasons text[], p_messages text[])
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_count integer;
begin
  -- One statement for a batch of events, in array order, each with the acting role; NOTIFY each.
  with added as (
    insert into xplane.events (resource_id, stack, kind, name, database, type, reason, message, actor, address)
    select u.id, coalesce(r.stack, 'default'), r.kind, coalesce(r.name, ''), coalesce(r.database, ''),
           u.type, u.reason, coalesce(u.message, ''), current_user, r.address
      from unnest(p_ids, p_types, p_reasons, p_messages) with ordinality u(id, type, reason, message, k)
      left join xplane.managed_resources r on r.id = u.id
     order by u.k
    returning id, resource_id, stack, kind, name, database, type, reason, message)
  select count(*) into v_count from (
    select xplane.notify(jsonb_build_object('type', 'event', 'id', a.id, 'resource_id', a.resource_id, 'kind', a.kind,
             'name', a.name, 'database', a.database, 'stack', a.stack, 'event_type', a.type,
             'reason', a.reason, 'message', a.message, 'actor', current_user))
      from added a order by a.id) told;
end
$$;
comment on function xplane.emit_events(uuid[], xplane.event_type[], text[], text[]) is
  'Records a batch of events (Normal/Warning, reason, message) with the acting role (current_user) and NOTIFYs each.';

create or replace function xplane.emit_event(p_resource_id uuid, p_type xplane.event_type, p_reason text, p_message text)
returns void language sql volatile set search_path = xplane, pg_catalog as $$
  select xplane.emit_events(array[p_resource_id], array[p_type], array[p_reason], array[p_message])
$$;
comment on function xplane.emit_event(uuid, xplane.event_type, text, text) is
  'Records an event (Normal/Warning, reason, message) with the acting role (current_user) and NOTIFYs it (emit_events of one).';

create or replace function xplane.prune_events(p_keep interval default '30 days')
returns bigint language sql volatile set search_path = xplane, pg_catalog as $$
  with gone as (delete from xplane.events where created_at < clock_timestamp() - p_keep returning 1)
  select count(*) from gone
$$;
comment on function xplane.prune_events(interval) is
  'Deletes events older than p_keep (default 30 days) and returns how many; schedule it with pg_cron next to reconcile_all if events pile up.';

-- Read models for people, the CLI (xp status / get / describe / events) and the TUI.
-- Columns are documented in docs/status-model.md; add columns at the end only.

create or replace view xplane.resource_status as
select r.id,
       r.stack,
       r.kind,
       r.name,
       r.database,
       r.provider_config,
       coalesce(ready.status, 'Unknown')  as ready,
       coalesce(synced.status, 'Unknown') as synced,
       ready.reason                       as ready_reason,
       ready.message                      as ready_message,
       synced.reason                      as synced_reason,
       synced.message                     as synced_message,
       op.reason                          as last_operation,
       op.message                         as last_operation_message,
       r.status ->> 'status_code'         as status_code,
       r.status ->> 'action'              as last_action,
       r.status -> 'observed'             as observed,
       r.spec,
       r.generation,
       r.observed_generation,
       r.failure_count,
       r.last_failure_class,
       r.next_reconcile_at,
       r.last_reconciled_at,
       r.deletion_policy,
       r.finalizers,
       r.deleted_at is not null           as deleting,
       r.created_at,
       r.updated_at,
       pg_catalog.now() - r.created_at    as age,
       -- the configuration address it was last applied at (module path and key included)
       r.address
  from xplane.managed_resources r
  left join xplane.conditions ready  on ready.resource_id  = r.id and ready.type  = 'Ready'
  left join xplane.conditions synced on synced.resource_id = r.id and synced.type = 'Synced'
  left join xplane.conditions op     on op.resource_id     = r.id and op.type     = 'LastAsyncOperation';
comment on view xplane.resource_status is
  'One row per managed resource, kubectl-get style: Ready/Synced with reason and message, last action, observed state, scheduling.';

create or replace view xplane.recent_events as
select e.id,
       e.created_at,
       e.type,
       e.reason,
       e.message,
       e.actor,
       e.stack,
       e.kind,
       e.name,
       e.database,
       e.resource_id,
       -- the address its resource is recorded under now, else the one it had then (gone)
       coalesce(r.address, e.address) as address
  from xplane.events e
  left join xplane.managed_resources r on r.id = e.resource_id
 where e.created_at > pg_catalog.now() - interval '24 hours'
 order by e.id desc;
comment on view xplane.recent_events is
  'Events of the last 24 hours, newest first.';

create or replace view xplane.stale_resources as
select s.id, s.stack, s.kind, s.name, s.database,
       case
         when s.deleting then 'deletion pending'
         when s.observed_generation < s.generation then 'spec not yet applied'
         when s.ready <> 'True' then 'not ready'
         else 'not reconciled for over 10 minutes'
       end as why,
       s.ready, s.ready_reason, s.ready_message, s.failure_count, s.last_failure_class,
       s.next_reconcile_at, s.last_reconciled_at, s.generation, s.observed_generation
  from xplane.resource_status s
 where s.deleting
    or s.observed_generation < s.generation
    or s.ready <> 'True'
    or s.last_reconciled_at is null
    or s.last_reconciled_at < pg_catalog.now() - interval '10 minutes';
comment on view xplane.stale_resources is
  'Resources that need attention: deletion pending, spec not applied (observed_generation < generation), not Ready, or not reconciled for 10 minutes.';

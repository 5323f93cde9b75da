-- Closed sets as enums. New values are only ever appended (ALTER TYPE … ADD VALUE in an upgrade).
do $types$
begin
  if pg_catalog.to_regtype('xplane.resource_kind') is null then
    create type xplane.resource_kind as enum ('Database', 'Schema', 'Role', 'Extension', 'ServiceAccount');
  end if;
  if pg_catalog.to_regtype('xplane.status_code') is null then
    create type xplane.status_code as enum ('success', 'already_exists', 'not_found', 'updated', 'no_change',
      'error', 'permission_denied', 'invalid_spec', 'dependency_not_ready');
  end if;
  if pg_catalog.to_regtype('xplane.condition_type') is null then
    create type xplane.condition_type as enum ('Synced', 'Ready', 'LastAsyncOperation');
  end if;
  if pg_catalog.to_regtype('xplane.event_type') is null then
    create type xplane.event_type as enum ('Normal', 'Warning');
  end if;
  if pg_catalog.to_regtype('xplane.deletion_policy') is null then
    create type xplane.deletion_policy as enum ('delete', 'orphan');
  end if;
  if pg_catalog.to_regtype('xplane.stack_mode') is null then
    create type xplane.stack_mode as enum ('enforce', 'observe');
  end if;
  if pg_catalog.to_regtype('xplane.failure_class') is null then
    create type xplane.failure_class as enum ('transient', 'validation', 'permanent');
  end if;
  if pg_catalog.to_regtype('xplane.action_result') is null then
    create type xplane.action_result as (status_code xplane.status_code, message text, observed jsonb);
  end if;
end
$types$;

comment on type xplane.resource_kind is 'The kinds xp manages. Dependency order is xplane.kind_order(), not the enum order.';
comment on type xplane.status_code is 'Outcome of an action (create_/update_/delete_<kind>).';
comment on type xplane.condition_type is 'Synced: the last reconcile ran its action without error. Ready: the object exists as specified. LastAsyncOperation: outcome of the last action.';
comment on type xplane.event_type is 'Normal or Warning, as in Kubernetes events.';
comment on type xplane.deletion_policy is 'delete: deleting the resource drops the object. orphan: only the record goes, the object stays.';
comment on type xplane.stack_mode is 'enforce: reconcile changes the server. observe: reconcile only records drift.';
comment on type xplane.failure_class is 'transient: retried with backoff. validation: the spec is wrong, not retried until it changes. permanent: needs a human (Warning event), retried rarely.';
comment on type xplane.action_result is 'What every action returns: status_code, message (human readable) and the observed state after the action (null when absent).';

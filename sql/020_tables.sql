-- The provider's state. Identity of a resource: (provider_config, kind, database, name);
-- database is '' for the cluster-wide kinds (Database, Role, ServiceAccount).

create table if not exists xplane.provider_configs (
  name       text        not null primary key,
  connection jsonb       not null default '{}'::jsonb,
  created_at timestamptz not null default pg_catalog.now(),
  updated_at timestamptz not null default pg_catalog.now(),
  constraint provider_configs_connection_is_object check (pg_catalog.jsonb_typeof(connection) = 'object')
);
comment on table xplane.provider_configs is 'How to reach the server xp manages: {"host","port","user","password","dbname","sslmode"}. Holds a password: readable by the provider''s owner role only.';
revoke all on table xplane.provider_configs from public;

create table if not exists xplane.stacks (
  name       text              not null primary key,
  mode       xplane.stack_mode not null default 'enforce',
  created_at timestamptz       not null default pg_catalog.now(),
  updated_at timestamptz       not null default pg_catalog.now()
);
comment on table xplane.stacks is 'Stacks (ownership scopes). mode observe: reconcile records drift as conditions and events and changes nothing. A stack''s row is its lock (xplane.lock_stack): owner-only, like every xplane table.';

create table if not exists xplane.managed_resources (
  id                  uuid                   not null primary key default pg_catalog.gen_random_uuid(),
  stack               text                   not null default 'default',
  kind                xplane.resource_kind   not null,
  name                text                   not null,
  database            text                   not null default '',
  spec                jsonb                  not null default '{}'::jsonb,
  status              jsonb                  not null default '{}'::jsonb,
  deletion_policy     xplane.deletion_policy not null default 'delete',
  provider_config     text                   not null default 'default',
  finalizers          text[]                 not null default '{}',
  generation          bigint                 not null default 1,
  observed_generation bigint                 not null default 0,
  failure_count       integer                not null default 0,
  last_failure_class  xplane.failure_class,
  next_reconcile_at   timestamptz,
  last_reconciled_at  timestamptz,
  created_at          timestamptz            not null default pg_catalog.now(),
  updated_at          timestamptz            not null default pg_catalog.now(),
  deleted_at          timestamptz,
  prevent_destroy     boolean                not null default false,
  ignore_changes      text[]                 not null default '{}',
  address             text,
  constraint managed_resources_identity unique (provider_config, kind, database, name),
  constraint managed_resources_name_not_empty check (name <> '')
);
comment on table xplane.managed_resources is 'Desired state (spec), last observed outcome (status) and scheduling of every managed object. next_reconcile_at null: not due until the spec changes.';
comment on column xplane.managed_resources.prevent_destroy is 'lifecycle { prevent_destroy } as last applied: a plan that would drop the object is refused, even once the resource is no longer declared.';
comment on column xplane.managed_resources.ignore_changes is 'lifecycle { ignore_changes } as last applied: attributes whose drift neither a plan nor the reconcile loop changes back.';
-- (also on a 0.7.0 installed before the column: sql/updates adds it to an older version)
alter table xplane.managed_resources add column if not exists address text;
comment on column xplane.managed_resources.address is 'The configuration address it was last applied under (role.app, schema.tenant["acme"]); null for records of xp before 0.7.0 until their next apply. A declared resource at this address with another name is this one renamed (src/plan/renames.ts).';
create index if not exists managed_resources_due_idx on xplane.managed_resources (next_reconcile_at) where next_reconcile_at is not null;
create index if not exists managed_resources_stack_idx on xplane.managed_resources (stack, kind);
create index if not exists managed_resources_deleted_idx on xplane.managed_resources (deleted_at) where deleted_at is not null;

create table if not exists xplane.conditions (
  resource_id     uuid                  not null references xplane.managed_resources (id) on delete cascade,
  type            xplane.condition_type not null,
  status          text                  not null,
  reason          text                  not null,
  message         text                  not null default '',
  last_transition timestamptz           not null default pg_catalog.now(),
  updated_at      timestamptz           not null default pg_catalog.now(),
  observed_generation bigint,
  primary key (resource_id, type),
  constraint conditions_status_check check (status in ('True', 'False', 'Unknown'))
);
comment on table xplane.conditions is 'Kubernetes-style conditions per resource. last_transition changes only when status changes; observed_generation: the spec generation the condition describes.';

create table if not exists xplane.events (
  id          bigint            generated always as identity primary key,
  resource_id uuid              references xplane.managed_resources (id) on delete set null,
  stack       text              not null default 'default',
  kind        xplane.resource_kind,
  name        text              not null default '',
  database    text              not null default '',
  type        xplane.event_type not null,
  reason      text              not null,
  message     text              not null default '',
  actor       text              not null default current_user,
  created_at  timestamptz       not null default pg_catalog.clock_timestamp()
);
comment on table xplane.events is 'What happened, newest last: one row per significant action, with the role that acted.';
alter table xplane.events add column if not exists address text;
comment on column xplane.events.address is 'The configuration address of its resource when it happened (module.tenant["a"].role.app; null: before 0.7.0, or not applied under one yet): what xp events shows once the resource is gone.';
create index if not exists events_resource_idx on xplane.events (resource_id, id);
create index if not exists events_created_idx on xplane.events (created_at);

-- Upgrade 0.5.0 → 0.6.0. Runs after 000_schema.sql and before the other numbered files
-- (which then create or replace every function, type and view of 0.6.0). Guarded, so that
-- sql/install.sql can include it unconditionally; it also runs after the earlier upgrades.
do $upgrade$
begin
  -- coalesce: on a fresh install (no version yet) `null not in (…)` is null, which does not return.
  if coalesce((select version from xplane.schema_version
                order by pg_catalog.string_to_array(version, '.')::int[] desc limit 1), '') not in ('0.1.0', '0.2.0', '0.3.0', '0.4.0', '0.5.0') then
    return;
  end if;
  -- (each change of 0.6.0 to the tables or to a function's signature, below)
  -- data-loss guard: user_tables_sql gave way to data_loss_sql (every kind of object)
  drop function if exists xplane.user_tables_sql(text);
  drop function if exists xplane.data_loss_refusal(text, jsonb);  -- its argument is renamed (p_loss)
  -- The whole lifecycle is recorded (0.5.0 kept deletion_policy only); upsert_resource takes it.
  alter table xplane.managed_resources add column if not exists prevent_destroy boolean not null default false;
  alter table xplane.managed_resources add column if not exists ignore_changes text[] not null default '{}';
  drop function if exists xplane.upsert_resource(xplane.resource_kind, text, jsonb, text, text, xplane.deletion_policy);
  -- delete: p_stack and p_orphan (the ownership check and the orphan mark in the write itself).
  drop function if exists xplane.delete(xplane.resource_kind, text, text, text, boolean);
  -- One generic path per action (xplane.act, observe_one, role_observed of either role kind)
  -- instead of per-kind wrappers.
  drop function if exists xplane.observe_database(text, text);
  drop function if exists xplane.observe_schema(text, jsonb, text);
  drop function if exists xplane.observe_extension(text, jsonb, text);
  drop function if exists xplane.role_observed(text, jsonb, jsonb);
  drop function if exists xplane.service_account_observed(text, jsonb, jsonb);
  drop function if exists xplane.service_account_catalog(text, text, jsonb);
  -- comment: a recorded null was "not declared" (0.5.0 filled it in); from 0.6.0 null means no
  -- comment and an undeclared one is left out of the spec (not managed): drop the nulls.
  update xplane.managed_resources set spec = spec - 'comment'
   where kind::text in ('Database', 'Schema', 'Role', 'ServiceAccount') and spec -> 'comment' = 'null'::jsonb;
end
$upgrade$;

-- A resource deleted before any reconcile of it succeeded (no xplane.io/drop-object finalizer)
-- whose object exists all the same (a create that failed half-way): deletion drops it, for
-- every kind, through xplane.delete and through reconcile_all; absent, only the record goes.
select plan(15);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create temp table cases (kind xplane.resource_kind, name text, spec jsonb);
insert into cases values
  ('Database', pg_temp.n('nrdb'), '{}'),
  ('Schema', pg_temp.n('nrs'), jsonb_build_object('database', current_database())),
  ('Role', pg_temp.n('nrr'), '{}'),
  ('ServiceAccount', pg_temp.n('nrsa'), jsonb_build_object('database', current_database())),
  ('Extension', 'pgcrypto', jsonb_build_object('database', current_database()));

-- Applied, then stripped of the finalizer: the state a failed first create leaves behind.
select is((select count(*)::int from cases where xplane.apply(kind, name, spec, 'default', 'never_reconciled') is not null), 5, 'applied');
update xplane.managed_resources set finalizers = '{}' where stack = 'never_reconciled';
select is((select count(*)::int from cases where xplane.observe_resource(kind, name, spec) is not null), 5, 'every object exists');

-- xplane.delete: dropped, the record gone.
select ok(xplane.delete(kind, name, case when kind in ('Schema', 'Extension') then spec ->> 'database' else '' end), format('xplane.delete %s: true', kind))
  from cases where kind <> 'Database' order by kind;
select is((select count(*)::int from cases where kind <> 'Database' and xplane.observe_resource(kind, name, spec) is not null), 0,
  'every object reported deleted is gone from the catalogs');
select is((select count(*)::int from xplane.events e join cases c on e.name = c.name where e.reason = 'Deleted' and c.kind <> 'Database'), 4,
  'a Deleted event each, not Forgotten');

-- reconcile_all of a resource marked deleted: the same.
update xplane.managed_resources set deleted_at = now(), next_reconcile_at = now() where stack = 'never_reconciled' and kind = 'Database';
select cmp_ok(xplane.reconcile_all('never_reconciled'), '>=', 1, 'reconcile_all');
select ok(xplane.observe_resource('Database', pg_temp.n('nrdb'), '{}') is null, 'the database is dropped');
select is((select count(*)::int from xplane.managed_resources where stack = 'never_reconciled'), 0, 'no record is left');

-- Never reconciled and absent: only the record goes, as Forgotten.
select ok(xplane.apply('Role', pg_temp.n('nrgone'), '{}', 'default', 'never_reconciled') is not null, 'a role applied');
update xplane.managed_resources set finalizers = '{}' where stack = 'never_reconciled';
select is(xplane.remote_exec('default', '', format('drop role %I', pg_temp.n('nrgone'))), 'DROP ROLE', 'dropped by hand');
select ok(xplane.delete('Role', pg_temp.n('nrgone')), 'deleted: true');
select is((select reason from xplane.events where name = pg_temp.n('nrgone') order by id desc limit 1), 'Forgotten', 'a Forgotten event');

-- apply / delete: conditions, events, generations, idempotency, validation, orphan, finalizers.
select plan(48);

create temp table t as select current_database() || '_app' as db;
create temp table ids (name text primary key, id uuid);

insert into ids select 'db', xplane.apply('Database', db, '{"comment": "app"}', 'default', 'apply_stack') from t;
select is((select ready || '/' || synced || '/' || last_operation from xplane.resource_status where id = (select id from ids where name = 'db')),
  'True/True/CreateSucceeded', 'apply creates: Ready, Synced, CreateSucceeded');
select is((select status_code || '/' || last_action from xplane.resource_status where id = (select id from ids where name = 'db')),
  'success/create', 'status records the action');
select is((select count(*)::int from xplane.events where resource_id = (select id from ids where name = 'db') and reason = 'Created' and actor = current_user),
  1, 'a Created event with the acting role');
select is((select stack from xplane.managed_resources where id = (select id from ids where name = 'db')), 'apply_stack', 'stack recorded');
select ok((select 'xplane.io/drop-object' = any (finalizers) from xplane.managed_resources where id = (select id from ids where name = 'db')), 'the drop finalizer is set once created');

-- idempotency: the same apply again changes nothing
create temp table before as select c.type, c.last_transition, c.updated_at from xplane.conditions c where resource_id = (select id from ids where name = 'db');
select is(xplane.apply('Database', db, '{"comment": "app"}', 'default', 'apply_stack'), (select id from ids where name = 'db'), 'apply twice: same id') from t;
select is((select generation::int from xplane.managed_resources where id = (select id from ids where name = 'db')), 1, 'apply twice: generation unchanged');
select is((select count(*)::int from xplane.events where resource_id = (select id from ids where name = 'db')), 1, 'apply twice: no new event');
select is((select status_code from xplane.resource_status where id = (select id from ids where name = 'db')), 'no_change', 'apply twice: no_change');
select is((select count(*)::int from xplane.conditions c join before b using (type) where c.resource_id = (select id from ids where name = 'db')
            and c.updated_at = b.updated_at), 3, 'apply twice: conditions untouched');

-- a spec change: generation + 1, Updated
select lives_ok(format($$select xplane.apply('Database', %L, '{"comment": "app v2"}', 'default', 'apply_stack')$$, db), 'apply a new comment') from t;
select is((select generation::int || '/' || observed_generation::int from xplane.managed_resources where id = (select id from ids where name = 'db')), '2/2', 'generation and observed_generation 2');
select is((select reason from xplane.events where resource_id = (select id from ids where name = 'db') order by id desc limit 1), 'Updated', 'Updated event');
select is((select last_transition from xplane.conditions where resource_id = (select id from ids where name = 'db') and type = 'Ready'),
          (select last_transition from before where type = 'Ready'), 'Ready stayed True: last_transition unchanged');

-- validation failure: no retry, says what to do
select lives_ok(format($$select xplane.apply('Database', %L, '{"comment": "app v2", "connection_limit": "many"}', 'default', 'apply_stack')$$, db), 'apply an invalid spec does not raise') from t;
select is((select ready || '/' || ready_reason from xplane.resource_status where id = (select id from ids where name = 'db')), 'False/InvalidSpec', 'Ready=False InvalidSpec');
select matches((select ready_message from xplane.resource_status where id = (select id from ids where name = 'db')), '^Fix the spec.*Database.connection_limit', 'the message says what to do and names the field');
select ok((select next_reconcile_at is null and last_failure_class = 'validation' from xplane.managed_resources where id = (select id from ids where name = 'db')), 'validation: not retried until the spec changes');
select is((select observed_generation::int from xplane.managed_resources where id = (select id from ids where name = 'db')), 2, 'observed_generation does not move on failure');
select ok(exists (select 1 from xplane.stale_resources where id = (select id from ids where name = 'db')), 'listed in stale_resources');
select ok((select last_transition > (select last_transition from before where type = 'Ready') from xplane.conditions
            where resource_id = (select id from ids where name = 'db') and type = 'Ready'), 'Ready went False: last_transition moved');
select lives_ok(format($$select xplane.apply('Database', %L, '{"comment": "app v2"}', 'default', 'apply_stack')$$, db), 'fix the spec') from t;
select is((select ready || '/' || failure_count from xplane.resource_status where id = (select id from ids where name = 'db')), 'True/0', 'Ready again, failure_count reset');

-- a name PostgreSQL would truncate is refused, not created under another name
create temp table longname as select xplane.apply('Schema', repeat('n', 64), jsonb_build_object('database', db), 'default', 'apply_stack') as id from t;
select is((select ready_reason || '/' || coalesce(next_reconcile_at::text, 'no retry') from xplane.resource_status where id = (select id from longname)),
  'InvalidSpec/no retry', 'a 64-byte name: InvalidSpec, not retried');
select ok(xplane.delete('Schema', repeat('n', 64), db), 'and it can be deleted') from t;

-- another stack cannot take it over
select throws_like(format($$select xplane.apply('Database', %L, '{}', 'default', 'other_stack')$$, db), '%is owned by stack apply_stack, not other_stack%', 'one stack owns a resource') from t;
select throws_like(format($$select xplane.delete('Database', %L, '', 'default', false, 'other_stack')$$, db), '%is owned by stack apply_stack, not other_stack%',
  'nor delete it') from t;
select is((select stack || '/' || coalesce(deleted_at::text, 'live') || '/' || (spec ->> 'comment') from xplane.managed_resources where kind = 'Database' and name = (select db from t)),
  'apply_stack/live/app v2', '… and the record is as its stack left it') from t;

-- deletion_policy orphan: the record goes, the object stays
insert into ids select 'keep', xplane.apply('Schema', 'keep', jsonb_build_object('database', db), 'default', 'apply_stack', 'orphan') from t;
select ok(xplane.delete('Schema', 'keep', db), 'delete an orphan resource: true') from t;
select ok(xplane.observe_resource('Schema', 'keep', jsonb_build_object('database', db)) is not null, 'orphan: the schema is still there') from t;
select is((select reason from xplane.events where resource_id is null and name = 'keep' order by id desc limit 1), 'Orphaned', 'Orphaned event');
-- … or p_orphan at the deletion itself (what xp destroy sends for a resource it forgets)
insert into ids select 'keep2', xplane.apply('Schema', 'keep2', jsonb_build_object('database', db), 'default', 'apply_stack') from t;
select ok(xplane.delete('Schema', 'keep2', db, 'default', false, 'apply_stack', true), 'delete with p_orphan: true') from t;
select ok(xplane.observe_resource('Schema', 'keep2', jsonb_build_object('database', db)) is not null, 'p_orphan: the schema is still there') from t;

-- finalizers hold the record until removed
insert into ids select 'fin', xplane.apply('Schema', 'fin', jsonb_build_object('database', db), 'default', 'apply_stack') from t;
update xplane.managed_resources set finalizers = finalizers || '{example.com/hold}' where id = (select id from ids where name = 'fin');
select ok(not xplane.delete('Schema', 'fin', db), 'delete with a foreign finalizer: false (pending)') from t;
select is((select ready_reason || '/' || deleting::text from xplane.resource_status where id = (select id from ids where name = 'fin')), 'WaitingForFinalizers/true', 'waiting for finalizers');
select ok(xplane.observe_resource('Schema', 'fin', jsonb_build_object('database', db)) is null, 'the schema itself is dropped') from t;
update xplane.managed_resources set finalizers = array_remove(finalizers, 'example.com/hold'), next_reconcile_at = now() where id = (select id from ids where name = 'fin');
select cmp_ok(xplane.reconcile_all('apply_stack'), '>=', 1, 'reconcile_all');
select ok(not exists (select 1 from xplane.managed_resources where id = (select id from ids where name = 'fin')), 'finalizer removed: the record is gone');

-- a resource whose spec went bad after it was created can still be deleted
insert into ids select 'bad', xplane.apply('Schema', 'bad', jsonb_build_object('database', db), 'default', 'apply_stack') from t;
select lives_ok(format($$select xplane.apply('Schema', 'bad', jsonb_build_object('database', %L, 'comment', 42), 'default', 'apply_stack')$$, db), 'break its spec') from t;
select ok(xplane.delete('Schema', 'bad', db), 'delete still works (by identity)') from t;
select ok(xplane.observe_resource('Schema', 'bad', jsonb_build_object('database', db)) is null, 'and drops the schema') from t;

-- a schema holding data: refused until the call says so explicitly
insert into ids select 'data', xplane.apply('Schema', 'data', jsonb_build_object('database', db), 'default', 'apply_stack') from t;
select lives_ok(format($$select xplane.remote_exec('default', %L, 'create table data.t (id int)')$$, db), 'a table in it') from t;
select ok(not xplane.delete('Schema', 'data', db), 'delete refuses: false') from t;
select is((select ready_reason || '/' || last_failure_class from xplane.resource_status where id = (select id from ids where name = 'data')),
  'Refused/permanent', 'Ready=False Refused, a permanent failure');
select matches((select ready_message from xplane.resource_status where id = (select id from ids where name = 'data')), 'allow_data_loss', 'the message says how to allow it');
select ok(xplane.delete('Schema', 'data', db, 'default', true), 'delete with p_allow_data_loss drops it') from t;

-- after a large apply: statistics refreshed, best effort (an unreachable database is passed over)
select lives_ok($$select xplane.analyze_catalogs('default', array[current_database(), 'xp_no_such_database'])$$,
  'analyze_catalogs never raises, even for a database that is not there');
-- cleanup (the database holds the orphaned schema only: no tables)
select ok(xplane.delete('Database', db), 'delete the database') from t;
select * from finish();

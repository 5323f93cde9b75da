-- reconcile_all: dependency order, backoff on failure, healing drift made by hand.
select plan(20);

create temp table t as select current_database() || '_rec' as db;
create temp table ids (name text primary key, id uuid);

-- Declared in the wrong order: the schema first (its database does not exist yet).
insert into ids select 'api', xplane.apply('Schema', 'api', jsonb_build_object('database', db, 'comment', 'v1'), 'default', 'rec') from t;
select is((select ready_reason from xplane.resource_status where id = (select id from ids where name = 'api')), 'DependencyNotReady', 'schema before its database: DependencyNotReady');
select is((select last_failure_class::text || '/' || failure_count from xplane.managed_resources where id = (select id from ids where name = 'api')), 'transient/1', 'classified transient, first failure');
select ok((select next_reconcile_at between now() + interval '2 seconds' and now() + interval '6 seconds' from xplane.managed_resources where id = (select id from ids where name = 'api')),
  'first retry after 2.5–5 s (5 s with jitter)');
select matches((select ready_message from xplane.resource_status where id = (select id from ids where name = 'api')), '^Retrying at ', 'Ready says when it retries');
select is(xplane.reconcile_all('rec'), 0, 'not due yet: reconcile_all skips it');
-- a second failure doubles the step
update xplane.managed_resources set next_reconcile_at = now() where id = (select id from ids where name = 'api');
select is(xplane.reconcile_all('rec'), 1, 'due: reconciled');
select ok((select failure_count = 2 and next_reconcile_at between now() + interval '4.9 seconds' and now() + interval '10.1 seconds' from xplane.managed_resources where id = (select id from ids where name = 'api')),
  'second failure: retry after 5–10 s (exponential backoff with jitter)');
select ok(xplane.retry_delay(20, 'transient') <= interval '10 minutes', 'backoff is capped at 10 minutes');

-- Now the database: both converge; record order does not matter, dependency order does.
insert into ids select 'db', xplane.apply('Database', db, '{}', 'default', 'rec') from t;
update xplane.managed_resources set next_reconcile_at = now() where stack = 'rec';
select is(xplane.reconcile_all('rec'), 2, 'reconcile_all takes both');
select is((select string_agg(kind::text || ':' || ready, ',' order by kind) from xplane.resource_status where stack = 'rec'), 'Database:True,Schema:True', 'both Ready');

-- Break things by hand: drop the database (and the schema with it); reconcile_all heals, database first.
select lives_ok(format($$select xplane.remote_exec('default', '', 'drop database %I with (force)')$$, db), 'drop the database by hand') from t;
create temp table mark as select coalesce(max(id), 0) as id from xplane.events;
select is(xplane.reconcile_all('rec'), 2, 'reconcile_all heals');
select is((select string_agg(kind::text || ':' || reason, ',' order by id) from xplane.events where id > (select id from mark)),
  'Database:Created,Schema:Created', 'in dependency order: Database, then Schema');
select is(xplane.observe_resource('Schema', 'api', jsonb_build_object('database', db)) ->> 'comment', 'v1', 'the schema is back as specified') from t;

-- Drift of an attribute: changed by hand, put back.
select lives_ok(format($$select xplane.remote_exec('default', %L, 'comment on schema api is ''hand-made''')$$, db), 'change the comment by hand') from t;
select is(xplane.reconcile_all('rec'), 2, 'reconcile_all');
select is((select reason from xplane.events where kind = 'Schema' and name = 'api' order by id desc limit 1), 'Updated', 'drift healed with an update');

-- Deletions pending for both (as after a failed destroy): reconcile_all drops the schema first.
update xplane.managed_resources set deleted_at = now(), next_reconcile_at = now() where stack = 'rec';
delete from mark; insert into mark select coalesce(max(id), 0) from xplane.events;
select is(xplane.reconcile_all('rec'), 2, 'reconcile_all takes both deletions');
select is((select string_agg(kind::text || ':' || reason, ',' order by id) from xplane.events where id > (select id from mark)),
  'Schema:Deleted,Database:Deleted', 'deletions in reverse dependency order: Schema, then Database');
select is((select count(*)::int from xplane.managed_resources where stack = 'rec'), 0, 'both records gone');
select * from finish();

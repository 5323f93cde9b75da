-- Names and values that would break string-built SQL reach the server quoted.
select plan(10);

create temp table t as select current_database() || '_x"; drop role postgres; --' as db;
create temp table ids as select xplane.apply('Database', db, '{"comment": "it''s \"quoted\"; drop table x; --"}', 'default', 'hostile') as id from t;
select is((select ready from xplane.resource_status where id = (select id from ids)), 'True', 'a database named x"; drop role postgres; -- is created');
select ok(exists (select 1 from pg_database where datname = (select db from t)), 'with exactly that name');
select ok(exists (select 1 from pg_roles where rolname = 'postgres'), 'role postgres is still there');
select is((select shobj_description(oid, 'pg_database') from pg_database where datname = (select db from t)), 'it''s "quoted"; drop table x; --', 'the comment is stored verbatim');
select lives_ok(format($$select xplane.apply('Schema', 'it''s', jsonb_build_object('database', %L, 'comment', 'a ''quote'''), 'default', 'hostile')$$, db), 'a schema named it''s') from t;
select is((select ready from xplane.resource_status where kind = 'Schema' and name = 'it''s'), 'True', 'it''s is Ready');
select is(xplane.observe_resource('Schema', 'it''s', jsonb_build_object('database', db)) ->> 'comment', 'a ''quote''', 'observed back verbatim') from t;
select is(xplane.apply('Schema', 'it''s', jsonb_build_object('database', db, 'comment', 'a ''quote'''), 'default', 'hostile'),
          (select id from xplane.managed_resources where kind = 'Schema' and name = 'it''s'), 'applying again: same resource') from t;
select is((select status_code from xplane.resource_status where kind = 'Schema' and name = 'it''s'), 'no_change', 'and no change: no perpetual diff');
select ok(xplane.delete('Database', db), 'deleted') from t;
select * from finish();

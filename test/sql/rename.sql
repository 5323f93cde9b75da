-- Renames in place (xplane.rename_resource, through apply_many's renamed_from): a schema keeps
-- its tables and their grants, a role its members, a service account its password (SCRAM
-- verifier) and credential, a database its schemas' records; the address is recorded; a taken
-- name is refused; an object renamed already only moves the record.
select plan(30);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.v1() returns text language sql as
  $$ select 'SCRAM-SHA-256$4096:akriNjc+f4+QN6tmu/LxbA==$K2AWqxqThABq0uol4x2wfhoTlaNphpRGD3j4OWLB4gs=:6pvYgH2UTzeCesrfYCn7vIpvv1VD4Wgs/p0K6ULVhn0=' $$;
create temp table t as select current_database() || '_rn' as db, current_database() || '_rd' as dba, current_database() || '_re' as dbb;
-- apply_many's status codes (and, for errors, messages), as one text
create function pg_temp.apply(p_items jsonb) returns text language sql as $$
  select string_agg(coalesce(r ->> 'status_code', '?') || case when r ->> 'status_code' in ('success', 'no_change', 'updated') then '' else ': ' || coalesce(r ->> 'message', '') end, '; ' order by o)
    from jsonb_array_elements(xplane.apply_many(p_items, 'rename_stack')) with ordinality x(r, o)
$$;
create function pg_temp.item(p_kind text, p_name text, p_spec jsonb, p_address text, p_from text default null) returns jsonb language sql as $$
  select jsonb_build_object('kind', p_kind, 'name', p_name, 'spec', p_spec, 'address', p_address)
         || case when p_from is null then '{}'::jsonb else jsonb_build_object('renamed_from', p_from) end
$$;
create function pg_temp.account(p_role text, p_schema text) returns jsonb language sql as $$
  select jsonb_build_object('database', (select db from t), 'schemas', jsonb_build_array(p_schema), 'member_of', jsonb_build_array(p_role),
    'grants', jsonb_build_array(jsonb_build_object('schema', p_schema, 'privileges', jsonb_build_array('SELECT'))))
$$;
create function pg_temp.remote(p_db text, p_sql text, p_args text[]) returns jsonb language sql as $$
  select xplane.remote_query('default', p_db, p_sql, p_args)
$$;

select is(pg_temp.apply(jsonb_build_array(pg_temp.item('Database', db, '{}', 'database.app'), pg_temp.item('Database', dba, '{}', 'database.old'),
                                          pg_temp.item('Role', pg_temp.n('readers'), '{}', 'role.readers'))),
  'success; success; success', 'two databases and a role') from t;
select is(pg_temp.apply(jsonb_build_array(pg_temp.item('Schema', 'api', jsonb_build_object('database', db), 'schema.api'),
                                          pg_temp.item('Schema', 's', jsonb_build_object('database', dba), 'schema.s'))),
  'success; success', 'a schema in each') from t;
select is(xplane.remote_exec('default', db, 'create table api.orders (id int); insert into api.orders values (1), (2)'), 'INSERT 0 2', 'a table with rows') from t;
select is(pg_temp.apply(jsonb_build_array(pg_temp.item('ServiceAccount', pg_temp.n('app'), pg_temp.account(pg_temp.n('readers'), 'api') || jsonb_build_object('password', pg_temp.v1()), 'service_account.app'))),
  'success', 'a service account reading api, member of readers');
select is((select address from xplane.managed_resources where name = pg_temp.n('app')), 'service_account.app', 'apply_many records the address');

-- a schema: renamed in place, its table, rows and grants kept
select is(pg_temp.apply(jsonb_build_array(pg_temp.item('Schema', 'api2', jsonb_build_object('database', db), 'schema.api', 'api'))),
  'no_change', 'rename schema api to api2: nothing else to change') from t;
select is(pg_temp.remote(db, 'pg_catalog.to_json((select count(*) from api2.orders))', null), '2'::jsonb, 'the rows are in api2.orders') from t;
select is(pg_temp.remote(db, 'pg_catalog.to_json(pg_catalog.has_table_privilege($1, ''api2.orders'', ''SELECT''))', array[pg_temp.n('app')]),
  'true'::jsonb, 'the service account still reads them') from t;
select is((select name from xplane.managed_resources m, t where m.kind = 'Schema' and m.database = t.db), 'api2', 'the record follows');
select is((select schema from xplane.grant_scopes, t where role_name = pg_temp.n('app') and database = t.db and schema <> ''), 'api2', 'so does the grant scope');

-- a role: renamed, its member kept
select is(pg_temp.apply(jsonb_build_array(pg_temp.item('Role', pg_temp.n('readers2'), '{}', 'role.readers', pg_temp.n('readers')))), 'no_change', 'rename role readers');
select ok(exists (select 1 from pg_auth_members a join pg_roles r on r.oid = a.roleid join pg_roles m on m.oid = a.member
                  where r.rolname = pg_temp.n('readers2') and m.rolname = pg_temp.n('app'))
          and not exists (select 1 from pg_roles where rolname = pg_temp.n('readers')),
  'app is a member of readers2; readers is gone');

-- a service account: renamed, its password (a SCRAM verifier) and credential kept
select is(pg_temp.apply(jsonb_build_array(pg_temp.item('ServiceAccount', pg_temp.n('app2'), pg_temp.account(pg_temp.n('readers2'), 'api2'), 'service_account.app', pg_temp.n('app')))),
  'no_change', 'rename the service account, with the spec naming the new names');
select is((select rolpassword from pg_authid where rolname = pg_temp.n('app2')), pg_temp.v1(), 'the server keeps its verifier');
select is((select verifier from xplane.credentials where role_name = pg_temp.n('app2')), pg_temp.v1(), 'xplane.credentials keeps it under the new name');
select ok(not exists (select 1 from xplane.credentials where role_name = pg_temp.n('app')), 'and not under the old one');
select is((select count(*)::int from xplane.events e join xplane.managed_resources m on m.id = e.resource_id
            where m.stack = 'rename_stack' and e.reason = 'Renamed' and e.message like '% renamed to %'), 3, 'a Renamed event each');

-- refused: the new name is taken on the server; the record is untouched
select is(xplane.remote_exec('default', '', format('create role %I', pg_temp.n('taken'))), 'CREATE ROLE', 'another role');
select matches(pg_temp.apply(jsonb_build_array(pg_temp.item('Role', pg_temp.n('taken'), '{}', 'role.readers', pg_temp.n('readers2')))),
  'cannot rename Role .* to .*taken.*already exists', 'a rename onto a taken name is refused');
select ok(exists (select 1 from xplane.managed_resources where name = pg_temp.n('readers2')) and exists (select 1 from pg_roles where rolname = pg_temp.n('readers2')),
  'the role and its record keep their name');

-- renamed already (by hand): only the record follows
select is(xplane.remote_exec('default', '', format('alter role %I rename to %I', pg_temp.n('readers2'), pg_temp.n('readers3'))), 'ALTER ROLE', 'renamed by hand');
select is(pg_temp.apply(jsonb_build_array(pg_temp.item('Role', pg_temp.n('readers3'), '{}', 'role.readers', pg_temp.n('readers2')))), 'no_change', 'the rename is recorded');
select is((select message from xplane.events where reason = 'Renamed' order by id desc limit 1),
  format('Role %s recorded as %s (already renamed on the server)', pg_temp.n('readers2'), pg_temp.n('readers3')), 'and says so');

-- a database: renamed, the records of its schemas follow
select is(pg_temp.apply(jsonb_build_array(pg_temp.item('Database', dbb, '{}', 'database.old', dba))), 'no_change', 'rename a database') from t;
select is((select database || ' ' || (spec ->> 'database') from xplane.managed_resources where kind = 'Schema' and name = 's'),
  (select dbb || ' ' || dbb from t), 'its schema''s record is in the new database');

-- not for an extension; not for another stack's record
select throws_ok($$select xplane.rename_resource('Extension', 'a', 'b', 'x', 'default', 'rename_stack')$$, '0A000', 'xplane.rename_resource: a Extension cannot be renamed', 'an extension cannot be renamed');
select throws_ok(format($$select xplane.rename_resource('Role', %L, 'x', '', 'default', 'other_stack')$$, pg_temp.n('readers3')), '23505', null, 'another stack''s resource is refused');

-- never what xp depends on: the control database
select throws_ok(format($$select xplane.rename_resource('Database', %L, 'x', '', 'default', 'rename_stack')$$, current_database()), '42501', null,
  'the control database is not renamed');

-- cleanup (the provider commits through dblink: what was created is dropped by hand)
select is((select count(*)::int from t, lateral unnest(array[db, dba, dbb]) d,
                  lateral xplane.remote_exec('default', '', format('drop database if exists %I with (force)', d)) x), 3, 'cleanup: databases');
select is(xplane.remote_exec('default', '', format('drop owned by %1$I, %2$I; drop role %1$I, %2$I, %3$I', pg_temp.n('app2'), pg_temp.n('readers3'), pg_temp.n('taken'))),
  'DROP ROLE', 'cleanup: roles');
select * from finish();

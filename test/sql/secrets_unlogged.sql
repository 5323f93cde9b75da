-- Secrets reach the servers unlogged. xplane.secret_input() takes the one document the client
-- copied into pg_temp.xp_secret_input (COPY data, which no log records) and never repeats it
-- in an error. A remote statement carrying a SCRAM verifier runs with statement logging off in
-- the remote session, and the session's settings come back afterwards, also when it fails.
select plan(14);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.hex(p text) returns text language sql as $$ select encode(convert_to(p, 'UTF8'), 'hex') $$;
create function pg_temp.remote_setting(p_name text, p_sql_tail text default '') returns text language sql as $$
  select xplane.remote_query('default', '', format('to_json(pg_catalog.current_setting(%L)) %s', p_name, p_sql_tail)) #>> '{}'
$$;
-- The verifier of 's3cret-one' (computed client-side, as xp does).
create function pg_temp.v1() returns text language sql as
  $$ select 'SCRAM-SHA-256$4096:akriNjc+f4+QN6tmu/LxbA==$K2AWqxqThABq0uol4x2wfhoTlaNphpRGD3j4OWLB4gs=:6pvYgH2UTzeCesrfYCn7vIpvv1VD4Wgs/p0K6ULVhn0=' $$;

-- secret_input (the harness's session may already have the table: it upserted the provider config)
drop table if exists pg_temp.xp_secret_input;
select throws_ok('select xplane.secret_input()', '55000', 'no secret input in this session (pg_temp.xp_secret_input is absent)',
  'without the input table: a clear error');
create temporary table xp_secret_input (payload text);
insert into pg_temp.xp_secret_input values (pg_temp.hex('{"user": "a", "password": "s3cret-in"}'));
select is(xplane.secret_input(), '{"user": "a", "password": "s3cret-in"}'::jsonb, 'reads the hex-encoded JSON document');
select is((select count(*) from pg_temp.xp_secret_input), 0::bigint, 'and takes it');
select throws_ok('select xplane.secret_input()', '55000', 'expected one secret input in this session, found 0', 'once only');
insert into pg_temp.xp_secret_input values (pg_temp.hex('{}')), (pg_temp.hex('{}'));
select throws_ok('select xplane.secret_input()', '55000', 'expected one secret input in this session, found 2', 'one document at a time');
delete from pg_temp.xp_secret_input;
insert into pg_temp.xp_secret_input values (pg_temp.hex('{"password": "s3cret-broken'));
select throws_ok('select xplane.secret_input()', '22023', 'the secret input is not hex-encoded UTF-8 JSON',
  'invalid JSON: an error that does not quote the input');
delete from pg_temp.xp_secret_input;
insert into pg_temp.xp_secret_input values ('s3cret-not-hex');
select throws_ok('select xplane.secret_input()', '22023', 'the secret input is not hex-encoded UTF-8 JSON', 'not hex: the same');
delete from pg_temp.xp_secret_input;

-- remote statements carrying a verifier
select lives_ok($$select xplane.remote_exec('default', '', 'set log_statement = ''ddl''; set log_min_error_statement = ''warning''')$$,
  'the remote session logs DDL and failing statements');
select is(pg_temp.remote_setting('log_statement', '/* SCRAM-SHA-256$ */') || ' ' || pg_temp.remote_setting('log_min_error_statement', '/* SCRAM-SHA-256$ */'),
  'none panic', 'a statement carrying a verifier runs with statement logging off');
select is(pg_temp.remote_setting('log_statement') || ' ' || pg_temp.remote_setting('log_min_error_statement'),
  'ddl warning', 'the session''s settings come back afterwards');
select lives_ok(format($$select xplane.remote_exec('default', '', %L)$$, format('create role %I password %L', pg_temp.n('sa'), pg_temp.v1())),
  'a role created with a verifier');
select is((select rolpassword from pg_authid where rolname = pg_temp.n('sa')), pg_temp.v1(), 'holds the verifier');
select throws_ok(format($$select xplane.remote_exec('default', '', %L)$$, format('create role %I password %L', pg_temp.n('sa'), pg_temp.v1())),
  '42710', NULL, 'a failing statement with a verifier keeps its SQLSTATE');
select is(pg_temp.remote_setting('log_statement') || ' ' || pg_temp.remote_setting('log_min_error_statement'),
  'ddl warning', 'and the settings come back after a failure too');

select xplane.remote_exec('default', '', format('drop role %I; reset log_statement; reset log_min_error_statement', pg_temp.n('sa')));
select * from finish();

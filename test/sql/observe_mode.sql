-- A stack in observe mode records drift as conditions and events and changes nothing.
select plan(10);

create temp table t as select current_database() || '_obs' as db;
select is((xplane.create_database(db, '{"comment": "real"}')).status_code, 'success', 'a database that exists') from t;
select lives_ok($$select xplane.set_stack_mode('watch', 'observe')$$, 'stack watch in observe mode');
create temp table ids as select xplane.apply('Database', db, '{"comment": "wanted"}', 'default', 'watch') as id from t;
select is((select ready || '/' || ready_reason || '/' || synced from xplane.resource_status where id = (select id from ids)), 'False/Drifted/True', 'drift: Ready=False Drifted, Synced=True');
select matches((select ready_message from xplane.resource_status where id = (select id from ids)), 'comment \(spec "wanted", actual "real"\).*nothing was changed', 'the message shows spec and actual values');
select is(xplane.observe_resource('Database', db, '{}') ->> 'comment', 'real', 'nothing was changed') from t;
select is((select count(*)::int from xplane.events where resource_id = (select id from ids) and reason = 'DriftDetected' and type = 'Warning'), 1, 'one DriftDetected warning');
select is(xplane.reconcile_all('watch'), 1, 'reconcile_all again');
select is((select count(*)::int from xplane.events where resource_id = (select id from ids) and reason = 'DriftDetected'), 1, 'the same drift is not reported twice');
select ok(xplane.delete('Database', db), 'delete in observe mode removes the record') from t;
select ok(xplane.observe_resource('Database', db, '{}') is not null, '… and leaves the database') from t;
select * from finish();
select xplane.delete_database(db, '{}') from t;

-- pg_cron: schedule_reconcile where pg_cron is loaded (the system PostgreSQL 15); a clear
-- refusal where it is not (the embedded server).
select plan(4);

create temp table has_cron as select current_setting('cron.database_name', true) is not null as yes;

select case when (select yes from has_cron) then
  lives_ok($$select xplane.schedule_reconcile('30s')$$, 'schedule_reconcile(30s) where pg_cron is loaded')
else
  throws_like($$select xplane.schedule_reconcile('30s')$$, 'pg_cron is not available on this server%', 'schedule_reconcile says clearly that pg_cron is missing')
end;
select case when (select yes from has_cron) then
  is(xplane.reconcile_schedule() ->> 'command', 'select xplane.reconcile_all()', 'the job runs reconcile_all()')
else
  ok(xplane.reconcile_schedule() is null, 'no schedule without pg_cron')
end;
select case when (select yes from has_cron) then
  is(xplane.reconcile_schedule() ->> 'database', current_database()::text, '… in this control database')
else
  ok(not exists (select from pg_catalog.pg_namespace where nspname = 'cron'), 'no pg_cron schema: nothing was scheduled anywhere')
end;
select case when (select yes from has_cron) then
  ok(xplane.unschedule_reconcile(), 'unschedule_reconcile removes the job')
else
  throws_like($$select xplane.unschedule_reconcile()$$, 'pg_cron is not available on this server%', 'unschedule says so too')
end;
select * from finish();

-- Last file: no function of an older build left, no function callable by PUBLIC, then record
-- the installed version.

-- Every function of these files was created or replaced by this transaction (create or
-- replace writes its pg_proc row anew). Any other in schema xplane, but dblink's, is left from
-- an older build: a signature that changed or a function that is gone. Dropped, so that no
-- stale overload makes a call ambiguous ("function … is not unique"), whether an upgrade step
-- forgot it or another build of the same version installed it.
do $stale$
declare
  v_fn pg_catalog.regprocedure;
begin
  for v_fn in
    select p.oid::pg_catalog.regprocedure from pg_catalog.pg_proc p
     where p.pronamespace = 'xplane'::pg_catalog.regnamespace
       and pg_catalog.age(p.xmin) > 0  -- written before this transaction (its xids: age <= 0)
       and not exists (select from pg_catalog.pg_depend d
                        where d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and d.objid = p.oid and d.deptype = 'e')
  loop
    execute format('drop routine %s', v_fn);
  end loop;
end
$stale$;

revoke all on all functions in schema xplane from public;
revoke all on all tables in schema xplane from public;

insert into xplane.schema_version (version, digest)
values (pg_catalog.current_setting('xplane.installing_version'), nullif(pg_catalog.current_setting('xplane.installing_digest', true), ''))
on conflict (version) do update set digest = excluded.digest;

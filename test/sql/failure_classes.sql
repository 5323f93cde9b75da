-- How caught errors become status codes, failure classes and condition reasons.
select plan(12);

select is(((xplane.failure(code, 'm')).status_code)::text, expected, format('SQLSTATE %s → %s', code, expected))
  from (values ('42501', 'permission_denied'), ('22023', 'invalid_spec'), ('42704', 'dependency_not_ready'),
               ('3D000', 'dependency_not_ready'), ('42P06', 'already_exists'), ('XX000', 'error')) v(code, expected);
select is(xplane.classify_failure(xplane.failure('40P01', 'deadlock detected'))::text, 'transient', 'a deadlock is transient');
select is(xplane.classify_failure(xplane.failure('55006', 'database is being accessed by other users'))::text, 'transient', 'an object in use is transient');
select is(xplane.classify_failure(xplane.failure('XX000', 'tuple concurrently updated'))::text, 'transient', 'tuple concurrently updated is transient');
select is(xplane.classify_failure(xplane.failure('58P01', 'extension "x" is not available'))::text, 'permanent', 'a missing extension package is permanent');
select is(xplane.failure_reason('validation', xplane.failure('22023', 'Database.owner: must be a string')), 'InvalidSpec', 'validation → InvalidSpec');
select is((xplane.failure('42501', 'permission denied', 'detail', 'hint')).message, 'permission denied (detail) Hint: hint [SQLSTATE 42501]', 'the message keeps detail and hint');
select * from finish();

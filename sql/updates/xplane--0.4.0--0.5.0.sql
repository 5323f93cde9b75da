-- Upgrade 0.4.0 → 0.5.0. Runs after 000_schema.sql and before the other numbered files,
-- which create or replace every function, type and view of 0.5.0. Nothing to drop or move:
-- 0.5.0 adds functions (normalize_items) and changes function bodies only.
select 1;

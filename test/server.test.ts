import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';

describe('the test server', () => {
  it('is a real PostgreSQL with dblink and pgcrypto available', async () => {
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      const { rows } = await client.query(
        "select current_setting('server_version_num')::int as v, array_agg(name::text order by name) as ext from pg_available_extensions where name in ('dblink', 'pgcrypto')",
      );
      expect(rows[0].v).toBeGreaterThanOrEqual(140000);
      expect(rows[0].ext).toEqual(['dblink', 'pgcrypto']);
    } finally {
      await client.end();
    }
  });
});

import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { applicationName, lockStack, parseDuration } from '../../src/state/lock.js';

async function client() {
  const c = new pg.Client({ connectionString: inject('databaseUrl'), application_name: applicationName('apply') });
  await c.connect();
  return c;
}

describe('the stack lock', () => {
  it('admits one holder per stack and names it to the next one', async () => {
    const a = await client();
    const b = await client();
    try {
      const release = await lockStack(a, 'lock-test', 0);
      await expect(lockStack(b, 'lock-test', 300)).rejects.toThrow(new RegExp(`stack "lock-test" is locked by xp \\(pid ${process.pid}, .+@.+\\) since \\d{4}-`));
      // another stack is independent
      const other = await lockStack(b, 'lock-test-2', 0);
      await other();
      await release();
      const again = await lockStack(b, 'lock-test', 0);
      await again();
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('is released when the holder session ends', async () => {
    const a = await client();
    await lockStack(a, 'lock-test-3', 0);
    await a.end();
    const b = await client();
    try {
      const release = await lockStack(b, 'lock-test-3', 5000);
      await release();
    } finally {
      await b.end();
    }
  });

  it.each([
    ['0', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['7', 7000],
    ['soon', null],
  ])('parses the duration %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

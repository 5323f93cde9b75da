// xp never prints a Node warning: every run through test/e2e/xp.ts fails on one (NODE_WARNING).
// Here the case that printed pg's "client.query() when the client is already executing a query"
// on every destroy: independent steps running at once on the one control connection.
import { expect, it } from 'vitest';
import { configDir, expectOk, NodeWarningError, unique, withClient, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

onEachServer('no Node warning', { timeout: 300_000 }, () => {
  it('apply and destroy of independent resources on the one connection (--parallelism 1)', async () => {
    const p = unique('nw');
    const dir = configDir(p, { 'main.xp': [1, 2, 3, 4].map((i) => `role "${p}_${i}" {}\n`).join('') });
    const run = xpIn(dir, url());
    // A warning rejects (NodeWarningError) instead of resolving.
    const apply = await run(['apply', '--auto-approve', '--parallelism', '1']).catch((e: unknown) => e);
    expect(apply).not.toBeInstanceOf(NodeWarningError);
    expectOk(apply as Awaited<ReturnType<typeof run>>);
    const destroy = await run(['destroy', '--auto-approve', '--parallelism', '1']).catch((e: unknown) => e);
    expect(destroy).not.toBeInstanceOf(NodeWarningError);
    expect((destroy as Awaited<ReturnType<typeof run>>).stdout).toContain('Resources: 4 destroyed');
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select count(*)::int as n from pg_catalog.pg_roles where rolname like $1`, [`${p}\\_%`]);
      expect(rows[0].n).toBe(0);
    });
  });
});

// Every example configuration validates, and the quickstart says what the README promises.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/load.js';

const root = join(import.meta.dirname, '../../examples');
const examples = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

describe('examples', () => {
  it('include the four the spec names', () => {
    expect(examples).toEqual(expect.arrayContaining(['quickstart', 'multi-tenant-saas', 'microservices-rbac', 'data-platform']));
  });

  it.each(examples)('%s validates', async (name) => {
    const r = await loadConfiguration(join(root, name), { env: {} });
    expect(r.diagnostics).toEqual([]);
    expect(r.config!.resources.length).toBeGreaterThan(0);
    expect(r.graph!.order).toHaveLength(r.config!.resources.length);
  });

  it('quickstart: one database, a schema, a role, a service account with a grant and a connection secret', async () => {
    const { config } = await loadConfiguration(join(root, 'quickstart'), { env: {} });
    expect(config!.resources.map((r) => r.address).sort()).toEqual([
      'database.shop',
      'role.app-readers',
      'schema.app',
      'service_account.shop-app',
    ]);
    const app = config!.resources.find((r) => r.type === 'service_account')!;
    expect(app.spec['grants']).toHaveLength(1);
    expect(app.connectionSecret).toEqual({ path: 'secrets/shop-app.env', format: 'dotenv' });
  });

  it('data-platform installs only extensions the embedded server has', async () => {
    const { config } = await loadConfiguration(join(root, 'data-platform'), { env: {} });
    const extensions = config!.resources.filter((r) => r.type === 'extension').map((r) => r.name);
    expect(extensions.length).toBeGreaterThan(0);
    for (const e of extensions) expect(['pgcrypto', 'dblink']).toContain(e);
  });
});

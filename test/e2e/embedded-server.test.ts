// The default path: no connection configured anywhere, so xp starts its own PostgreSQL under
// .xp/ of the working directory, reuses it, and `xp server stop` stops it.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, xp } from './xp.js';

describe('the embedded server (no connection configured)', { timeout: 300_000 }, () => {
  const cwd = tempDir('xp-embedded-');
  afterAll(async () => {
    await xp(['server', 'stop'], { cwd });
  });

  it('is created on first use under .xp/, reused, reported and stopped', async () => {
    expect((await xp(['server', 'status'], { cwd })).code).toBe(3);

    const init = await xp(['init'], { cwd });
    expect(init.stderr).toContain('created and started the embedded PostgreSQL');
    expect(init.stdout).toMatch(/installed the xplane provider v\d/);
    expect(init.code).toBe(0);
    expect(statSync(join(cwd, '.xp', 'server.json')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(cwd, '.xp', 'pgdata', 'PG_VERSION'))).toBe(true);

    const again = await xp(['init'], { cwd });
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('started');
    expect(again.stdout).toContain('is installed and current');

    // a real apply on it, from the directory that holds .xp/ and the configuration
    writeFileSync(join(cwd, 'main.xp'), 'database "emb_db" {}\nservice_account "emb_app" {\n  database = database.emb_db\n  connection_secret {\n    path   = "app.json"\n    format = "json"\n  }\n}\n');
    const apply = await xp(['apply', '--auto-approve'], { cwd });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete! Resources: 2 added');
    const secret = JSON.parse(readFileSync(join(cwd, 'app.json'), 'utf8')) as { port: number };
    expect(secret.port).toBe(JSON.parse(readFileSync(join(cwd, '.xp', 'server.json'), 'utf8')).port);
    const plan = await xp(['plan', '--detailed-exitcode'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect((await xp(['destroy', '--auto-approve'], { cwd })).code).toBe(0);

    const status = await xp(['server', 'status'], { cwd });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^running: postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres/);

    expect((await xp(['server', 'stop'], { cwd })).stdout).toBe('stopped\n');
    expect((await xp(['server', 'status'], { cwd })).code).toBe(3);

    // data persists: a restart finds the provider installed
    const restarted = await xp(['init'], { cwd });
    expect(restarted.stderr).toContain('started the embedded PostgreSQL');
    expect(restarted.stdout).toContain('is installed and current');
  });
});

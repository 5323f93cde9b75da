// A control database of its own for each suite: a fresh database on the test server with the
// provider installed (SQL-A's installProvider), so suites never see each other's resources.
import { inject } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { installProvider, upsertProviderConfig, connectionFromUrl } from '../../src/provider/install.js';
import { main } from '../../src/cli/main.js';
import { capture } from '../views/scenarios.js';

export interface ControlDatabase {
  url: string;
  name: string;
  client: pg.Client;
  drop(): Promise<void>;
}

export async function controlDatabase(prefix = 'xp_tui'): Promise<ControlDatabase> {
  const admin = inject('databaseUrl');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const root = new pg.Client({ connectionString: admin });
  await root.connect();
  await root.query(`create database ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await installProvider(client);
  await upsertProviderConfig(client, 'default', connectionFromUrl(url));
  return {
    url,
    name,
    client,
    async drop() {
      await client.end();
      await root.query(`drop database if exists ${name} with (force)`);
      await root.end();
    },
  };
}

/** Runs the CLI in-process, as a pipe would see it (no TTY, no colour), with no connection in the environment. */
export async function xp(args: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(args, { stdout, stderr, env, cwd, color: false });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

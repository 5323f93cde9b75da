import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Chalk } from 'chalk';
import pg from 'pg';
import { controlDatabase, xp, type ControlDatabase } from './provider-fixture.js';
import { watchStatus } from '../../src/cli/commands/status.js';
import { capture } from '../views/scenarios.js';
import { collect, startXp, tempDir } from '../e2e/xp.js';

const sfx = randomBytes(3).toString('hex');
const role = `tui_heal_${sfx}`;
let db: ControlDatabase;

beforeAll(async () => {
  db = await controlDatabase('xp_rec');
  await db.client.query(`select xplane.apply('Role', $1, '{"comment": "heals"}'::jsonb, 'default', 'heal')`, [role]);
});
afterAll(async () => {
  if (!db) return;
  await db.client.query(`drop role if exists ${role}`);
  await db.drop();
});

describe('xp reconcile', () => {
  it('heals drift in one pass and says how many it reconciled', async () => {
    // Someone drops the role behind xp's back.
    await db.client.query(`drop role ${role}`);
    const r = await xp(['reconcile', '--stack', 'heal', '--database-url', db.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Reconciled 1 resource of stack heal\.\n\nNAME/);
    expect(r.stdout).toMatch(new RegExp(`role\\.${role} +Role +- +True +True +\\d+s +Available\\n$`));
    const { rows } = await db.client.query(`select 1 from pg_roles where rolname = $1`, [role]);
    expect(rows).toHaveLength(1);
    const events = await xp(['events', '--stack', 'heal', '--json', '--database-url', db.url]);
    expect(events.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).reason)).toEqual(['Created', 'Created']);
  });

  it('prints JSON with --json and refuses a bad --every', async () => {
    const r = await xp(['reconcile', '--stack', 'heal', '--json', '--database-url', db.url]);
    expect(JSON.parse(r.stdout)).toEqual({ reconciled: expect.any(Number), stack: 'heal' });
    const bad = await xp(['reconcile', '--watch', '--every', 'soon', '--database-url', db.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--every soon: expected a duration');
  });
});

describe('the live status table on a terminal', () => {
  it('draws the table with Ink and the footer, and stops cleanly', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const out = capture(true) as ReturnType<typeof capture> & { rows: number };
    out.rows = 30;
    const abort = new AbortController();
    const watching = watchStatus(listener, out, {
      stack: 'heal',
      json: false,
      interactive: true,
      c: new Chalk({ level: 0 }),
      width: 100,
      signal: abort.signal,
      footer: () => 'Reconciling every 30s — last pass 12:00:00: 1 reconciled',
    });
    try {
      for (let i = 0; i < 200 && !out.text().includes(`role.${role}`); i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      abort.abort();
      await watching;
      await listener.end();
    }
    // eslint-disable-next-line no-control-regex
    const text = out.text().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    expect(text).toMatch(new RegExp(`role\\.${role} +Role +- +True +True`));
    expect(text).toContain('Reconciling every 30s — last pass 12:00:00: 1 reconciled\nWatching stack heal — Ctrl-C to stop');
  });
});

describe('xp reconcile --watch in a pipe', () => {
  it('runs passes and prints the table until Ctrl-C, then exits 0', async () => {
    const child = startXp(['reconcile', '--watch', '--every', '1s', '--stack', 'heal', '--database-url', db.url], { cwd: tempDir() });
    const done = collect(child);
    let seen = '';
    child.stdout!.on('data', (c: Buffer) => (seen += c.toString()));
    for (let i = 0; i < 600 && !(seen.includes(`role.${role}`) && seen.includes('reconciled')); i++) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const r = await done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# \d\d:\d\d:\d\d reconciled \d+$/m);
    expect(r.stdout).toMatch(new RegExp(`^role\\.${role} +Role +- +True +True`, 'm'));
  });
});

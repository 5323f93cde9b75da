// Running xp as a user does: `node bin/xp.js …` in a directory of *.xp files, against the test
// server (passed as --database-url), with a clean environment (no PG* or XP_* leaking in).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { missingServer, serverTargets, versionTargets, type ServerTarget } from '../provider/harness.js';

export const XP = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/xp.js');
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface XpResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PG|XP_)/.test(k) || k === 'CI' || k === 'FORCE_COLOR') continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

export function startXp(args: string[], opts: { cwd: string; env?: Record<string, string> }): ChildProcess {
  return spawn(process.execPath, [XP, ...args], { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * A warning Node printed (`(node:123) [DEP0xxx] DeprecationWarning: …`, `(node:123) Warning: …`):
 * xp's output never holds one. pg's "client.query() when the client is already executing a
 * query" is one: queries overlapping on one connection.
 */
export const NODE_WARNING = /\(node:\d+\) (?:\[[A-Z0-9_]+\] )?\w*Warning: .*|\bDeprecationWarning\b.*/;

export class NodeWarningError extends Error {}

/** The command's output; rejects when Node printed a warning on stderr (see NODE_WARNING). */
export function collect(child: ChildProcess, input?: string): Promise<XpResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  if (input !== undefined) child.stdin!.write(input);
  child.stdin!.end();
  return new Promise((res, rej) =>
    child.on('close', (code, signal) => {
      const warning = NODE_WARNING.exec(stderr);
      if (warning) rej(new NodeWarningError(`xp printed a Node warning: ${warning[0]}\n--- stderr\n${stderr}`));
      else res({ code, signal, stdout, stderr });
    }),
  );
}

export function xp(args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string }): Promise<XpResult> {
  return collect(startXp(args, opts), opts.input);
}

/** A fresh directory (searchable by the server's OS user, for the embedded-server test). */
export function tempDir(prefix = 'xp-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * Copies a configuration into `dest`: its *.xp files and the directories below it (module
 * sources), without what an apply left there (`.xp/`, `secrets/`).
 */
export function copyConfiguration(src: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const entry of readdirSync(src, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== '.xp' && entry.name !== 'secrets') copyConfiguration(join(src, entry.name), join(dest, entry.name));
    else if (entry.isFile() && entry.name.endsWith('.xp')) copyFileSync(join(src, entry.name), join(dest, entry.name));
  }
}

/** A configuration directory named `stack` holding these files. */
export function configDir(stack: string, files: Record<string, string>): string {
  const dir = join(tempDir(), stack);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function writeConfig(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

/** A short unique lower-case name for this test's objects. */
export function unique(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function urlFor(url: string, changes: { user?: string; password?: string; database?: string }): string {
  const u = new URL(url);
  if (changes.user !== undefined) u.username = encodeURIComponent(changes.user);
  if (changes.password !== undefined) u.password = encodeURIComponent(changes.password);
  if (changes.database !== undefined) u.pathname = `/${encodeURIComponent(changes.database)}`;
  return u.toString();
}

/** xp against the test server, in a configuration directory. */
export function xpIn(dir: string, url: string) {
  return (args: string[], opts: { env?: Record<string, string>; input?: string } = {}) => xp([...args, '--database-url', url], { cwd: dir, ...opts });
}

/** The summary of `xp plan --json`. */
export async function planSummary(run: ReturnType<typeof xpIn>, extra: string[] = []): Promise<{ add: number; change: number; destroy: number; changed: string[] }> {
  const r = await run(['plan', '--json', ...extra]);
  if (r.code !== 0) throw new Error(`xp plan failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  const plan = JSON.parse(r.stdout) as { summary: { add: number; change: number; destroy: number }; resources: Array<{ address: string; action: string; changes: unknown[] }> };
  return {
    ...plan.summary,
    changed: plan.resources.filter((x) => x.action !== 'no-op').map((x) => `${x.action} ${x.address} ${JSON.stringify(x.changes)}`),
  };
}

export function expectOk(r: XpResult, what = 'xp'): XpResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code ?? r.signal}:\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

let current: string | undefined;

/**
 * The server of the suite running now (see onEachServer): the embedded PostgreSQL 18 outside one.
 * Suites run one after the other, and each sets it in its first beforeAll, so a file's helpers
 * call it as they called `inject('databaseUrl')`.
 */
export function serverUrl(): string {
  return current ?? inject('databaseUrl');
}

/**
 * A control database of the test's own (with dblink) on the suite's server, so that the provider
 * xp installs there is this build's, whatever other work installed in the server's default
 * database. `drop` removes it.
 */
export async function ownControl(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_control`;
  const admin = (sql: string) => withClient(serverUrl(), (c) => c.query(sql));
  await admin(`create database ${name}`);
  await withClient(urlFor(serverUrl(), { database: name }), (c) => c.query('create extension dblink'));
  return { url: urlFor(serverUrl(), { database: name }), drop: async () => void (await admin(`drop database if exists ${name} with (force)`)) };
}

type SuiteOptions = Parameters<typeof describe>[1];

/**
 * A suite once per server: the embedded PostgreSQL 18 and the system PostgreSQL 15
 * (XP_TEST_PG15_URL; without it a skipped test says what to install, and CI, which sets
 * XP_REQUIRE_SYSTEM=1, fails). The body reaches the server through serverUrl(), in hooks and
 * tests (not while the suite is collected).
 */
export function onEachServer(name: string, options: SuiteOptions, body: () => void): void {
  onTargets(serverTargets(inject('databaseUrl')), name, options, body);
}

/**
 * A suite once per supported major, PostgreSQL 14 to 18 (the access model's observers and
 * actions): 18 embedded, 15 the system's, 14, 16 and 17 from the devDependencies pg14, pg16
 * and pg17 (XP_TEST_VERSIONS=start, see test/setup/global-setup.ts).
 */
export function onEveryVersion(name: string, options: SuiteOptions, body: () => void): void {
  onTargets(versionTargets(inject('databaseUrl')), name, options, body);
}

function onTargets(targets: ServerTarget[], name: string, options: SuiteOptions, body: () => void): void {
  describe.each(targets)(`${name} ($label)`, options as object, (target) => {
    if (missingServer(target)) return;
    beforeAll(() => {
      current = target.url!;
    });
    afterAll(() => {
      current = undefined;
    });
    body();
  });
}

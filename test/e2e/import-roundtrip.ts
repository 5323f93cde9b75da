// The round trip of `xp import`, shared by the examples suite and test/e2e/import.test.ts:
// import what a stack (or a test) put on the server into a fresh directory, check the output
// is formatted and deterministic, and plan it against the same server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { expectOk, tempDir, unique, withClient, xp, xpIn, type XpResult } from './xp.js';

/** The databases and roles a stack manages (to narrow an import to them on a shared server). */
export async function stackScope(url: string, stack: string): Promise<{ databases: string[]; roles: string[] }> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ kind: string; name: string; database: string | null }>(
      `select kind::text as kind, name, database from xplane.managed_resources where stack = $1 and deleted_at is null`,
      [stack],
    );
    const databases = new Set<string>();
    const roles = new Set<string>();
    for (const r of rows) {
      if (r.kind === 'Database') databases.add(r.name);
      else if (r.kind === 'Role' || r.kind === 'ServiceAccount') roles.add(r.name);
      if (r.database) databases.add(r.database);
    }
    return { databases: [...databases].sort(), roles: [...roles].sort() };
  });
}

/** A glob pattern matching exactly `name` (import's --include takes * and ?). */
export const exactly = (name: string): string => name.replace(/[*?]/g, '?');

export interface Imported {
  dir: string;
  text: string;
  result: XpResult;
  run: ReturnType<typeof xpIn>;
}

/**
 * `xp import` into a fresh directory; then the same import again must be byte-identical, and `xp fmt --check` clean.
 * The directory's name is the stack's (when no stack manages the objects): unique, so that what
 * a run that failed before its destroy left in a shared server's records is no other run's.
 */
export async function importInto(url: string, args: string[], name = unique('imported')): Promise<Imported> {
  const dir = join(tempDir('xp-import-'), name);
  const run = xpIn(dir, url);
  const result = expectOk(await xp(['import', dir, ...args, '--database-url', url], { cwd: tempDir() }), 'xp import');
  const text = readFileSync(join(dir, 'main.xp'), 'utf8');
  const again = expectOk(await xp(['import', '--out', '-', ...args, '--database-url', url], { cwd: dir }), 'xp import --out -');
  expect(again.stdout, 'the same server gives byte-identical output').toBe(text);
  const fmt = await xp(['fmt', '--check'], { cwd: dir });
  expect(fmt.stdout + fmt.stderr, 'the output is formatted as xp fmt writes it').toBe('');
  expect(fmt.code).toBe(0);
  return { dir, text, result, run };
}

interface PlanJson {
  summary: { add: number; change: number; destroy: number };
  errors: unknown[];
  resources: Array<{ address: string; action: string; reason?: string; changes: unknown[] }>;
}

/** `xp plan --json` of an imported directory. */
export async function planJson(run: ReturnType<typeof xpIn>): Promise<PlanJson> {
  const r = await run(['plan', '--json']);
  if (r.code !== 0) throw new Error(`xp plan failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as PlanJson;
}

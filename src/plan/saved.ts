// Saved plans (`xp plan --out FILE`, `xp apply FILE`): JSON with a format version. A saved plan
// never holds a password (the plan has none: a generated one is made at apply time) and is
// written with mode 0600 (sensitive non-password values, needed to apply, are in it).
// Applying it later refuses when the server changed since: the observed state is re-read and
// its fingerprint compared with the one the plan was computed from.
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { identityDatabase, previousKey, resourceKey } from './identity.js';
import { contentsToObserve, observedFingerprint, observedHash } from './plan.js';
import { NameMap } from './renames.js';
import { ACTIONS, PLAN_FORMAT_VERSION, type JsonObject, type ObservedItem, type Plan, type ResourcePlan, type ServerState } from './types.js';

/** A saved plan that cannot be used: unreadable, another format, or stale. */
export class SavedPlanError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'SavedPlanError';
  }
}

export interface SavedPlanFile {
  /** Identifies the file; checked on load. */
  format: 'xp-plan';
  formatVersion: typeof PLAN_FORMAT_VERSION;
  plan: Plan;
}

export function serialisePlan(plan: Plan): string {
  const file: SavedPlanFile = { format: 'xp-plan', formatVersion: PLAN_FORMAT_VERSION, plan };
  return JSON.stringify(file, null, 2) + '\n';
}

/** Write atomically (temporary file + rename), readable by its owner only. */
export async function savePlan(plan: Plan, path: string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, serialisePlan(plan), { mode: 0o600, flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function check(cond: boolean, what: string, source: string): asserts cond {
  if (!cond) throw new SavedPlanError(`${source} is not a valid xp plan: ${what}.`, 'Create it again with `xp plan --out FILE`.');
}

/** Parse and validate a saved plan's text. */
export function parsePlan(text: string, source = 'the plan file'): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SavedPlanError(`${source} is not a valid xp plan: it is not JSON.`, 'Create it again with `xp plan --out FILE`.');
  }
  check(isObject(value) && value['format'] === 'xp-plan', 'it is not a file written by `xp plan --out`', source);
  if (value['formatVersion'] !== PLAN_FORMAT_VERSION) {
    throw new SavedPlanError(
      `${source} has plan format version ${JSON.stringify(value['formatVersion'])}; this xp reads version ${PLAN_FORMAT_VERSION}.`,
      'Create the plan again with this version of xp.',
    );
  }
  const plan = value['plan'];
  check(isObject(plan), '"plan" is missing', source);
  check(typeof plan['stack'] === 'string', '"plan.stack" is missing', source);
  check(plan['operation'] === 'apply' || plan['operation'] === 'destroy', '"plan.operation" must be apply or destroy', source);
  check(typeof plan['fingerprint'] === 'string' && /^[0-9a-f]{64}$/.test(plan['fingerprint']), '"plan.fingerprint" is missing', source);
  check(isObject(plan['options']) && isObject(plan['summary']) && Array.isArray(plan['errors']), 'options, summary or errors are missing', source);
  check(Array.isArray(plan['resources']), '"plan.resources" must be a list', source);
  for (const [i, r] of (plan['resources'] as unknown[]).entries()) {
    const at = `resource ${i + 1}`;
    check(isObject(r), `${at} is not an object`, source);
    for (const k of ['address', 'type', 'kind', 'name', 'database', 'provider', 'observedHash'] as const) {
      check(typeof r[k] === 'string', `${at} has no "${k}"`, source);
    }
    check(ACTIONS.includes(r['action'] as never), `${at} has an unknown action ${JSON.stringify(r['action'])}`, source);
    check(isObject(r['spec']) && Array.isArray(r['changes']) && Array.isArray(r['dependsOn']), `${at} is incomplete`, source);
    check(!('password' in (r['spec'] as JsonObject)), `${at} holds a password`, source);
  }
  return plan as unknown as Plan;
}

export async function loadPlan(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SavedPlanError(`cannot read the plan file ${path}${code === 'ENOENT' ? ': no such file' : `: ${code ?? String(err)}`}.`);
  }
  return parsePlan(text, path);
}

/**
 * What must be observed again to check a saved plan: each resource with the spec it was planned
 * with, asked and read as the plan was (src/apply/engine.ts, readPlanInput): a renamed one under
 * its name now too, and names of renamed objects as they are now (NameMap); `read` turns the
 * answer into what the plan saw.
 */
export function observationRequest(plan: Plan): Array<{ kind: ResourcePlan['kind']; name: string; spec: JsonObject; provider: string; read: (item: ObservedItem) => ObservedItem }> {
  const names = new NameMap(
    plan.resources.flatMap((r) => (r.renamedFrom !== undefined && r.action !== 'delete' ? [{ provider: r.provider, kind: r.kind, name: r.name, from: r.renamedFrom, database: r.database }] : [])),
  );
  const asIs = (item: ObservedItem) => item;
  const after = (item: ObservedItem) => names.after(item);
  return plan.resources.flatMap((r) => {
    if (r.action === 'delete') return [{ kind: r.kind, name: r.name, spec: r.spec, provider: r.provider, read: asIs }];
    return [
      { kind: r.kind, name: r.name, spec: names.map(r.kind, r.provider, r.spec, 'now', r.database !== ''), provider: r.provider, read: after },
      // renamed: the object under its name now, too
      ...(previousKey(r) !== undefined ? [{ kind: r.kind, name: r.renamedFrom ?? r.name, spec: names.map(r.kind, r.provider, r.spec, 'now'), provider: r.provider, read: after }] : []),
    ];
  });
}

/** Databases and schemas whose contents must be observed again (the same as when planning). */
export const contentsRequest = contentsToObserve;

/**
 * Refuse a saved plan when the server changed since it was made: `current` is a fresh observe
 * of observationRequest(plan), contents of contentsRequest(plan), the password states and the
 * stack's managed records.
 */
export function assertFresh(plan: Plan, current: ServerState): void {
  const keys = plan.resources.map((r) => resourceKey(r.provider, r.kind, r.database || identityDatabase(r.kind, r.spec), r.name));
  const hashes = plan.resources.map((r, i) => observedHash(keys[i]!, current, previousKey(r)));
  const now = observedFingerprint(keys, current, new Map(keys.map((k, i) => [k, hashes[i]!])));
  if (now === plan.fingerprint) return;
  const changed = plan.resources
    .filter((r, i) => hashes[i] !== r.observedHash)
    .map((r) => r.address);
  const what =
    changed.length > 0
      ? `${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ` and ${changed.length - 5} more` : ''} changed on the server`
      : `the resources stack "${plan.stack}" manages changed`;
  throw new SavedPlanError(`Saved plan is stale: ${what} since the plan was made.`, 'Run `xp plan` again and apply the new plan.');
}

import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Sensitive } from '../../src/model/types.js';
import { assemblePlan } from '../../src/plan/plan.js';
import { assertFresh, loadPlan, observationRequest, parsePlan, savePlan, SavedPlanError, serialisePlan } from '../../src/plan/saved.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { EMPTY, instance, scenario, type Scenario } from './builders.js';

const app = instance('database', 'app', { owner: 'app_owner' });
const api = instance('schema', 'api', { database: 'app', comment: new Sensitive('classified') });
const svc = instance('service_account', 'svc', { database: 'app', password: new Sensitive('hunter2') });
const given: Scenario = {
  desired: [
    { r: app, server: null },
    { r: api, server: { owner: 'bob' } },
    { r: svc, server: null },
  ],
  undeclared: [{ r: instance('schema', 'old', { database: 'app' }), server: 'same' }],
  contents: [[instance('schema', 'old', { database: 'app' }), EMPTY]],
};

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'xp-plan-'));
}

describe('saved plans', () => {
  it('round-trips through a file written with mode 0600, with no password in it', async () => {
    const plan = assemblePlan(scenario(given));
    const file = join(await tmp(), 'plan.json');
    await savePlan(plan, file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadPlan(file)).toEqual(plan);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toMatchObject({ format: 'xp-plan', formatVersion: 1 });
  });

  it('lists what must be observed again, with the planned specs', () => {
    const plan = assemblePlan(scenario(given));
    expect(observationRequest(plan).map((x) => [x.kind, x.name])).toEqual([
      ['Database', 'app'],
      ['Schema', 'api'],
      ['Schema', 'old'],
      ['ServiceAccount', 'svc'],
    ]);
  });

  it('accepts a plan whose server state has not changed', () => {
    const plan = assemblePlan(scenario(given));
    expect(() => assertFresh(parsePlan(serialisePlan(plan)), scenario(given))).not.toThrow();
  });

  it('refuses a stale plan and names what changed', () => {
    const plan = assemblePlan(scenario(given));
    const now = scenario({ ...given, desired: [{ r: app, server: 'same' }, ...given.desired!.slice(1)] });
    let caught: unknown;
    try {
      assertFresh(plan, now);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SavedPlanError);
    expect(caught).toMatchObject({
      message: 'Saved plan is stale: database.app changed on the server since the plan was made.',
      hint: 'Run `xp plan` again and apply the new plan.',
    });
  });

  it('refuses a stale plan when the stack\'s records changed (another apply of the stack)', () => {
    const plan = assemblePlan(scenario(given));
    const now = scenario(given);
    now.managed = now.managed.map((m) => (m.name === 'api' ? { ...m, spec: { ...m.spec, owner: 'carol' } } : m));
    expect(() => assertFresh(plan, now)).toThrow('Saved plan is stale: the resources stack "test" manages changed since the plan was made.');
  });

  it('refuses a stale plan when a dropped schema gained tables', () => {
    const plan = assemblePlan(scenario(given));
    const now = scenario({ ...given, contents: [[instance('schema', 'old', { database: 'app' }), { tables: 1, objects: 0, examples: ['old.t'] }]] });
    expect(() => assertFresh(plan, now)).toThrow('schema.old changed on the server');
  });

  it.each([
    ['not JSON', '{', 'is not a valid xp plan: it is not JSON.'],
    ['another file', '{"hello": 1}', 'is not a valid xp plan: it is not a file written by `xp plan --out`.'],
    ['another version', '{"format": "xp-plan", "formatVersion": 99, "plan": {}}', 'has plan format version 99; this xp reads version 1.'],
    ['a broken resource', JSON.stringify({ format: 'xp-plan', formatVersion: 1, plan: { stack: 's', operation: 'apply', fingerprint: 'a'.repeat(64), options: {}, summary: {}, errors: [], resources: [{ address: 'x' }] } }), 'is not a valid xp plan: resource 1 has no "type".'],
  ])('rejects %s with a clear message', async (_n, content, message) => {
    const file = join(await tmp(), 'plan.json');
    await writeFile(file, content);
    await expect(loadPlan(file)).rejects.toThrow(`${file} ${message}`);
  });

  it('says when the file does not exist', async () => {
    await expect(loadPlan('/nonexistent/plan.json')).rejects.toThrow('cannot read the plan file /nonexistent/plan.json: no such file.');
  });
});

describe('renderPlanJson', () => {
  it('masks sensitive values, never holds a password, and is stable', () => {
    const plan = assemblePlan(scenario(given));
    const out = renderPlanJson(plan);
    expect(out).not.toContain('classified');
    expect(out).not.toContain('hunter2');
    const parsed = JSON.parse(out);
    expect(parsed.resources.find((r: { address: string }) => r.address === 'schema.api').spec.comment).toBe('(sensitive)');
    expect(renderPlanJson(assemblePlan(scenario(given)))).toBe(out);
    expect(Object.keys(parsed)).toEqual(['errors', 'fingerprint', 'formatVersion', 'operation', 'options', 'resources', 'stack', 'summary']);
  });
});

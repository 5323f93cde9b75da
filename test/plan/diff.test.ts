import { describe, expect, it } from 'vitest';
import { kinds, specKeyRules } from '../../src/kinds/index.js';
import type { KindName } from '../../src/model/types.js';
import { createChanges, deleteChanges, diffAttributes, orderedKeys } from '../../src/plan/diff.js';
import type { Json } from '../../src/plan/types.js';

describe('orderedKeys', () => {
  it.each<[string, string[], string[]]>([
    ['keys of the table in its order', ['comment', 'member_of', 'inherit'], ['inherit', 'member_of', 'comment']],
    ['other keys after them, alphabetically', ['zeta', 'comment', 'alpha', 'inherit'], ['inherit', 'comment', 'alpha', 'zeta']],
    ['a key given twice once', ['comment', 'comment', 'x', 'x'], ['comment', 'x']],
    ['no keys', [], []],
    ['an inherited name is not a table key', ['constructor', 'inherit'], ['inherit', 'constructor']],
  ])('%s', (_name, keys, expected) => {
    expect(orderedKeys('Role', keys)).toEqual(expected);
  });

  it('follows the order the kind declares its keys in', () => {
    for (const k of kinds) {
      const declared = [...specKeyRules(k.kind).keys()];
      expect(orderedKeys(k.kind, [...declared].reverse())).toEqual(declared);
    }
  });
});

/** Two different values of a key of each shape. */
const grant = (privileges: string[]): Json => ({ database: 'app', schema: 'api', on: 'tables', privileges, future: false });
const samples: Record<string, [Json, Json]> = {
  value: ['one', 'two'],
  set: [['a'], ['b']],
  map: [{ work_mem: '4MB' }, { work_mem: '8MB' }],
  grants: [[grant(['SELECT'])], [grant(['SELECT', 'INSERT'])]],
};

// The planner keeps no table of its own: every key the registry declares is compared the way
// the registry says. Before, Schema/Extension `database` were immutable only in the planner's
// table and Extension `allow_data_loss` was missing from it (shown when creating an extension).
describe.each(kinds.map((k) => k.kind))('%s: the plan follows the registry', (kind: KindName) => {
  it.each([...specKeyRules(kind)].map(([key, rule]) => [key, rule] as const))('%s', (key, rule) => {
    const [before, after] = samples[rule.shape]!;
    const { changes } = diffAttributes(kind, { [key]: after }, { [key]: before }, {});
    if (!rule.observed) {
      expect(changes).toEqual([]);
    } else {
      expect(changes).toHaveLength(1);
      const change = changes[0]!;
      expect(change.path).toBe(key);
      expect(change.forcesReplacement === true, 'forces a replacement').toBe(rule.immutable);
      expect(change.sensitive === true, 'sensitive').toBe(rule.sensitive);
      if (rule.shape === 'set') expect(change.set).toEqual({ added: ['b'], removed: ['a'] });
      if (rule.shape === 'map' || rule.shape === 'grants') expect(change.elements).toHaveLength(1);
      const desiredNull = diffAttributes(kind, { [key]: null }, { [key]: before }, {});
      expect(desiredNull.changes.length === 0, 'a desired null is not compared').toBe(rule.nullMeansAny);
    }
    const shown = (cs: { path: string }[]) => cs.some((c) => c.path === key);
    expect(shown(createChanges(kind, { [key]: after }, {})), 'shown when creating').toBe(!rule.deleteOnly && key !== 'password');
    expect(shown(deleteChanges(kind, { [key]: before })), 'shown when deleting').toBe(!rule.deleteOnly && key !== 'password');
  });
});

describe('the registry decides, not a table of the planner', () => {
  it('an extension being created does not show allow_data_loss (delete-only)', () => {
    const changes = createChanges('Extension', { database: 'app', schema: null, version: null, allow_data_loss: false }, {});
    expect(changes.map((c) => c.path)).toEqual(['database']);
  });

  it('the database of a schema or an extension cannot change in place', () => {
    for (const kind of ['Schema', 'Extension'] as const) {
      const { changes } = diffAttributes(kind, { database: 'b' }, { database: 'a' }, {});
      expect(changes, kind).toEqual([{ path: 'database', before: 'a', after: 'b', forcesReplacement: true }]);
    }
  });
});

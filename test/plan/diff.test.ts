import { describe, expect, it } from 'vitest';
import { orderedKeys } from '../../src/plan/diff.js';

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
});

// convert() (src/config/type-constraints.ts): the message of a failed conversion names where,
// inside the value, it failed. The path is joined only when a conversion fails (it is not built
// for every element converted), so this checks the joined path at every depth and kind.
import { describe, expect, it } from 'vitest';
import { convert } from '../../src/config/type-constraints.js';
import { listOf, mapOf, NUMBER, setOf, STRING, BOOL, type TypeSpec } from '../../src/model/type-spec.js';

const objectOf = (attrs: Record<string, TypeSpec>): TypeSpec => ({ t: 'object', attrs });

describe('convert', () => {
  it('names the element that failed, through lists, sets, maps and objects', () => {
    const cases: [unknown, TypeSpec, string, string][] = [
      ['x', BOOL, '', 'expected bool, got string'],
      ['x', BOOL, 'zz', 'expected bool, got string at zz'],
      [[1, 'x', {}], listOf(STRING), '', 'expected string, got object at [2]'],
      [[1, 'x', {}], listOf(STRING), '.p', 'expected string, got object at .p[2]'],
      [{ a: [1, [2]] }, mapOf(listOf(NUMBER)), '', 'expected number, got list at ["a"][1]'],
      [{ a: ['1', 'z'] }, mapOf(listOf(NUMBER)), 'q', 'expected number, got string at q["a"][1]'],
      [{ x: 1 }, objectOf({ x: NUMBER, y: STRING }), '', 'attribute "y" is required'],
      [[{ x: 1, y: {} }], listOf(objectOf({ x: NUMBER, y: STRING })), '', 'expected string, got object at [0].y'],
      [[{ x: 1 }], setOf(objectOf({ x: NUMBER, y: STRING })), 'root', 'attribute "y" is required at root[0]'],
    ];
    for (const [value, type, path, message] of cases) {
      expect(convert(value as never, type, path), `${JSON.stringify(value)} at "${path}"`).toEqual({ ok: false, message });
    }
  });

  it('converts what it can: scalars to strings, strings to numbers, sets de-duplicated', () => {
    expect(convert([1, true, 'a'] as never, listOf(STRING), 'p')).toEqual({ ok: true, value: ['1', 'true', 'a'] });
    expect(convert({ a: ['1', '2'] } as never, mapOf(listOf(NUMBER)))).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(convert(['a', 'a', 'b'] as never, setOf(STRING))).toEqual({ ok: true, value: ['a', 'b'] });
  });
});

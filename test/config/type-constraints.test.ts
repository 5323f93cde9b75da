// convert() (src/config/type-constraints.ts) and valueProblem() (src/kinds/domains.ts): the message of a failed conversion names where,
// inside the value, it failed. The path is joined only when a conversion fails (it is not built
// for every element converted), so this checks the joined path at every depth and kind.
import { describe, expect, it } from 'vitest';
import { convert } from '../../src/config/type-constraints.js';
import { CONNECTION_LIMIT, IDENTIFIER, SETTING_NAME, TEXT, valueProblem } from '../../src/kinds/domains.js';
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

describe('valueProblem', () => {
  it('names the element or key that is out of its domain, at any depth', () => {
    const long = 'x'.repeat(70);
    expect(valueProblem(IDENTIFIER, ['ok', long])).toEqual({ problem: "is 70 bytes long, more than PostgreSQL's limit of 63 bytes (NAMEDATALEN)", path: '[1]' });
    expect(valueProblem(IDENTIFIER, ['ok', long], false, 'p')?.path).toBe('p[1]');
    expect(valueProblem(TEXT, { k: ['a', 'b\u0000'] })).toEqual({ problem: 'must not contain a NUL character (\\u0000)', path: '["k"][1]' });
    expect(valueProblem(TEXT, { 'bad\u0000key': 'v' }, false, 'm')).toEqual({ problem: 'the key must not contain a NUL character (\\u0000)', path: 'm["bad\\u0000key"]' });
    expect(valueProblem(TEXT, { good: { 'x y': 'v' } }, false, '', SETTING_NAME)?.path).toBe('["good"]["x y"]');
    expect(valueProblem(CONNECTION_LIMIT, [1, 2, Number.POSITIVE_INFINITY], false, 'q')).toEqual({ problem: 'must be a finite integer, got Infinity', path: 'q[2]' });
    expect(valueProblem(TEXT, { a: ['fine', 'too'] })).toBeUndefined();
  });
});

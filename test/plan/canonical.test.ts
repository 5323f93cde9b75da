import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, compareAddresses, jsonEqual, sortByAddress } from '../../src/plan/canonical.js';
import type { Json } from '../../src/plan/types.js';

/** canonicalJson as first written (filter, sort, map, join): saved plans' fingerprints were made with it. */
function referenceCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${referenceCanonicalJson(obj[k])}`).join(',')}}`;
}

/** Small values (few keys, few constants) so that two drawn values are often equal. */
const { small } = fc.letrec<{ small: unknown }>((tie) => ({
  small: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, 1, -0, 'a', 'b', ''),
    fc.array(tie('small'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', '10', '9'), fc.oneof(tie('small'), fc.constant(undefined)), { maxKeys: 3 }),
  ),
}));

/** The same value with every object's keys in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).reverse()) {
    // defineProperty: a `__proto__` key (fc.jsonValue draws some) must stay an own key
    Object.defineProperty(out, k, { value: reversedKeys((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

describe('canonicalJson', () => {
  it.each([
    ['sorts object keys', { b: 1, a: [true, null, 'x'] }, '{"a":[true,null,"x"],"b":1}'],
    ['sorts by code point, not numerically', { 9: 'n', 10: 't', a: 1 }, '{"10":"t","9":"n","a":1}'],
    ['leaves out keys whose value is undefined', { a: undefined, b: { c: undefined } }, '{"b":{}}'],
    ['prints undefined in a list as null', [undefined, 1], '[null,1]'],
    ['escapes keys and strings', { 'a"b': 'c\nd' }, '{"a\\"b":"c\\nd"}'],
    ['prints a scalar as JSON', 'x', '"x"'],
    ['prints undefined as null', undefined, 'null'],
    ['prints empty containers', { a: [], b: {} }, '{"a":[],"b":{}}'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('prints what the first implementation printed (fingerprints of saved plans still verify)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), small), (v) => {
        expect(canonicalJson(v)).toBe(referenceCanonicalJson(v));
      }),
    );
  });

  it('does not depend on key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(reversedKeys(v))).toBe(canonicalJson(v));
      }),
    );
  });
});

describe('jsonEqual', () => {
  it.each<[string, Json | undefined, Json | undefined, boolean]>([
    ['equal scalars', 'a', 'a', true],
    ['different scalars', 'a', 'b', false],
    ['a number and its text', 1, '1', false],
    ['null and false', null, false, false],
    ['undefined and null', undefined, null, false],
    ['undefined and undefined', undefined, undefined, true],
    ['objects in another key order', { a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 }, true],
    ['a key more', { a: 1 }, { a: 1, b: 2 }, false],
    ['a key fewer', { a: 1, b: 2 }, { a: 1 }, false],
    ['a key whose value is undefined', { a: 1, b: undefined } as unknown as Json, { a: 1 }, true],
    ['an undefined value is not null', { a: null } as Json, { a: undefined, b: null } as unknown as Json, false],
    ['the same keys, other values', { a: 1, b: 2 }, { a: 1, b: 3 }, false],
    ['a list in another order', [1, 2], [2, 1], false],
    ['lists of other lengths', [1, 2], [1, 2, 3], false],
    ['nested lists', [[1, [2]], []], [[1, [2]], []], true],
    ['nested lists that differ deep down', [[1, [2]], []], [[1, [3]], []], false],
    ['an empty list and an empty object', [], {}, false],
    ['a list and an object with index keys', ['x'], { 0: 'x' }, false],
    ['an inherited name is not a key', { constructor: null }, { other: null }, false],
  ])('%s', (_name, a, b, expected) => {
    expect(jsonEqual(a, b)).toBe(expected);
    expect(jsonEqual(b, a)).toBe(expected);
  });

  it('agrees with comparing canonical JSON', () => {
    fc.assert(
      fc.property(small, small, (a, b) => {
        expect(jsonEqual(a as Json, b as Json)).toBe(canonicalJson(a) === canonicalJson(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a value equal to itself with its keys reordered', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(jsonEqual(v as Json, reversedKeys(v) as Json)).toBe(true);
      }),
    );
  });
});

describe('compareAddresses', () => {
  it.each([
    ['x[2]', 'x[10]', -1],
    ['x[10]', 'x[2]', 1],
    ['role.a', 'role.b', -1],
    ['x["01"]', 'x["1"]', -1],
    ['x', 'x[0]', -1],
    ['a', 'a', 0],
  ])('%s against %s', (a, b, sign) => {
    expect(Math.sign(compareAddresses(a, b))).toBe(sign);
  });

  const address = fc.stringMatching(/^[a-z_.]{1,4}(\[([0-9]{1,3}|"[a-z0-9]{0,3}")\])?$/);

  it('gives the same order when each address is cut into parts once (sortByAddress)', () => {
    fc.assert(
      fc.property(fc.array(address, { maxLength: 30 }), (addresses) => {
        expect(sortByAddress(addresses, (a) => a)).toEqual([...addresses].sort(compareAddresses));
      }),
    );
  });

  it('sorts any iterable, by the address it is given', () => {
    expect(sortByAddress(new Set(['x[10]', 'x[2]', 'a']), (a) => a)).toEqual(['a', 'x[2]', 'x[10]']);
    expect(sortByAddress([{ at: 'b' }, { at: 'a' }], (o) => o.at)).toEqual([{ at: 'a' }, { at: 'b' }]);
  });
});

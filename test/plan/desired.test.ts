import { describe, expect, it } from 'vitest';
import { Sensitive, UNKNOWN, type Value } from '../../src/model/types.js';
import { desiredSpecJson, maskOf } from '../../src/plan/desired.js';

describe('maskOf', () => {
  it.each<[string, Value | undefined, ReturnType<typeof maskOf>]>([
    ['absent', undefined, undefined],
    ['a plain scalar', 'x', undefined],
    ['unknown', UNKNOWN, 'unknown'],
    ['sensitive', new Sensitive('s'), 'sensitive'],
    ['a list of plain values', ['a', 'b'], undefined],
    ['a list holding an unknown', ['a', UNKNOWN], 'unknown'],
    ['a list holding both: sensitive wins', [UNKNOWN, new Sensitive('s')], 'sensitive'],
    ['a map holding a sensitive value deep down', { a: [{ b: new Sensitive('s') }] }, 'sensitive'],
    ['a map holding an unknown', { a: 1, b: UNKNOWN }, 'unknown'],
    ['an empty map', {}, undefined],
  ])('%s', (_name, value, expected) => {
    expect(maskOf(value)).toBe(expected);
  });
});

describe('desiredSpecJson', () => {
  it('unwraps sensitive values, nulls nested unknowns, leaves out unknown keys and the password', () => {
    const spec: Record<string, Value> = {
      name: 'app',
      password: 'secret',
      comment: UNKNOWN,
      settings: { search_path: new Sensitive('x'), work_mem: UNKNOWN },
      member_of: ['a', new Sensitive('b')],
    };
    expect(desiredSpecJson({ spec })).toEqual({ name: 'app', settings: { search_path: 'x', work_mem: null }, member_of: ['a', 'b'] });
    expect(Object.keys(desiredSpecJson({ spec }))).toEqual(['name', 'settings', 'member_of']);
  });
});

// Labels of imported objects: a label names its object exactly as the evaluator reads it back
// (name from label: `-` → `_`), or the object carries `name = "…"`; labels are unique per type.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assignLabels, nameFromLabel, roundTripLabel, sanitizedLabel } from '../../src/import/labels.js';

const LABEL = /^[A-Za-z_][A-Za-z0-9_-]*$/;

describe('import labels', () => {
  it('turns _ into - where the name comes back from the label', () => {
    expect(roundTripLabel('app_readers')).toBe('app-readers');
    expect(roundTripLabel('_private_x')).toBe('_private-x');
    expect(roundTripLabel('Shop')).toBe('Shop');
    expect(roundTripLabel('app-readers')).toBeUndefined(); // a hyphen in the name: the label would name app_readers
    expect(roundTripLabel('if')).toBeUndefined(); // a keyword cannot follow `role.`
    expect(roundTripLabel('9lives')).toBeUndefined();
    expect(roundTripLabel('my role')).toBeUndefined();
  });

  it('gives hostile names a valid label and name = "…"', () => {
    for (const name of ['my role', '"q"', 'a\nb', '${x}', 'ünï', '9lives', 'if', '', '---']) {
      expect(sanitizedLabel(name)).toMatch(LABEL);
    }
    const labels = assignLabels([
      { key: 'app-readers', name: 'app-readers' },
      { key: 'app_readers', name: 'app_readers' },
      { key: 'app readers', name: 'app readers' },
    ]);
    expect(labels.get('app_readers')).toEqual({ label: 'app-readers' });
    // the others in byte order of their names
    expect(labels.get('app readers')).toEqual({ label: 'app-readers-2', explicitName: 'app readers' });
    expect(labels.get('app-readers')).toEqual({ label: 'app-readers-3', explicitName: 'app-readers' });
  });

  it('makes a preferred label (database-schema) valid too', () => {
    expect(assignLabels([{ key: 'k', name: 'app', prefer: '1shop-app' }]).get('k')).toEqual({ label: '_1shop-app', explicitName: 'app' });
  });

  it('always names the object exactly, uniquely, and independently of the input order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 12 }), (names) => {
        const items = names.map((n) => ({ key: n, name: n }));
        const a = assignLabels(items);
        const b = assignLabels([...items].reverse());
        expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
        const seen = new Set<string>();
        for (const n of names) {
          const l = a.get(n)!;
          expect(l.label).toMatch(LABEL);
          expect(seen.has(l.label)).toBe(false);
          seen.add(l.label);
          expect(l.explicitName ?? nameFromLabel(l.label)).toBe(n);
        }
      }),
    );
  });
});

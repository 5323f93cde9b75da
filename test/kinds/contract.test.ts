// The registry of kinds says what docs/internals/contracts.md §1 says: same spec keys per kind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kindByName, kinds } from '../../src/kinds/index.js';

const contract = readFileSync(join(import.meta.dirname, '../../docs/internals/contracts.md'), 'utf8');

/** The rows (cells) of the table under `### <title>` (until the next heading). */
function tableRows(title: string): string[][] {
  const start = contract.indexOf(`### ${title}`);
  const section = contract.slice(start).split('\n').slice(1);
  const end = section.findIndex((l) => l.startsWith('#'));
  return section
    .slice(0, end < 0 ? undefined : end)
    .filter((l) => /^\| [a-z_]+ \|/.test(l) && !l.startsWith('| key '))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

/** A default cell as a value: `UTF8` → "UTF8", -1, true, [], {}, null; undefined when prose. */
function defaultOf(cell: string): unknown {
  // one word, optionally followed by an explanation in parentheses: `-1`, `null (default version)`
  const m = /^(\S+)( \(.*\))?$/.exec(cell.replace(/`/g, ''));
  const word = m?.[1];
  if (word === undefined || word.startsWith('(') || word === 'required' || word === '—') return undefined;
  try {
    return JSON.parse(word);
  } catch {
    return /^[A-Za-z0-9_]+$/.test(word) ? word : undefined;
  }
}

/** The first column of the table under `### <title>` (until the next heading). */
function tableKeys(title: string): string[] {
  const start = contract.indexOf(`### ${title}`);
  expect(start, `section "### ${title}" in contracts.md`).toBeGreaterThanOrEqual(0);
  const section = contract.slice(start).split('\n').slice(1);
  const end = section.findIndex((l) => l.startsWith('#'));
  return section
    .slice(0, end < 0 ? undefined : end)
    .filter((l) => /^\| [a-z_]+ \|/.test(l))
    .map((l) => l.split('|')[1]!.trim())
    .filter((k) => k !== 'key');
}

describe('the registry of kinds and contracts.md §1', () => {
  it.each(kinds.map((k) => k.kind))('%s has the spec keys of the contract', (name) => {
    const kind = kindByName(name)!;
    const keys = [...Object.keys(kind.attributes), ...Object.values(kind.blocks).flatMap((b) => (b.specKey ? [b.specKey] : []))];
    expect(keys.sort()).toEqual(tableKeys(name).sort());
  });

  it.each(kinds.map((k) => k.kind))('%s has the defaults of the contract', (name) => {
    const kind = kindByName(name)!;
    let checked = 0;
    for (const [key, , def] of tableRows(name)) {
      const expected = defaultOf(def!);
      const attr = kind.attributes[key!];
      if (!attr) continue; // grants: a block
      // prose defaults ("(current user)", "server default") are decided by the server
      if (expected === undefined) continue;
      expect(attr.default, `${name}.${key}`).toEqual(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('grant blocks have the keys of the Grant table', () => {
    const grant = kindByName('Role')!.blocks['grant']!;
    expect(Object.keys(grant.attributes).sort()).toEqual(tableKeys('Grant').sort());
  });
});

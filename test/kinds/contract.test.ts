// The registry of kinds says what docs/internals/contracts.md §1 says: same spec keys per kind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kindByName, kinds } from '../../src/kinds/index.js';

const contract = readFileSync(join(import.meta.dirname, '../../docs/internals/contracts.md'), 'utf8');

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

  it('grant blocks have the keys of the Grant table', () => {
    const grant = kindByName('Role')!.blocks['grant']!;
    expect(Object.keys(grant.attributes).sort()).toEqual(tableKeys('Grant').sort());
  });
});

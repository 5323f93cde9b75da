// Every catalog query that reads an ACL explodes it item by item. aclexplode(acl) detoasts the
// whole ACL again for every row it returns: on a database granted to 1,000 accounts that took
// 50 ms per database (quadratic in the number of grantees), where unnest(acl) and then
// aclexplode(array[item]) reads it once. Found in the observe of databases; this keeps the
// whole class out of the provider's SQL and of the queries in src/ (import).
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : [],
  );
}

/** aclexplode( not followed by array[ (comments aside: a line's text after "--" or "//"). */
export function wholeAclExplodes(text: string): number[] {
  return text.split('\n').flatMap((line, i) => {
    const code = line.replace(/(--|\/\/).*$/, '');
    return /aclexplode\s*\((?!\s*array\s*\[)/i.test(code) ? [i + 1] : [];
  });
}

it('the check finds a whole-ACL aclexplode and passes the item-by-item form', () => {
  expect(wholeAclExplodes('from pg_catalog.aclexplode(d.datacl) a\n-- aclexplode(acl) is quadratic')).toEqual([1]);
  expect(wholeAclExplodes('cross join lateral pg_catalog.aclexplode(array[i.item]) a')).toEqual([]);
});

it('no query explodes a whole ACL (aclexplode(array[item]) over unnest(acl) instead)', () => {
  const sources = [...files(join(ROOT, 'sql'), '.sql'), ...files(join(ROOT, 'src'), '.ts')];
  expect(sources.length).toBeGreaterThan(50);
  const found = sources.flatMap((f) => wholeAclExplodes(readFileSync(f, 'utf8')).map((n) => `${relative(ROOT, f)}:${n}`));
  expect(found).toEqual([]);
});

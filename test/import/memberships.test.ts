// Who granted a membership, as import writes it (src/import/memberships.ts): granted_by where one
// third grantor made its only grant; a note where it granted it next to other grantors
// (PostgreSQL 16+ keeps one grant per grantor: one granted_by cannot say it); nothing for the
// grants of xp's role and of the bootstrap superuser. The round trip on a real server is
// test/import/roundtrip.test.ts ("a hostile server …").
import { describe, expect, it } from 'vitest';
import type { CatalogRole, Cluster } from '../../src/import/catalog.js';
import { MembershipGrantors, membershipsOf } from '../../src/import/memberships.js';

const role = (name: string, bootstrap = false) => ({ name, bootstrap }) as Cluster['roles'][number];
const grant = (member: string, group: string, grantor: string) => ({ member, group, grantor, admin: false, inherit: null, set: null });
const cluster = {
  me: 'xp',
  roles: [role('postgres', true), role('xp'), role('lead'), role('other'), role('g'), role('a'), role('b'), role('c'), role('d')],
  memberships: [
    grant('a', 'g', 'lead'), // one third grantor: granted_by
    grant('b', 'g', 'lead'), // a third grantor and xp's role: a note
    grant('b', 'g', 'xp'),
    grant('c', 'g', 'postgres'), // the bootstrap superuser: nothing
    grant('d', 'g', 'lead'), // two third grantors: a note
    grant('d', 'g', 'other'),
  ],
};
const catalog = (member_of: string[]) => ({ member_of, member_options: {}, inherit: true }) as unknown as CatalogRole;

describe('import: membership grantors', () => {
  const grantors = new MembershipGrantors(cluster);

  it('granted_by only where one third grantor made the only grant', () => {
    expect(['a', 'b', 'c', 'd'].map((m) => grantors.grantedBy(m, 'g'))).toEqual(['lead', undefined, undefined, undefined]);
  });

  it('a note where a third grantor granted it next to others, for imported members only', () => {
    expect(grantors.notes(() => true)).toEqual([
      'the membership of "b" in "g" was granted by "lead", "xp" (several grantors, one a third grantor); xp declares it, and grants it as itself where it creates it',
      'the membership of "d" in "g" was granted by "lead", "other" (several grantors, one a third grantor); xp declares it, and grants it as itself where it creates it',
    ]);
    expect(grantors.notes((m) => m !== 'd')).toHaveLength(1);
  });

  it('a membership block with granted_by, the others in member_of', () => {
    const ref = (n: string) => `role.${n}`;
    expect(membershipsOf('a', catalog(['g']), grantors, ref, ref)).toEqual({ memberOf: [], blocks: ['membership {\nrole = role.g\ngranted_by = role.lead\n}'] });
    expect(membershipsOf('b', catalog(['g']), grantors, ref, ref)).toEqual({ memberOf: ['g'], blocks: [] });
  });
});

// Memberships as import writes them: member_of for those with the options of a plain GRANT,
// `membership` blocks for the others (the options that differ, and granted_by where a third
// grantor made the membership's only grant), and a note for a membership a third grantor
// granted next to other grantors (one membership, one granted_by: the language cannot say it).
// docs/import.md; docs/kinds/role.md, "Memberships".
import type { CatalogRole, Cluster } from './catalog.js';
import { byName, json } from './grants.js';

const key = (member: string, group: string) => `${member}\u0000${group}`;

/** Who granted each membership (pg_auth_members: one grant per grantor on PostgreSQL 16+). */
export class MembershipGrantors {
  private readonly grantors = new Map<string, string[]>();
  private readonly ordinary: Set<string>;

  constructor(cluster: Pick<Cluster, 'memberships' | 'roles' | 'me'>) {
    // xp's role and the bootstrap superuser (as whom PostgreSQL 16+ records a superuser's
    // grant) are who grants a membership xp creates: not third grantors
    this.ordinary = new Set([cluster.me, ...cluster.roles.filter((r) => r.bootstrap).map((r) => r.name)]);
    for (const m of cluster.memberships) {
      const list = this.grantors.get(key(m.member, m.group)) ?? [];
      if (!list.includes(m.grantor)) list.push(m.grantor);
      this.grantors.set(key(m.member, m.group), list);
    }
  }

  /** The granted_by of a membership: its grantor when one third grantor made its only grant. */
  grantedBy(member: string, group: string): string | undefined {
    const list = this.grantors.get(key(member, group)) ?? [];
    return list.length === 1 && !this.ordinary.has(list[0]!) ? list[0] : undefined;
  }

  /** Notes for the memberships of imported members some third grantor granted next to other grantors. */
  notes(imported: (member: string) => boolean): string[] {
    const notes: string[] = [];
    for (const [k, list] of [...this.grantors].sort(([a], [b]) => byName(a, b))) {
      const [member, group] = k.split('\u0000') as [string, string];
      if (!imported(member) || list.every((g) => this.ordinary.has(g)) || this.grantedBy(member, group) !== undefined) continue;
      notes.push(
        `the membership of ${json(member)} in ${json(group)} was granted by ${[...list].sort(byName).map(json).join(', ')} (several grantors, one a third grantor); xp declares it, and grants it as itself where it creates it`,
      );
    }
    return notes;
  }
}

/**
 * A role's memberships as observe reads them (roles_catalog member_options: an option holds
 * when any grantor's grant carries it): those with the options of a plain GRANT and no
 * granted_by in member_of, the others as `membership` blocks naming what differs.
 * `roleRef`: a reference to (or the name of) a group; `grantorRef`: of a grantor.
 */
export function membershipsOf(
  name: string,
  c: CatalogRole,
  grantors: MembershipGrantors,
  roleRef: (group: string) => string,
  grantorRef: (grantor: string) => string,
): { memberOf: string[]; blocks: string[] } {
  const options = c.member_options ?? {};
  const memberOf: string[] = [];
  const blocks: string[] = [];
  for (const g of [...c.member_of].sort(byName)) {
    const o = options[g];
    const by = grantors.grantedBy(name, g);
    const lines = [
      o?.admin === true ? 'admin = true' : '',
      o?.inherit !== null && o?.inherit !== undefined && o.inherit !== c.inherit ? `inherit = ${String(o.inherit)}` : '',
      o?.set === false ? 'set = false' : '',
      by !== undefined ? `granted_by = ${grantorRef(by)}` : '',
    ].filter(Boolean);
    if (lines.length === 0) memberOf.push(g);
    else blocks.push(['membership {', `role = ${roleRef(g)}`, ...lines, '}'].join('\n'));
  }
  return { memberOf, blocks };
}

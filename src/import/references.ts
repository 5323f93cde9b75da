// Which references of an import can be references without a dependency cycle. A role's grant
// names a database and a schema, a service account its database and schemas, a grant its
// future_owners; a database or schema names its owner, a role the roles it is a member of. On
// a real server these close cycles (a database's owner is a member of a role with a grant in
// that database), and a configuration with a cycle does not plan. The references that create
// an object (owner, member_of, a schema's or extension's database and schema) are always
// references: PostgreSQL itself orders them (a role's memberships form no cycle, an owner exists
// before what it owns). The others are references when they close no cycle, tried in a fixed
// order (role names, then the order the role's block writes them); otherwise the name as a
// string: apply then retries the step until the object exists (dependency_not_ready,
// src/apply/walk.ts), and the declaration is the same.
export class ReferenceGraph {
  private readonly edges = new Map<string, Set<string>>();
  private readonly soft = new Map<string, boolean>();

  /** A reference that is always written: `from` needs `to`. */
  add(from: string, to: string): void {
    let s = this.edges.get(from);
    if (!s) this.edges.set(from, (s = new Set()));
    s.add(to);
  }

  /** Whether `to` (transitively) needs `from`. */
  private reaches(start: string, goal: string): boolean {
    if (start === goal) return true;
    const seen = new Set<string>([start]);
    const stack = [start];
    while (stack.length > 0) {
      for (const next of this.edges.get(stack.pop()!) ?? []) {
        if (next === goal) return true;
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return false;
  }

  /** A reference written only if it closes no cycle; decided once, at the first call. */
  offer(from: string, to: string): boolean {
    const key = `${from}\u0000${to}`;
    let ok = this.soft.get(key);
    if (ok === undefined) {
      ok = !this.reaches(to, from);
      if (ok) this.add(from, to);
      this.soft.set(key, ok);
    }
    return ok;
  }

  /** The decision taken by offer (true if never offered: a reference outside the graph). */
  allowed(from: string, to: string): boolean {
    return this.soft.get(`${from}\u0000${to}`) ?? true;
  }
}

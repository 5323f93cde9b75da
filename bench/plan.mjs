// The planner alone, without a database: assemblePlan on a synthetic input of N tenants × 3
// resources (a role, a schema it owns, a service account with grants on it), as a no-op plan
// (the server as declared, every resource managed) and as a first plan (nothing there).
// Prints CPU ms (user + system) per case on stderr, median of --runs; "+ hashes" also reads
// the plan's fingerprint (every observed hash), which a saved plan and --json need and a
// plain `xp plan` or `xp apply` does not:
//   npm run build && node bench/plan.mjs --tenants 1000
// XP_DIST=/path/to/dist compares another build (e.g. main's) with the same driver.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const dist = process.env.XP_DIST ? pathToFileURL(resolve(process.env.XP_DIST)).href : new URL('../dist', import.meta.url).href;
const { assemblePlan } = await import(`${dist}/plan/plan.js`);
const { desiredSpecJson } = await import(`${dist}/plan/desired.js`);
const { identityDatabase, instanceKey } = await import(`${dist}/plan/identity.js`);

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const tenants = arg('tenants', 1000);
const runs = arg('runs', 9);

const range = { file: 'main.xp', start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
const lifecycle = { prevent_destroy: false, deletion_policy: 'delete', ignore_changes: [] };
const DEFAULTS = {
  Role: { inherit: true, createdb: false, createrole: false, connection_limit: -1, member_of: [], settings: {}, grants: [], comment: null },
  Schema: { database: 'app', owner: 'postgres', comment: null, allow_data_loss: false },
  ServiceAccount: { database: 'app', schemas: [], grants: [], member_of: [], connection_limit: -1, valid_until: null, comment: null },
};
const resource = (type, kind, name, spec, dependsOn) => ({ address: `${type}.${name}`, type, kind, name, spec, provider: 'default', lifecycle, dependsOn, range });

function input(noop) {
  const resources = [];
  for (let i = 0; i < tenants; i++) {
    resources.push(resource('role', 'Role', `t${i}_owner`, {}, []));
    resources.push(resource('schema', 'Schema', `t${i}`, { database: 'app', owner: `t${i}_owner` }, [`role.t${i}_owner`]));
    const grants = [{ database: 'app', schema: `t${i}`, on: 'tables', privileges: ['INSERT', 'SELECT'], future: true }];
    resources.push(resource('service_account', 'ServiceAccount', `t${i}_app`, { database: 'app', schemas: [`t${i}`], grants, member_of: [`t${i}_owner`] }, [`role.t${i}_owner`, `schema.t${i}`]));
  }
  const observed = new Map();
  const managed = [];
  const passwords = new Map();
  for (const r of resources) {
    const normalized = { ...DEFAULTS[r.kind], ...desiredSpecJson(r) };
    const state = { ...normalized };
    delete state.allow_data_loss;
    const database = identityDatabase(r.kind, r.spec);
    observed.set(instanceKey(r), { kind: r.kind, name: r.name, database, provider: 'default', normalized, observed: noop ? state : null });
    if (noop) {
      managed.push({ stack: 'bench', kind: r.kind, name: r.name, database, provider: 'default', spec: normalized, deletion_policy: 'delete', prevent_destroy: false, ignore_changes: [], address: r.address });
      if (r.kind === 'ServiceAccount') passwords.set(instanceKey(r), 'match');
    }
  }
  return { config: { dir: '/tmp/bench', stack: 'bench', providers: [], resources, outputs: [] }, managed, observed, passwords, foreign: [], options: {} };
}

function measure(label, noop, readHashes) {
  const data = input(noop);
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.cpuUsage();
    const plan = assemblePlan(data);
    if (readHashes && plan.fingerprint.length !== 64) throw new Error('no fingerprint');
    const d = process.cpuUsage(t0);
    if (plan.errors.length > 0 || plan.resources.length !== 3 * tenants) throw new Error(`${label}: unexpected plan`);
    times.push((d.user + d.system) / 1000);
  }
  times.sort((a, b) => a - b);
  process.stderr.write(`${label.padEnd(24)} median ${times[Math.floor(times.length / 2)].toFixed(0)} ms CPU (runs: ${times.map((t) => t.toFixed(0)).join(', ')})\n`);
}

process.stderr.write(`tenants=${tenants} resources=${3 * tenants} dist=${dist}\n`);
measure('no-op plan', true, false);
measure('no-op plan + hashes', true, true);
measure('first plan', false, false);
measure('first plan + hashes', false, true);

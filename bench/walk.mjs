// The apply walker and the progress views alone, without a database: a synthetic plan of
// N tenants × 3 resources (role ← schema ← grant, each tenant also on a shared owner role),
// listed by address,
// walked with a no-op executor. Prints CPU ms (user + system) per case on stderr; the views
// write to this process's stdout, so run it with stdout on a pipe, as CI and the bench do:
//   npm run build && node bench/walk.mjs --tenants 1000 | cat > /dev/null
// XP_DIST=/path/to/dist compares another build (e.g. main's) with the same driver.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const dist = process.env.XP_DIST ? pathToFileURL(resolve(process.env.XP_DIST)).href : new URL('../dist', import.meta.url).href;
const { walk, walkSteps } = await import(`${dist}/apply/walk.js`);
const { PlainApplyView } = await import(`${dist}/views/plain.js`);
const { JsonLinesApplyView } = await import(`${dist}/views/json.js`);

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const tenants = arg('tenants', 1000);
const runs = arg('runs', 5);

function resources(action) {
  const out = [{ address: 'role.owner', action, kind: 'role', dependsOn: [] }];
  for (let i = 0; i < tenants; i++) {
    out.push({ address: `role.t${i}`, action, kind: 'role', dependsOn: ['role.owner'] });
    out.push({ address: `schema.t${i}`, action, kind: 'schema', dependsOn: [`role.t${i}`, 'role.owner'] });
    out.push({ address: `grant.t${i}`, action, kind: 'grant', dependsOn: [`schema.t${i}`, `role.t${i}`] });
  }
  // Plans list resources by address (grants, then roles, then schemas): the worst order for a
  // walker that scans the waiting list for ready steps.
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

const nullView = { onEvent() {}, async close() {} };
// Resolves on the next turn of the event loop, as a database round trip would.
const execute = () => new Promise((r) => setImmediate(() => r({ ok: true, statusCode: 'success', message: '' })));

// Counts the write calls the views make on stdout (each is a system call on a pipe).
let writes = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (...args) => {
  writes++;
  return write(...args);
};

// Steps that take a few milliseconds each, so that lines arrive over time as in a real apply.
const slowExecute = () => new Promise((r) => setTimeout(() => r({ ok: true, statusCode: 'success', message: '' }), 2));

async function measure(label, action, makeView, exec = execute) {
  const times = [];
  writes = 0;
  for (let r = 0; r < runs; r++) {
    const view = makeView();
    const t0 = process.cpuUsage();
    const steps = walkSteps(resources(action));
    // executeBatch: this build's walker; execute: a build from before it (XP_DIST).
    const res = await walk({ operation: action === 'delete' ? 'destroy' : 'apply', steps, parallelism: 4, executeBatch: (batch) => batch.map(exec), execute: exec, view });
    await view.close();
    const d = process.cpuUsage(t0);
    if (res.failed || res.skipped || res.interrupted) throw new Error(`${label}: unexpected result ${JSON.stringify(res)}`);
    times.push((d.user + d.system) / 1000);
  }
  times.sort((a, b) => a - b);
  process.stderr.write(`${label.padEnd(26)} median ${times[Math.floor(times.length / 2)].toFixed(0)} ms CPU (runs: ${times.map((t) => t.toFixed(0)).join(', ')}), ${writes / runs} stdout writes per run\n`);
}

process.stderr.write(`tenants=${tenants} steps=${1 + 3 * tenants} stdout is ${process.stdout.isTTY ? 'a TTY' : 'not a TTY'}\n`);
await measure('walk create, no view', 'create', () => nullView);
await measure('walk delete, no view', 'delete', () => nullView);
await measure('walk create + plain view', 'create', () => new PlainApplyView({ stdout: process.stdout, stderr: process.stderr, color: false }));
await measure('walk create + json view', 'create', () => new JsonLinesApplyView(process.stdout));
await measure('plain view, 2 ms steps', 'create', () => new PlainApplyView({ stdout: process.stdout, stderr: process.stderr, color: false }), slowExecute);

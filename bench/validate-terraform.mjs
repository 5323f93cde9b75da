#!/usr/bin/env node
// `xp validate` beside `terraform validate` on the same machine in the same minutes: the
// benchmark configuration of N tenants (bench/validate.mjs) and its equivalent in Terraform,
// one `terraform_data` resource per xp resource with the same attributes and references (the
// built-in provider: no download, `terraform init` works offline). Runs alternate (xp,
// terraform, xp, …) so that both see the same load; reports wall time, CPU time (user + sys)
// and peak RSS of each whole command, medians, and the ratio terraform / xp.
//
//   npm run build && node bench/validate-terraform.mjs [N=10000] [runs=5] [pause=0]
//
// `pause`: milliseconds to wait before each command, so that neither starts while the machine
// is still busy with the other (terraform keeps both cores busy for 15 s).
//
// Needs `terraform` on PATH (or XP_BENCH_TERRAFORM) and GNU time at /usr/bin/time (Debian:
// `apt-get install time`) for the children's CPU time and peak RSS.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const n = Number(process.argv[2] ?? 10000);
const runs = Number(process.argv[3] ?? 5);
const pauseMs = Number(process.argv[4] ?? 0);
const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
const terraform = process.env.XP_BENCH_TERRAFORM ?? 'terraform';
if (!existsSync('/usr/bin/time')) throw new Error('GNU time is needed at /usr/bin/time (Debian: apt-get install time)');

// the same tenant as bench/validate.mjs: a schema, a group role, a service account with a grant
function tenant(i) {
  const t = `t${String(i).padStart(5, '0')}`;
  return `resource "terraform_data" "schema_${t}" {
  input = {
    name     = "${t}"
    database = terraform_data.database_saas.input.name
    owner    = terraform_data.role_saas_owner.input.name
  }
}

resource "terraform_data" "role_${t}_users" {
  input = {
    name      = "${t}_users"
    member_of = [terraform_data.role_readonly.input.name]
  }
}

resource "terraform_data" "service_account_${t}_app" {
  input = {
    name             = "${t}_app"
    database         = terraform_data.database_saas.input.name
    schemas          = [terraform_data.schema_${t}.input.name]
    member_of        = [terraform_data.role_${t}_users.input.name]
    connection_limit = 20
    grant = [{
      schema     = terraform_data.schema_${t}.input.name
      on         = "tables"
      privileges = ["SELECT", "INSERT", "UPDATE", "DELETE"]
      future     = true
    }]
  }
}
`;
}

function generateTerraform() {
  const dir = mkdtempSync(join(tmpdir(), `xp-bench-terraform-${n}-`));
  writeFileSync(
    join(dir, 'main.tf'),
    `resource "terraform_data" "role_saas_owner" {
  input = { name = "saas_owner" }
}

resource "terraform_data" "role_readonly" {
  input = { name = "readonly" }
}

resource "terraform_data" "database_saas" {
  input = {
    name  = "saas"
    owner = terraform_data.role_saas_owner.input.name
  }
}
`,
  );
  const perFile = 500; // as bench/validate.mjs
  for (let start = 0; start < n; start += perFile) {
    let text = '';
    for (let i = start; i < Math.min(n, start + perFile); i++) text += tenant(i) + '\n';
    writeFileSync(join(dir, `tenants-${String(start / perFile).padStart(3, '0')}.tf`), text);
  }
  const init = spawnSync(terraform, ['init', '-input=false', '-no-color'], { cwd: dir, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
  return dir;
}

/** One whole command under GNU time: wall, CPU (user + sys) and peak RSS. */
function measure(command, args, cwd) {
  const r = spawnSync('/usr/bin/time', ['-f', 'XP_TIME %e %U %S %M', command, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', TF_IN_AUTOMATION: '1' },
  });
  const m = /XP_TIME (\S+) (\S+) (\S+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr.slice(0, 2000)}`);
  return { wallMs: Number(m[1]) * 1000, cpuMs: (Number(m[2]) + Number(m[3])) * 1000, rssMb: Number(m[4]) / 1024 };
}

const xpDir = execFileSync(process.execPath, [join(root, 'bench/validate.mjs'), '--generate', String(n)], { encoding: 'utf8' }).trim();
const tfDir = generateTerraform();
const results = { xp: [], terraform: [] };
try {
  for (let i = 0; i < runs; i++) {
    pause();
    results.xp.push(measure(process.execPath, [join(root, 'bin/xp.js'), 'validate', xpDir], root));
    pause();
    results.terraform.push(measure(terraform, ['validate', '-no-color'], tfDir));
    const [x, t] = [results.xp[i], results.terraform[i]];
    process.stderr.write(`run ${i + 1}: xp ${x.wallMs.toFixed(0)} ms, terraform ${t.wallMs.toFixed(0)} ms (wall)\n`);
  }
} finally {
  rmSync(xpDir, { recursive: true, force: true });
  rmSync(tfDir, { recursive: true, force: true });
}

const m = (who, key) => median(results[who].map((r) => r[key]));
const range = (who, key) => `${Math.min(...results[who].map((r) => r[key])).toFixed(0)}–${Math.max(...results[who].map((r) => r[key])).toFixed(0)}`;
console.log(`${n.toLocaleString('en-US')} tenants (${(3 * n + 3).toLocaleString('en-US')} resources), ${runs} alternated runs each${pauseMs ? `, ${pauseMs} ms pause before each` : ''}\n`);
console.log('| command | wall time (median) | wall (min–max) | CPU time, user + sys (median) | peak RSS (median) |');
console.log('|---|---:|---:|---:|---:|');
for (const who of ['xp', 'terraform']) {
  console.log(`| ${who} validate | ${m(who, 'wallMs').toFixed(0)} ms | ${range(who, 'wallMs')} ms | ${m(who, 'cpuMs').toFixed(0)} ms | ${m(who, 'rssMb').toFixed(0)} MB |`);
}
const ratio = (key) => (m('terraform', key) / m('xp', key)).toFixed(1);
console.log(`| terraform / xp | ${ratio('wallMs')}× | | ${ratio('cpuMs')}× | ${ratio('rssMb')}× |`);

// `xp output`: the configuration's outputs. Sensitive values print as (sensitive) unless asked
// for explicitly (--json, or --raw NAME); --json also carries each service account's
// connection secret, read back from its connection_secret file.
import type { CommandIO, ParsedArgs } from './command.js';
import { ExitCode, ExitError } from './errors.js';
import { Sensitive, UNKNOWN, type Value } from '../../model/types.js';
import { connectionUri, readSecret, secretPath } from '../../secrets/secret-file.js';
import { configDir, readConfiguration, str } from './workspace.js';

type Plain = string | number | boolean | null | Plain[] | { [k: string]: Plain };

function reveal(v: Value): Plain {
  if (v === UNKNOWN) return '(known after apply)';
  if (v instanceof Sensitive) return reveal(v.value as Value);
  if (Array.isArray(v)) return v.map(reveal);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
  return v;
}

function masked(v: Value): Plain {
  if (v === UNKNOWN) return '(known after apply)';
  if (v instanceof Sensitive) return '(sensitive)';
  if (Array.isArray(v)) return v.map(masked);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, masked(x)]));
  return v;
}

const show = (v: Plain): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v, null, 2));

export async function run({ flags, positionals }: ParsedArgs, io: CommandIO): Promise<number> {
  const dir = configDir(io, positionals[0]);
  const config = await readConfiguration(io, dir, flags);
  const raw = str(flags.raw);
  const only = raw ?? positionals[1];
  const outputs = config.outputs.filter((o) => only === undefined || o.name === only);
  if (only !== undefined && outputs.length === 0) throw new ExitError(`no output named "${only}"`, 1, `Outputs: ${config.outputs.map((o) => o.name).join(', ') || '(none)'}`);
  if (raw !== undefined) {
    const v = reveal(outputs[0]!.value);
    io.stdout.write(typeof v === 'string' ? v : JSON.stringify(v));
    if (io.stdout.isTTY) io.stdout.write('\n');
    return ExitCode.ok;
  }
  if (flags.json) {
    const result: Record<string, Plain> = {};
    for (const o of outputs) result[o.name] = { value: reveal(o.value), sensitive: o.sensitive || o.value instanceof Sensitive };
    if (only === undefined) {
      const secrets: Record<string, Plain> = {};
      for (const r of config.resources) {
        if (!r.connectionSecret) continue;
        let c: ReturnType<typeof readSecret> = null;
        try {
          c = readSecret(secretPath(dir, r.connectionSecret), r.connectionSecret.format);
        } catch {
          // a path xp may not use: reported when the configuration is read
        }
        secrets[r.address] = c ? { ...c, uri: connectionUri(c) } : null;
      }
      if (Object.keys(secrets).length > 0) result['connection_secrets'] = { value: secrets, sensitive: true };
    }
    io.stdout.write(JSON.stringify(only === undefined ? result : result[only], null, 2) + '\n');
    return ExitCode.ok;
  }
  if (outputs.length === 0) {
    io.stdout.write('No outputs. Declare them with: output "name" { value = … }\n');
    return ExitCode.ok;
  }
  for (const o of outputs) {
    const v = o.sensitive ? '(sensitive)' : show(masked(o.value));
    io.stdout.write(only !== undefined ? `${v}\n` : `${o.name} = ${v}\n`);
  }
  return ExitCode.ok;
}

// `xp import [dir] [--out FILE|DIR] [--include P] [--exclude P] [--databases a,b] [--force] [--import-blocks]`:
// read a running server and write the xp configuration that declares it (docs/import.md).
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { CommandIO, ParsedArgs } from './command.js';
import { ExitCode, ExitError } from './errors.js';
import { list, str } from './flags.js';
import { configurationFileNames } from '../../config/files.js';
import { formatSource } from '../../dsl/format.js';
import { readServer } from '../../import/catalog.js';
import { generate, ImportError } from '../../import/generate.js';
import { configDir, readConfiguration, startSession, userError } from './workspace.js';
import type { Configuration } from '../../model/types.js';
import { identityKey, type Declared } from '../../import/generate.js';
import { resourcePart } from '../../model/address.js';

/** The provider config import reads through: the session's own connection. */
const PROVIDER = 'default';

export async function run({ flags, positionals }: ParsedArgs, io: CommandIO): Promise<number> {
  if (positionals.length > 1) throw new ExitError(`expected at most one directory, got ${positionals.length}: ${positionals.join(' ')}`, ExitCode.usage);
  const check = Boolean(flags.check);
  if (check && (flags.out !== undefined || flags.force || flags['import-blocks']))
    throw new ExitError('--check writes nothing: it takes neither --out, --force nor --import-blocks', ExitCode.usage);
  // --check: the configuration to compare with, read (and its errors reported) before connecting
  const config = check ? await readConfiguration(io, configDir(io, positionals[0]), flags) : undefined;
  const target: OutputTarget = check ? { shown: 'missing.xp', force: false } : outputTarget(io, positionals[0], str(flags.out), Boolean(flags.force));
  const include = list(flags.include);
  const exclude = list(flags.exclude);
  const databasesFlag = str(flags.databases);
  const databases = databasesFlag === undefined ? undefined : databasesFlag.split(',').map((d) => d.trim()).filter((d) => d !== '');
  if (databases !== undefined && databases.length === 0) throw new ExitError('--databases: expected a comma-separated list of database names', ExitCode.usage);

  const session = await startSession(io, flags, 'import', config);
  let text: string;
  let missing = 0;
  try {
    const client = session.control;
    const input = await readServer(client, PROVIDER, { include, exclude, ...(databases ? { databases } : {}) }).catch(userError);
    let result;
    try {
      result = generate(
        input,
        {
          include,
          exclude,
          ...(databases ? { databases } : {}),
          ...(config ? { declared: declaredBy(config) } : {}),
          ...(flags['import-blocks'] ? { importBlocks: true } : {}),
        },
      );
    } catch (err) {
      if (err instanceof ImportError) throw new ExitError(err.message, ExitCode.error);
      throw err;
    }
    const formatted = formatSource(target.shown, result.text);
    if (formatted.output === undefined) {
      // the generator wrote something the language does not read back: a bug in xp, never a half-written file
      throw new Error(`xp import produced a configuration that does not parse: ${formatted.diagnostics.map((d) => d.message).join('; ')}`);
    }
    text = formatted.output;
    for (const w of result.warnings) io.stderr.write(`xp: warning: ${w}\n`);
    if (result.notImported.length > 0) {
      io.stderr.write(`xp: ${result.notImported.length} fact${result.notImported.length === 1 ? '' : 's'} of the server not imported (listed at the top of the output):\n`);
      for (const n of result.notImported) io.stderr.write(`  - ${n.replace(/[\r\n]/g, ' ')}\n`);
    }
    const c = result.counts;
    missing = c.database + c.schema + c.extension + c.role + c.service_account;
    if (check) {
      io.stderr.write(
        missing === 0
          ? 'xp: the configuration declares every object xp import finds on the server\n'
          : `xp: missing from the configuration: ${c.database} database${c.database === 1 ? '' : 's'}, ${c.schema} schema${c.schema === 1 ? '' : 's'}, ${c.extension} extension${c.extension === 1 ? '' : 's'}, ${c.role} role${c.role === 1 ? '' : 's'}, ${c.service_account} service account${c.service_account === 1 ? '' : 's'}\n`,
      );
    } else io.stderr.write(
      `xp: imported ${c.database} database${c.database === 1 ? '' : 's'}, ${c.schema} schema${c.schema === 1 ? '' : 's'}, ${c.extension} extension${c.extension === 1 ? '' : 's'}, ${c.role} role${c.role === 1 ? '' : 's'}, ${c.service_account} service account${c.service_account === 1 ? '' : 's'}${target.file ? ` into ${target.shown}` : ''}\n`,
    );
  } finally {
    await session.close();
  }
  if (check) {
    if (missing > 0) io.stdout.write(text);
    return missing > 0 ? ExitCode.changes : ExitCode.ok;
  }
  if (target.file === undefined) io.stdout.write(text);
  else {
    mkdirSync(dirname(target.file), { recursive: true });
    writeFileSync(target.file, text, { flag: target.force ? 'w' : 'wx' });
  }
  return ExitCode.ok;
}

interface OutputTarget {
  /** undefined: standard output. */
  file?: string;
  shown: string;
  force: boolean;
}

/**
 * Where the configuration goes, decided (and refused) before connecting: `--out -` is standard
 * output; `--out FILE` that file; `--out DIR` or `[dir]` (default: the current directory) DIR/main.xp.
 * An existing file, or a directory already holding *.xp files (they would be read together with
 * the import), is refused unless --force.
 */
function outputTarget(io: CommandIO, positional: string | undefined, out: string | undefined, force: boolean): OutputTarget {
  if (out === '-') return { shown: 'main.xp', force };
  let dir: string;
  let file: string;
  if (out !== undefined) {
    const p = resolve(io.cwd, out);
    if ((existsSync(p) && statSync(p).isDirectory()) || out.endsWith('/')) {
      dir = p;
      file = join(p, 'main.xp');
    } else {
      dir = dirname(p);
      file = p;
    }
  } else {
    dir = resolve(io.cwd, positional ?? '.');
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ExitError(`${positional}: not a directory`, ExitCode.usage, 'Pass a directory to write main.xp into, or --out FILE.');
    file = join(dir, 'main.xp');
  }
  const shown = relative(io.cwd, file) || file;
  if (!force) {
    if (existsSync(file)) throw new ExitError(`${shown} already exists; nothing was written`, ExitCode.error, 'Pass --force to overwrite it, or --out another path.');
    const others = existsSync(dir) && statSync(dir).isDirectory() && file.endsWith('.xp') ? configurationFileNames(dir) : [];
    if (others.length > 0)
      throw new ExitError(
        `${relative(io.cwd, dir) || '.'} already holds ${others.join(', ')}: the imported configuration would be read together with it; nothing was written`,
        ExitCode.error,
        'Import into an empty directory, or pass --force.',
      );
  }
  return { file, shown, force };
}

/** What a configuration declares, for --check: identities → addresses, and the labels it uses. */
function declaredBy(config: Configuration): Declared {
  const addresses: Declared['addresses'] = new Map();
  const labels: Declared['labels'] = {};
  for (const r of config.resources) {
    const ns = r.kind === 'Database' ? 'database' : r.kind === 'Schema' ? 'schema' : r.kind === 'Extension' ? 'extension' : 'role';
    const database = typeof r.spec['database'] === 'string' ? r.spec['database'] : '';
    addresses.set(identityKey(ns, database, r.name), { address: r.address, type: r.type });
    // the labels of the root configuration's resources (a module's are its own)
    if (resourcePart(r.address) !== r.address) continue;
    const label = r.address.slice(r.type.length + 1).replace(/\[.*$/s, '');
    (labels[r.type] ??= new Set()).add(label);
  }
  return { addresses, labels };
}

// Encoding, hashing and file-system functions, with Terraform's semantics. File paths are
// relative to the configuration directory and confined to it (function-paths.ts).
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { FunctionError, str, type FunctionDef } from './function-args.js';
import { configPath, staysInside } from './function-paths.js';
import { toPlain, type EvalValue } from './values.js';

// loaded on first use: the YAML library takes longer to load than a whole `xp validate` of a small configuration
let yamlLibrary: typeof import('yaml') | undefined;
const yaml = () => (yamlLibrary ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

const hash = (algorithm: string, fn: string): FunctionDef => ({
  arity: [1, 1],
  signature: `${fn}(string)`,
  impl: (a) => createHash(algorithm).update(str(a, 0, fn), 'utf8').digest('hex'),
});

/** Go's path.Clean: `.` for nothing, no `//`, `.` or trailing `/`, `..` resolved where it can be. */
function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out.at(-1) !== '..') out.pop();
    else if (part !== '..' || !rooted) out.push(part);
  }
  const s = out.join('/');
  return rooted ? `/${s}` : s || '.';
}

/** Strict UTF-8 decoding: undefined when the bytes are not UTF-8. */
function utf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Go's url.QueryEscape: unreserved characters kept, space as `+`, the rest %XX of UTF-8. */
function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** RFC 4180 records as Go's encoding/csv reads them; throws a message with the line on error. */
function parseCSV(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      // an empty line is skipped
      i += text[i] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new Error(`CSV parse error on line ${recordLine}: extraneous or missing " in quoted-field`);
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          throw new Error(`CSV parse error on line ${line}: extraneous or missing " in quoted-field`);
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          if (text[i] === '"') throw new Error(`CSV parse error on line ${line}: bare " in non-quoted-field`);
          field += text[i++];
        }
      }
      fields.push(field.replace(/\r\n/g, '\n'));
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (i < text.length) {
        i += text[i] === '\r' ? 2 : 1;
        line++;
      }
      break;
    }
    if (records.length > 0 && fields.length !== records[0]!.length) throw new Error(`CSV parse error on line ${recordLine}: wrong number of fields`);
    records.push(fields);
  }
  return records;
}

/** A glob of fileset() as a regular expression over `/`-separated relative paths. */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  let i = 0;
  let braces = 0;
  const fail = (why: string): never => {
    throw new FunctionError(`fileset: invalid pattern "${pattern}": ${why}`, 1);
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        re += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 3 : 2;
      } else {
        re += '[^/]*';
        i++;
      }
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) fail('unclosed [');
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, (x) => `\\${x}`)}]`;
      i = end + 1;
    } else if (c === '{') {
      braces++;
      re += '(?:';
      i++;
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
      i++;
    } else if (c === ',' && braces > 0) {
      re += '|';
      i++;
    } else if (c === '\\' && i + 1 < pattern.length) {
      re += pattern[i + 1]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i += 2;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  if (braces > 0) fail('unclosed {');
  try {
    return new RegExp(`^${re}$`, 'u');
  } catch (err) {
    return fail((err as Error).message);
  }
}

/** Regular files under `dir` (relative, `/`-separated); symbolic links that lead outside `root` are left out. */
function walk(root: string, dir: string, prefix: string, out: string[], budget: { left: number }, depth: number): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new FunctionError(`fileset: cannot read "${prefix || '.'}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 0);
  }
  for (const entry of entries) {
    if (--budget.left < 0) throw new FunctionError('fileset: more than 100,000 entries under the directory', 0);
    const full = join(dir, entry.name);
    const rel = prefix + entry.name;
    if (entry.isDirectory()) {
      if (depth > 1) walk(root, full, `${rel}/`, out, budget, depth - 1);
    } else if (entry.isFile()) out.push(rel);
    else if (entry.isSymbolicLink() && staysInside(root, full)) {
      try {
        if (statSync(full).isFile()) out.push(rel);
      } catch {
        // a dangling link is no file
      }
    }
  }
}

/** Whether a decoded value contains itself (a YAML alias inside its own anchor). */
function isCyclic(v: unknown, open = new Set<unknown>()): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (open.has(v)) return true;
  open.add(v);
  const cyclic = Object.values(v).some((x) => isCyclic(x, open));
  open.delete(v);
  return cyclic;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const NAMESPACES: Record<string, string> = {
  dns: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  url: '6ba7b811-9dad-11d1-80b4-00c04fd430c8',
  oid: '6ba7b812-9dad-11d1-80b4-00c04fd430c8',
  x500: '6ba7b814-9dad-11d1-80b4-00c04fd430c8',
};

export const encodingFunctions: Record<string, FunctionDef> = {
  base64encode: {
    arity: [1, 1],
    signature: 'base64encode(string)',
    impl: (a) => Buffer.from(str(a, 0, 'base64encode'), 'utf8').toString('base64'),
  },
  base64decode: {
    arity: [1, 1],
    signature: 'base64decode(string)',
    impl(a) {
      const s = str(a, 0, 'base64decode').replace(/[\r\n]/g, '');
      if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
        throw new FunctionError('base64decode: the string is not valid base64 (standard alphabet, with = padding)', 0);
      }
      const text = utf8(Buffer.from(s, 'base64'));
      if (text === undefined) throw new FunctionError('base64decode: the result of decoding the provided string is not valid UTF-8', 0);
      return text;
    },
  },
  urlencode: { arity: [1, 1], signature: 'urlencode(string)', impl: (a) => queryEscape(str(a, 0, 'urlencode')) },
  csvdecode: {
    arity: [1, 1],
    signature: 'csvdecode(string)',
    impl(a) {
      let records: string[][];
      try {
        records = parseCSV(str(a, 0, 'csvdecode'));
      } catch (err) {
        throw new FunctionError(`csvdecode: ${(err as Error).message}`, 0);
      }
      const [header, ...rows] = records;
      if (!header) throw new FunctionError('csvdecode: missing header line', 0);
      const seen = new Set<string>();
      for (const name of header) {
        if (seen.has(name)) throw new FunctionError(`csvdecode: duplicate column name "${name}"`, 0);
        seen.add(name);
      }
      return rows.map((row) => Object.fromEntries(header.map((name, j) => [name, row[j]!])));
    },
  },
  yamlencode: {
    arity: [1, 1],
    signature: 'yamlencode(value)',
    impl(a) {
      const doc = new (yaml().Document)(toPlain(a[0]!), { sortMapEntries: true });
      return doc.toString({ defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'QUOTE_DOUBLE', indentSeq: false, lineWidth: 0 });
    },
  },
  yamldecode: {
    arity: [1, 1],
    signature: 'yamldecode(string)',
    impl(a) {
      const docs = yaml().parseAllDocuments(str(a, 0, 'yamldecode'), { uniqueKeys: true, merge: true });
      if (!Array.isArray(docs)) return null; // an empty stream
      if (docs.length > 1) throw new FunctionError('yamldecode: the string holds more than one YAML document', 0);
      const doc = docs[0];
      if (!doc) return null;
      const err = doc.errors[0];
      if (err) {
        const at = err.linePos?.[0];
        throw new FunctionError(`yamldecode: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:$/, '')}${at ? ` (line ${at.line}, column ${at.col} of the YAML)` : ''}`, 0);
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 1000 });
      } catch (e) {
        throw new FunctionError(`yamldecode: ${(e as Error).message}`, 0);
      }
      if (isCyclic(value)) throw new FunctionError('yamldecode: an alias refers to the collection that contains it (a value cannot contain itself)', 0);
      return value as EvalValue;
    },
  },
  md5: hash('md5', 'md5'),
  sha1: hash('sha1', 'sha1'),
  sha256: hash('sha256', 'sha256'),
  sha512: hash('sha512', 'sha512'),
  base64sha256: {
    arity: [1, 1],
    signature: 'base64sha256(string)',
    impl: (a) => createHash('sha256').update(str(a, 0, 'base64sha256'), 'utf8').digest('base64'),
  },
  base64sha512: {
    arity: [1, 1],
    signature: 'base64sha512(string)',
    impl: (a) => createHash('sha512').update(str(a, 0, 'base64sha512'), 'utf8').digest('base64'),
  },
  // Go's filepath.Base and filepath.Dir, on `/` paths: strings only, nothing is read
  basename: {
    arity: [1, 1],
    signature: 'basename(path)',
    impl(a) {
      const p = str(a, 0, 'basename').replace(/\/+$/, '');
      if (p === '') return str(a, 0, 'basename') === '' ? '.' : '/';
      return p.slice(p.lastIndexOf('/') + 1);
    },
  },
  dirname: {
    arity: [1, 1],
    signature: 'dirname(path)',
    impl(a) {
      const p = str(a, 0, 'dirname');
      return cleanPath(p.slice(0, p.lastIndexOf('/') + 1));
    },
  },
  uuidv5: {
    arity: [2, 2],
    signature: 'uuidv5(namespace, name)',
    impl(a) {
      const ns = str(a, 0, 'uuidv5');
      const uuid = NAMESPACES[ns] ?? (UUID.test(ns) ? ns : undefined);
      if (!uuid) throw new FunctionError(`uuidv5: namespace must be "dns", "url", "oid", "x500" or a UUID, got "${ns}"`, 0);
      const bytes = createHash('sha1')
        .update(Buffer.from(uuid.replace(/-/g, ''), 'hex'))
        .update(str(a, 1, 'uuidv5'), 'utf8')
        .digest()
        .subarray(0, 16);
      bytes[6] = (bytes[6]! & 0x0f) | 0x50;
      bytes[8] = (bytes[8]! & 0x3f) | 0x80;
      const h = bytes.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  },
  fileexists: {
    arity: [1, 1],
    signature: 'fileexists(path)',
    impl(a, ctx) {
      const path = str(a, 0, 'fileexists');
      const full = configPath(ctx.dir, path, 'fileexists');
      let st;
      try {
        st = statSync(full);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return false;
        throw new FunctionError(`fileexists: cannot read "${path}": ${code ?? (err as Error).message}`, 0);
      }
      if (!st.isFile()) throw new FunctionError(`fileexists: "${path}" is not a regular file (a ${st.isDirectory() ? 'directory' : 'special file'})`, 0);
      return true;
    },
  },
  fileset: {
    arity: [2, 2],
    signature: 'fileset(path, pattern)',
    impl(a, ctx) {
      const path = str(a, 0, 'fileset');
      const re = globToRegExp(str(a, 1, 'fileset'));
      const base = configPath(ctx.dir, path, 'fileset');
      try {
        if (!lstatSync(base).isDirectory()) return [];
      } catch {
        return [];
      }
      // walk only where the pattern can match: below its leading literal directories, and no
      // deeper than its number of segments unless it has ** (or braces, which may hold a /)
      const pattern = str(a, 1, 'fileset');
      const segments = pattern.split('/');
      let lead = 0;
      while (lead < segments.length - 1 && /^[^*?[{\\]+$/.test(segments[lead]!) && segments[lead] !== '.' && segments[lead] !== '..') lead++;
      const start = segments.slice(0, lead).join('/');
      const depth = /\*\*|\{/.test(pattern) ? Infinity : segments.length - lead;
      const files: string[] = [];
      try {
        if (start !== '' && !lstatSync(join(base, start)).isDirectory()) return [];
      } catch {
        return [];
      }
      walk(ctx.dir, join(base, start), start === '' ? '' : `${start}/`, files, { left: 100_000 }, depth);
      return files.filter((f) => re.test(f)).sort();
    },
  },
};

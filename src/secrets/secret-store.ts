// The connection secret files xp writes, and the record it keeps of them, so that it never
// overwrites or deletes a file it did not write:
//
//   <config dir>/.xp/secret-files/<sha256 of the path>.json  (mode 0600, one per secret file)
//     { version, path (relative to the configuration directory), hmac }
//
// `hmac` is an HMAC-SHA256 of the content xp wrote, under the key of the check cache
// (.xp/secret-checks.key), so the record holds nothing a password can be guessed from. Apply
// overwrites, and destroy deletes, a file only when its content is still exactly what xp wrote
// at that path: then nothing in it is anyone else's. A file xp has no record of, or one edited
// or replaced since, is refused (apply: the account fails before its password changes) or left
// in place with a note (destroy). Not the inode: a file deleted and another created at once
// often gets the same inode number back.
//
// A file from before the record existed (or whose record was lost) is adopted when a plan finds
// it holds the account's current password, in exactly the form xp writes: only xp knew that
// password, and nothing in the file is anyone else's.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { lstatSync, mkdirSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ConnectionSecret } from '../model/types.js';
import { ensureKey, readKey } from './check-cache.js';
import {
  checkSecretPath,
  formatSecret,
  parseSecret,
  readNoFollow,
  renameOrDiscard,
  SecretPathError,
  sweepStaleTemps,
  writeFileAtomic0600,
  writeTemp,
  type ConnectionDetails,
} from './secret-file.js';

interface FileRecord {
  version: 1;
  path: string;
  hmac: string;
}

export const recordDir = (configDir: string) => join(configDir, '.xp', 'secret-files');
const recordPath = (configDir: string, rel: string) => join(recordDir(configDir), `${createHash('sha256').update(rel).digest('hex').slice(0, 32)}.json`);
const contentHmac = (key: Buffer, rel: string, content: string) => createHmac('sha256', key).update(JSON.stringify([rel, content])).digest();

function readRecord(configDir: string, rel: string): FileRecord | null {
  const text = readNoFollow(recordPath(configDir, rel));
  if (text === null) return null;
  try {
    const r = JSON.parse(text) as Partial<FileRecord>;
    if (r.version !== 1 || r.path !== rel || typeof r.hmac !== 'string') return null;
    return r as FileRecord;
  } catch {
    return null;
  }
}

function writeRecord(configDir: string, rel: string, key: Buffer, content: string): void {
  const record: FileRecord = { version: 1, path: rel, hmac: contentHmac(key, rel, content).toString('hex') };
  // Not fsynced: a record lost in a power failure only makes the file unrecorded, and the next
  // plan adopts it again (below); an fsync here doubled the cost of writing a secret.
  writeFileAtomic0600(recordPath(configDir, rel), JSON.stringify(record) + '\n', false);
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Why the file at `rel` is not xp's to overwrite or delete (undefined: it is, unchanged). */
function notOurs(configDir: string, path: string, rel: string): string | undefined {
  const record = readRecord(configDir, rel);
  if (!record) return 'xp did not write that file';
  const key = readKey(configDir);
  const content = readNoFollow(path);
  const expected = Buffer.from(record.hmac, 'hex');
  const actual = key && content !== null ? contentHmac(key, rel, content) : null;
  if (!actual || actual.length !== expected.length || !timingSafeEqual(actual, expected)) return 'it is not what xp wrote there (changed or replaced since)';
  return undefined;
}

/**
 * Where xp may write this secret now: the checked path (SecretPathError: outside the
 * configuration directory, through a symbolic link, or a file there xp did not write).
 */
export function assertSecretWritable(configDir: string, secret: ConnectionSecret): { path: string; relative: string } {
  const checked = checkSecretPath(configDir, secret.path);
  const why = exists(checked.path) ? notOurs(configDir, checked.path, checked.relative) : undefined;
  if (why)
    throw new SecretPathError(
      `refusing to overwrite ${checked.relative}: ${why}`,
      'xp overwrites only the connection secret files it wrote itself, unchanged (recorded in .xp/secret-files/): move that file away, or choose another path',
    );
  return checked;
}

/** The directories down to the file, made one at a time (mode 0700), none of them a link. */
function makeParents(configDir: string, rel: string): void {
  let cur = resolve(configDir);
  const parts = rel.split('/');
  for (const part of parts.slice(0, -1)) {
    cur = join(cur, part);
    try {
      mkdirSync(cur, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const st = lstatSync(cur);
    if (st.isSymbolicLink() || !st.isDirectory()) throw new SecretPathError(`connection_secret path "${rel}": "${part}" is not a real directory`);
  }
}

/**
 * Write a connection secret (atomically, mode 0600) where the configuration says, after
 * checking the path and that any file there is xp's, and record it.
 */
export function writeSecretFile(configDir: string, secret: ConnectionSecret, c: ConnectionDetails): string {
  const { path, relative } = assertSecretWritable(configDir, secret);
  makeParents(configDir, relative);
  const key = ensureKey(configDir);
  if (!key) throw new SecretPathError(`cannot write ${relative}: xp cannot keep its record in .xp/ (not writable?)`);
  const content = formatSecret(secret.format, c);
  const tmp = writeTemp(path, content);
  try {
    // Again, just before the rename: a link or a foreign file may have appeared meanwhile.
    assertSecretWritable(configDir, secret);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  renameOrDiscard(tmp, path);
  writeRecord(configDir, relative, key, content);
  return path;
}

/**
 * Delete a secret file on destroy, when it is the one xp wrote and unchanged since. Returns a
 * note when a file is left in place (and why), undefined otherwise.
 */
export function removeSecretFile(configDir: string, secret: ConnectionSecret): string | undefined {
  let checked: { path: string; relative: string };
  try {
    checked = checkSecretPath(configDir, secret.path);
  } catch (err) {
    return `connection secret left in place: ${(err as Error).message}`;
  }
  const { path, relative } = checked;
  if (!exists(path)) {
    rmSync(recordPath(configDir, relative), { force: true });
    return undefined;
  }
  const why = notOurs(configDir, path, relative);
  if (why) return `${relative} left in place: ${why}`;
  unlinkSync(path);
  rmSync(recordPath(configDir, relative), { force: true });
  return undefined;
}

/**
 * A plan found this secret file holding the account's current password: record it as xp's when
 * it is not yet (a file from before the record, or a lost record), provided its content is
 * exactly what xp writes (nothing else in it to lose) and, when given, holds `password`.
 * `unrecordedOnly`: the file is known unchanged since xp last wrote or checked it (the check
 * cache), so a record there is taken as current without reading the file.
 */
export function adoptSecretFile(configDir: string, secret: ConnectionSecret, password?: string, { unrecordedOnly = false } = {}): void {
  try {
    const { path, relative } = checkSecretPath(configDir, secret.path);
    if (unrecordedOnly && readRecord(configDir, relative)) return;
    if (!exists(path) || notOurs(configDir, path, relative) === undefined) return;
    const content = readNoFollow(path);
    if (content === null) return;
    const parsed = parseSecret(secret.format, content);
    if (!parsed || formatSecret(secret.format, parsed) !== content) return;
    if (password !== undefined && parsed.password !== password) return;
    const key = ensureKey(configDir);
    if (key) writeRecord(configDir, relative, key, content);
  } catch {
    // best effort: an unrecorded file is only refused, never lost
  }
}

/**
 * The temporary files a killed run left (kill -9, a full disk) in xp's folders and beside the
 * declared secret files, removed at the start of each plan and apply (src/secrets/secret-file.ts).
 */
export function sweepSecretTemps(configDir: string, secrets: Iterable<ConnectionSecret>): void {
  const dirs = new Set([join(configDir, '.xp'), recordDir(configDir)]);
  for (const secret of secrets) {
    try {
      dirs.add(dirname(checkSecretPath(configDir, secret.path).path));
    } catch {
      // a path xp may not use: nothing of xp's there
    }
  }
  for (const dir of dirs) sweepStaleTemps(dir);
}

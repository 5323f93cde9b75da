// Checking a password against the verifier the provider keeps costs a PBKDF2 (4096 rounds) per
// account and plan. When nothing changed since xp last wrote or verified a password, the
// answer is the same; this cache remembers those answers in `<config dir>/.xp/`:
//
//   secret-checks.json  (mode 0600) per account, a sha256 of the verifier it was checked against,
//                       and how to recognise the password:
//     - generated (its only copy is xp's connection secret file): the file's device, inode,
//       size and mtime;
//     - declared (`password = "…"`): an HMAC-SHA256 of provider, role and password under
//   secret-checks.key   (mode 0600) a random 32-byte key, made on first use.
//
// Neither holds a password or anything derivable from one without the key. Anything that does
// not match exactly — another verifier, another password, another key, a file changed,
// an unreadable or corrupt cache — means "not known": the caller does the real SCRAM check.
// A directory xp cannot write keeps working; its checks just stay uncached.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic0600 } from './secret-file.js';

interface FileEntry {
  verifier: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

interface DeclaredEntry {
  /** HMAC-SHA256(key, [provider, role, password]), hex. */
  hmac: string;
  /** sha256 of the verifier, hex. */
  verifier: string;
}

interface CacheFile {
  version: 2;
  /** By secret file path. */
  files: Record<string, FileEntry>;
  /** By JSON.stringify([provider, role]). */
  declared: Record<string, DeclaredEntry>;
}

const cachePath = (configDir: string) => join(configDir, '.xp', 'secret-checks.json');
export const keyPath = (configDir: string) => join(configDir, '.xp', 'secret-checks.key');
const KEY_BYTES = 32;

const digest = (verifier: string) => createHash('sha256').update(verifier).digest('hex');
const accountKey = (provider: string, role: string) => JSON.stringify([provider, role]);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Only well-formed entries survive: a corrupt or foreign file is as good as none. */
function load(configDir: string): CacheFile {
  const empty: CacheFile = { version: 2, files: {}, declared: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(cachePath(configDir), 'utf8'));
  } catch {
    return empty;
  }
  if (!isObject(raw)) return empty;
  // The first format: only the files section, at the top level.
  if (raw.version === undefined) raw = { version: 2, files: raw, declared: {} };
  if (!isObject(raw) || raw.version !== 2) return empty;
  const pick = <T>(section: unknown, ok: (e: Record<string, unknown>) => boolean): Record<string, T> =>
    isObject(section) ? (Object.fromEntries(Object.entries(section).filter(([, e]) => isObject(e) && ok(e))) as Record<string, T>) : {};
  return {
    version: 2,
    files: pick<FileEntry>(raw.files, (e) => typeof e.verifier === 'string' && ['dev', 'ino', 'size', 'mtimeMs'].every((k) => typeof e[k] === 'number')),
    declared: pick<DeclaredEntry>(raw.declared, (e) => typeof e.hmac === 'string' && typeof e.verifier === 'string'),
  };
}

/** The local key, or null when there is none usable (missing, wrong size, readable by others). */
export function readKey(configDir: string): Buffer | null {
  try {
    const path = keyPath(configDir);
    if ((statSync(path).mode & 0o077) !== 0) return null;
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
    return key.length === KEY_BYTES ? key : null;
  } catch {
    return null;
  }
}

/** The local key, made (atomically, mode 0600) when missing; null when it cannot be written. */
export function ensureKey(configDir: string): Buffer | null {
  const existing = readKey(configDir);
  if (existing) return existing;
  try {
    writeFileAtomic0600(keyPath(configDir), randomBytes(KEY_BYTES).toString('hex') + '\n');
  } catch {
    return null;
  }
  // Two processes may race to make it: the one on disk is the key.
  return readKey(configDir);
}

function fileEntry(path: string, verifier: string): FileEntry | null {
  try {
    const st = statSync(path);
    return { verifier: digest(verifier), dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}

const hmacOf = (key: Buffer, provider: string, role: string, password: string): Buffer =>
  createHmac('sha256', key).update(JSON.stringify([provider, role, password])).digest();

export class SecretCheckCache {
  private cache: CacheFile;
  private dirty = false;
  /** undefined: not read yet. */
  private key: Buffer | null | undefined;
  constructor(private configDir: string) {
    flushPending(configDir);
    this.cache = load(configDir);
  }

  /** True when `path` is known to hold the password of `verifier`. */
  known(path: string, verifier: string): boolean {
    const now = fileEntry(path, verifier);
    const was = this.cache.files[path];
    return now !== null && was !== undefined && JSON.stringify(now) === JSON.stringify(was);
  }

  remember(path: string, verifier: string): void {
    const e = fileEntry(path, verifier);
    if (!e) return;
    this.cache.files[path] = e;
    this.dirty = true;
  }

  /** True when `password` of `role` is known to match `verifier` (checked or written before). */
  knownDeclared(provider: string, role: string, password: string, verifier: string): boolean {
    const was = this.cache.declared[accountKey(provider, role)];
    if (!was || was.verifier !== digest(verifier)) return false;
    this.key ??= readKey(this.configDir);
    if (!this.key) return false;
    const expected = hmacOf(this.key, provider, role, password);
    const stored = Buffer.from(was.hmac, 'hex');
    return stored.length === expected.length && timingSafeEqual(stored, expected);
  }

  /** After `password` was found to match `verifier`, or `verifier` was made from it. */
  rememberDeclared(provider: string, role: string, password: string, verifier: string): void {
    if (!this.key) this.key = ensureKey(this.configDir);
    if (!this.key) return;
    this.cache.declared[accountKey(provider, role)] = { hmac: hmacOf(this.key, provider, role, password).toString('hex'), verifier: digest(verifier) };
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    try {
      writeFileAtomic0600(cachePath(this.configDir), JSON.stringify(this.cache) + '\n');
      this.dirty = false;
    } catch {
      // a read-only configuration directory: checks just stay uncached
    }
  }
}

// What apply remembers, one account at a time, is written in batches: rewriting the whole file
// per account made a first apply of 1,000 accounts spend seconds on it. Pending entries are
// written within a moment, before a cache of the same directory is read, and at exit. Losing
// them (a killed process) only costs a SCRAM check on the next plan.
const pending = new Map<string, SecretCheckCache>();
let flushTimer: NodeJS.Timeout | undefined;

function pendingCache(configDir: string): SecretCheckCache {
  let cache = pending.get(configDir);
  if (!cache) {
    cache = new SecretCheckCache(configDir);
    pending.set(configDir, cache);
  }
  if (!flushTimer) {
    flushTimer = setTimeout(flushRemembered, 200);
    flushTimer.unref();
  }
  return cache;
}

function flushPending(configDir: string): void {
  const cache = pending.get(configDir);
  if (!cache) return;
  pending.delete(configDir);
  cache.save();
}

/** Writes what rememberSecret and rememberDeclared keep pending (done by itself, too). */
export function flushRemembered(): void {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  for (const dir of [...pending.keys()]) flushPending(dir);
}
process.on('exit', flushRemembered);

/** After xp wrote a secret file for `verifier`. */
export function rememberSecret(configDir: string, path: string, verifier: string): void {
  pendingCache(configDir).remember(path, verifier);
}

/** After xp set `verifier`, made from the declared `password` of `role`. */
export function rememberDeclared(configDir: string, provider: string, role: string, password: string, verifier: string): void {
  pendingCache(configDir).rememberDeclared(provider, role, password, verifier);
}

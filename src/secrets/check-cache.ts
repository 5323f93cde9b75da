// Checking a generated password costs a PBKDF2 (4096 rounds) per account and plan. The secret
// file is xp's own: when neither the file (device, inode, size, mtime) nor the stored verifier
// changed since xp last wrote or verified it, the answer is the same. This cache holds no
// password-derived data: only file metadata and a sha256 of the verifier it was checked
// against, in `<config dir>/.xp/secret-checks.json` (mode 0600).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic0600 } from './secret-file.js';

interface Entry {
  verifier: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

const cachePath = (configDir: string) => join(configDir, '.xp', 'secret-checks.json');
const digest = (verifier: string) => createHash('sha256').update(verifier).digest('hex');

function load(configDir: string): Record<string, Entry> {
  try {
    return JSON.parse(readFileSync(cachePath(configDir), 'utf8')) as Record<string, Entry>;
  } catch {
    return {};
  }
}

function fileEntry(path: string, verifier: string): Entry | null {
  try {
    const st = statSync(path);
    return { verifier: digest(verifier), dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}

export class SecretCheckCache {
  private entries: Record<string, Entry>;
  private dirty = false;
  constructor(private configDir: string) {
    this.entries = load(configDir);
  }

  /** True when `path` is known to hold the password of `verifier`. */
  known(path: string, verifier: string): boolean {
    const now = fileEntry(path, verifier);
    const was = this.entries[path];
    return now !== null && was !== undefined && JSON.stringify(now) === JSON.stringify(was);
  }

  remember(path: string, verifier: string): void {
    const e = fileEntry(path, verifier);
    if (!e) return;
    this.entries[path] = e;
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    try {
      writeFileAtomic0600(cachePath(this.configDir), JSON.stringify(this.entries) + '\n');
      this.dirty = false;
    } catch {
      // a read-only configuration directory: checks just stay uncached
    }
  }
}

/** After xp wrote a secret file for `verifier`. */
export function rememberSecret(configDir: string, path: string, verifier: string): void {
  const cache = new SecretCheckCache(configDir);
  cache.remember(path, verifier);
  cache.save();
}

// The cache of password checks, on real files in a temporary directory, with real SCRAM verifiers.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SecretCheckCache, flushRemembered, keyPath, rememberDeclared } from '../../src/secrets/check-cache.js';
import { scramVerifier, verifierMatches } from '../../src/secrets/scram.js';

const configDir = () => mkdtempSync(join(tmpdir(), 'xp-check-cache-'));
const cacheFile = (dir: string) => join(dir, '.xp', 'secret-checks.json');
const known = (dir: string, role: string, password: string, verifier: string) =>
  new SecretCheckCache(dir).knownDeclared('default', role, password, verifier);

describe('the check cache for declared passwords', () => {
  // A verifier of another password: the real SCRAM check says "differs", so only the cache can
  // answer "known" — a test that cannot pass by recomputing.
  const password = 'declared-pw-1';
  const otherVerifier = scramVerifier('not-the-declared-password');

  it('answers from what was remembered, without a SCRAM check', () => {
    const dir = configDir();
    expect(verifierMatches(password, otherVerifier)).toBe(false);
    expect(known(dir, 'app', password, otherVerifier)).toBe(false);
    rememberDeclared(dir, 'default', 'app', password, otherVerifier);
    expect(known(dir, 'app', password, otherVerifier)).toBe(true);
  });

  it.each([
    ['another password', { password: 'declared-pw-2' }],
    ['another verifier', { verifier: scramVerifier('declared-pw-1') }],
    ['another role', { role: 'app2' }],
  ])('does not know %s', (_, change: { password?: string; verifier?: string; role?: string }) => {
    const dir = configDir();
    rememberDeclared(dir, 'default', 'app', password, otherVerifier);
    expect(known(dir, change.role ?? 'app', change.password ?? password, change.verifier ?? otherVerifier)).toBe(false);
  });

  it('does not know another provider config', () => {
    const dir = configDir();
    rememberDeclared(dir, 'default', 'app', password, otherVerifier);
    expect(new SecretCheckCache(dir).knownDeclared('other', 'app', password, otherVerifier)).toBe(false);
  });

  it('keeps a 32-byte key and the cache in mode 0600 files, and neither holds the password', () => {
    const dir = configDir();
    rememberDeclared(dir, 'default', 'app', password, otherVerifier);
    flushRemembered();
    expect(statSync(keyPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(cacheFile(dir)).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyPath(dir), 'utf8').trim(), 'hex')).toHaveLength(32);
    for (const f of [keyPath(dir), cacheFile(dir)]) {
      const text = readFileSync(f, 'utf8');
      expect(text).not.toContain(password);
      expect(text).not.toContain(Buffer.from(password).toString('hex'));
      expect(text).not.toContain(otherVerifier);
    }
    // no temporary files left behind
    expect(readdirSync(join(dir, '.xp')).sort()).toEqual(['secret-checks.json', 'secret-checks.key']);
  });

  it('creates the key once and keeps it', () => {
    const dir = configDir();
    rememberDeclared(dir, 'default', 'app', password, otherVerifier);
    const key = readFileSync(keyPath(dir), 'utf8');
    rememberDeclared(dir, 'default', 'app2', password, otherVerifier);
    expect(readFileSync(keyPath(dir), 'utf8')).toBe(key);
    expect(known(dir, 'app', password, otherVerifier)).toBe(true);
    expect(known(dir, 'app2', password, otherVerifier)).toBe(true);
  });

  it('knows nothing under another key, and replaces a key others can read', () => {
    const dir = configDir();
    rememberDeclared(dir, 'default', 'app', password, otherVerifier);
    const key = readFileSync(keyPath(dir), 'utf8');
    // another key: the same entries are worthless
    writeFileSync(keyPath(dir), Buffer.alloc(32, 7).toString('hex'), { mode: 0o600 });
    expect(known(dir, 'app', password, otherVerifier)).toBe(false);
    writeFileSync(keyPath(dir), key);
    expect(known(dir, 'app', password, otherVerifier)).toBe(true);
    // the right key, but readable by the group: not used, and replaced on the next write
    chmodSync(keyPath(dir), 0o640);
    expect(known(dir, 'app', password, otherVerifier)).toBe(false);
    rememberDeclared(dir, 'default', 'app', password, otherVerifier);
    expect(statSync(keyPath(dir)).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyPath(dir), 'utf8')).not.toBe(key);
    expect(known(dir, 'app', password, otherVerifier)).toBe(true);
  });

  it.each([
    ['not JSON', '{"version":2,"decl'],
    ['an array', '[1,2,3]'],
    ['the wrong shapes', '{"version":2,"files":[],"declared":{"[\\"default\\",\\"app\\"]":{"hmac":1,"verifier":null}}}'],
    ['the old format', '{"/x/app.env":{"verifier":"ab","dev":1,"ino":2,"size":3,"mtimeMs":4}}'],
  ])('ignores a cache file holding %s, and writes a good one', (_, text) => {
    const dir = configDir();
    mkdirSync(join(dir, '.xp'));
    writeFileSync(cacheFile(dir), text);
    expect(known(dir, 'app', password, otherVerifier)).toBe(false);
    rememberDeclared(dir, 'default', 'app', password, otherVerifier);
    expect(known(dir, 'app', password, otherVerifier)).toBe(true);
    flushRemembered();
    expect(JSON.parse(readFileSync(cacheFile(dir), 'utf8')).version).toBe(2);
  });

  it('ignores a key file of the wrong size', () => {
    const dir = configDir();
    rememberDeclared(dir, 'default', 'app', password, otherVerifier);
    writeFileSync(keyPath(dir), 'abcd\n', { mode: 0o600 });
    expect(known(dir, 'app', password, otherVerifier)).toBe(false);
    rememberDeclared(dir, 'default', 'app', password, otherVerifier);
    expect(known(dir, 'app', password, otherVerifier)).toBe(true);
  });

  it('stays uncached, without an error, where it cannot write', () => {
    const dir = configDir();
    // .xp is a file: nothing can be created under it (whoever runs the test, root included)
    writeFileSync(join(dir, '.xp'), 'not a directory');
    expect(() => rememberDeclared(dir, 'default', 'app', password, otherVerifier)).not.toThrow();
    expect(known(dir, 'app', password, otherVerifier)).toBe(false);
  });

  it('reads the entries of generated passwords from the first format', () => {
    const dir = configDir();
    const secret = join(dir, 'app.env');
    writeFileSync(secret, 'PGPASSWORD=x\n');
    const cache = new SecretCheckCache(dir);
    cache.remember(secret, otherVerifier);
    cache.save();
    const { files } = JSON.parse(readFileSync(cacheFile(dir), 'utf8'));
    writeFileSync(cacheFile(dir), JSON.stringify(files));
    expect(new SecretCheckCache(dir).known(secret, otherVerifier)).toBe(true);
  });

  it('keeps the entries of generated passwords beside the declared ones', () => {
    const dir = configDir();
    const secret = join(dir, 'app.env');
    writeFileSync(secret, 'PGPASSWORD=x\n');
    const cache = new SecretCheckCache(dir);
    cache.remember(secret, otherVerifier);
    cache.rememberDeclared('default', 'app', password, otherVerifier);
    cache.save();
    const again = new SecretCheckCache(dir);
    expect(again.known(secret, otherVerifier)).toBe(true);
    expect(again.knownDeclared('default', 'app', password, otherVerifier)).toBe(true);
    writeFileSync(secret, 'PGPASSWORD=changed\n');
    expect(new SecretCheckCache(dir).known(secret, otherVerifier)).toBe(false);
  });

  it('batches what apply remembers: one account or a thousand, all known after', () => {
    const dir = configDir();
    for (let i = 0; i < 1000; i++) rememberDeclared(dir, 'default', `role_${i}`, `pw-${i}`, otherVerifier);
    const cache = new SecretCheckCache(dir);
    expect(cache.knownDeclared('default', 'role_0', 'pw-0', otherVerifier)).toBe(true);
    expect(cache.knownDeclared('default', 'role_999', 'pw-999', otherVerifier)).toBe(true);
    expect(cache.knownDeclared('default', 'role_999', 'pw-0', otherVerifier)).toBe(false);
  });

  it('writes what is pending when the process exits', () => {
    // The compiled module (npm test builds first), in a process that exits at once.
    const dir = configDir();
    const module = new URL('../../dist/secrets/check-cache.js', import.meta.url).href;
    const script = `const m = await import(${JSON.stringify(module)}); m.rememberDeclared(${JSON.stringify(dir)}, 'default', 'app', ${JSON.stringify(password)}, ${JSON.stringify(otherVerifier)});`;
    execFileSync(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(readFileSync(cacheFile(dir), 'utf8')).declared).toHaveProperty(JSON.stringify(['default', 'app']));
    expect(known(dir, 'app', password, otherVerifier)).toBe(true);
  });
});

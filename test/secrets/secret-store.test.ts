// The write-time guard of connection secret files (src/secrets/secret-store.ts), on a real
// file system: what validate checked may have changed by the time apply writes (a link made in
// between, a file put there), so the writer checks again, and so does destroy.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretPathError, sweepStaleTemps } from '../../src/secrets/secret-file.js';
import { assertSecretWritable, removeSecretFile, writeSecretFile } from '../../src/secrets/secret-store.js';

const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/secrets/secret-store.js');
const details = { host: 'h', port: 5432, database: 'd', username: 'u', password: 'p' };
const fresh = () => mkdtempSync(join(tmpdir(), 'xp-store-'));

describe('connection secret store', () => {
  it('refuses at write time a link that appeared after validation, file or directory', () => {
    const dir = fresh();
    const outside = fresh();
    writeFileSync(join(outside, 'victim'), 'precious');
    symlinkSync(join(outside, 'victim'), join(dir, 'app.env'));
    expect(() => writeSecretFile(dir, { path: 'app.env', format: 'dotenv' }, details)).toThrow(SecretPathError);
    symlinkSync(outside, join(dir, 'secrets'));
    expect(() => writeSecretFile(dir, { path: 'secrets/app.env', format: 'dotenv' }, details)).toThrow(/"secrets" is a symbolic link/);
    expect(() => writeSecretFile(dir, { path: '../x/app.env', format: 'dotenv' }, details)).toThrow(/outside the configuration directory/);
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('precious');
    expect(readdirSync(outside)).toEqual(['victim']);
  });

  it('overwrites and deletes only its own unchanged file', () => {
    const dir = fresh();
    mkdirSync(join(dir, 's'));
    writeFileSync(join(dir, 's', 'mine.env'), 'MINE=1\n');
    const secret = { path: 's/mine.env', format: 'dotenv' as const };
    expect(() => assertSecretWritable(dir, secret)).toThrow('refusing to overwrite s/mine.env: xp did not write that file');
    expect(() => writeSecretFile(dir, secret, details)).toThrow(SecretPathError);
    expect(removeSecretFile(dir, secret)).toBe('s/mine.env left in place: xp did not write that file');
    expect(readFileSync(join(dir, 's', 'mine.env'), 'utf8')).toBe('MINE=1\n');

    const own = { path: 's/own.env', format: 'dotenv' as const };
    writeSecretFile(dir, own, details);
    writeSecretFile(dir, own, { ...details, password: 'q' }); // its own file: rewritten
    expect(readFileSync(join(dir, 's', 'own.env'), 'utf8')).toContain('PGPASSWORD=q');
    writeFileSync(join(dir, 's', 'own.env'), 'EDITED=1\n');
    expect(() => writeSecretFile(dir, own, details)).toThrow(/not what xp wrote there/);
    expect(removeSecretFile(dir, own)).toMatch(/left in place/);
    expect(existsSync(join(dir, 's', 'own.env'))).toBe(true);

    const gone = { path: 's/gone.env', format: 'json' as const };
    writeSecretFile(dir, gone, details);
    expect(removeSecretFile(dir, gone)).toBeUndefined();
    expect(existsSync(join(dir, 's', 'gone.env'))).toBe(false);
    expect(readdirSync(join(dir, 's')).sort()).toEqual(['mine.env', 'own.env']);
  });

  it('a write cut short (file size limit, as a full disk) fails, keeps the old file and leaves no temporary file', () => {
    // The CLI's code (dist/) in a process whose files may not exceed 512 bytes (ulimit -f 1):
    // write(2) then writes part of the secret without an error, and the next one fails (EFBIG).
    const dir = fresh();
    const script = `
      import { writeSecretFile } from ${JSON.stringify(DIST)};
      const secret = { path: 's/app.env', format: 'dotenv' };
      const base = ${JSON.stringify(details)};
      writeSecretFile(${JSON.stringify(dir)}, secret, base);
      try {
        writeSecretFile(${JSON.stringify(dir)}, secret, { ...base, password: 'x'.repeat(2000) });
        console.log('written');
      } catch (err) {
        console.log(err.code);
      }`;
    const r = spawnSync('sh', ['-c', 'ulimit -f 1; exec "$0" --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('EFBIG');
    expect(readFileSync(join(dir, 's', 'app.env'), 'utf8')).toContain('PGPASSWORD=p\n');
    expect(readdirSync(join(dir, 's'))).toEqual(['app.env']);
    expect(readdirSync(join(dir, '.xp')).filter((n) => n.endsWith('.xp-tmp'))).toEqual([]);
  });

  it('sweeps temporary files of runs that are gone, not of live ones nor foreign names', () => {
    const dir = fresh();
    const names = ['.999999999.0123456789ab.xp-tmp', `.${process.pid}.0123456789ab.xp-tmp`, 'other.xp-tmp', '.0123456789ab.xp-tmp'];
    for (const n of names) writeFileSync(join(dir, n), '');
    expect(sweepStaleTemps(dir)).toEqual(['.999999999.0123456789ab.xp-tmp']);
    expect(readdirSync(dir).sort()).toEqual(names.slice(1).sort());
  });
});

import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSecret, readSecret, formatSecret, type ConnectionDetails } from '../../src/secrets/secret-file.js';
import { writeSecretFile } from '../../src/secrets/secret-store.js';

const details: ConnectionDetails = { host: '127.0.0.1', port: 5433, database: 'my db', username: "o'brien", password: 'p@ss word/?#' };

describe('connection secret files', () => {
  it.each(['dotenv', 'json', 'uri'] as const)('%s round-trips every field, mode 0600, nothing left behind', (format) => {
    const dir = mkdtempSync(join(tmpdir(), 'xp-secret-'));
    const path = join(dir, 'nested', `app.${format}`);
    writeSecretFile(dir, { path: `nested/app.${format}`, format }, details);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readSecret(path, format)).toEqual(details);
    writeSecretFile(dir, { path: `nested/app.${format}`, format }, { ...details, password: 'rotated' });
    expect(readSecret(path, format)?.password).toBe('rotated');
    expect(readdirSync(join(dir, 'nested'))).toEqual([`app.${format}`]);
  });

  it('dotenv has the PG* names and a URL with the password encoded', () => {
    const text = formatSecret('dotenv', details);
    expect(text).toContain('PGPORT=5433\n');
    expect(text).toContain("PGUSER='o'\\''brien'\n");
    expect(text).toContain('DATABASE_URL=');
    const url = formatSecret('uri', details).trim();
    expect(text).toContain(`DATABASE_URL='${url.replace(/'/g, `'\\''`)}'`);
    expect(decodeURIComponent(new URL(url).password)).toBe(details.password);
    expect(parseSecret('dotenv', text)).toEqual(details);
  });

  it('reads an absent file as null', () => {
    expect(readSecret('/nonexistent/xp-secret', 'json')).toBeNull();
  });
});

import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { scramVerifier, scramVerifierAsync, verifierMatches, verifierMatchesAsync } from '../../src/secrets/scram.js';
import { generatePassword } from '../../src/secrets/password.js';

describe('SCRAM-SHA-256 verifiers computed in TypeScript', () => {
  it('let a role created with only the verifier log in with the password', async () => {
    const url = inject('databaseUrl');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const role = `xp_scram_${process.pid}`;
    const password = generatePassword();
    try {
      await admin.query(`drop role if exists ${admin.escapeIdentifier(role)}`);
      await admin.query(`create role ${admin.escapeIdentifier(role)} login password ${admin.escapeLiteral(scramVerifier(password))}`);
      const stored = await admin.query<{ rolpassword: string }>('select rolpassword from pg_authid where rolname = $1', [role]);
      expect(stored.rows[0]!.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
      expect(verifierMatches(password, stored.rows[0]!.rolpassword)).toBe(true);
      expect(verifierMatches(password + 'x', stored.rows[0]!.rolpassword)).toBe(false);

      const u = new URL(url);
      u.username = role;
      u.password = password;
      const user = new pg.Client({ connectionString: u.toString() });
      await user.connect();
      const who = await user.query<{ current_user: string }>('select current_user');
      expect(who.rows[0]!.current_user).toBe(role);
      await user.end();

      u.password = 'wrong';
      const wrong = new pg.Client({ connectionString: u.toString() });
      await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await admin.query(`drop role if exists ${admin.escapeIdentifier(role)}`);
      await admin.end();
    }
  });

  it('computes the same verifier on the thread pool as inline (what apply sends)', async () => {
    const salt = randomBytes(16);
    for (const password of [generatePassword(), 'pässwörd ﬁ']) {
      const v = await scramVerifierAsync(password, salt);
      expect(v).toBe(scramVerifier(password, salt));
      expect(await verifierMatchesAsync(password, v)).toBe(true);
      expect(await verifierMatchesAsync(`${password}x`, v)).toBe(false);
    }
    expect(await scramVerifierAsync('same')).not.toBe(await scramVerifierAsync('same')); // a fresh salt each time
  });

  it('generates URL-safe passwords from 32 random bytes', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generatePassword()).not.toBe(a);
  });
});

// readPasswordStates against the real provider tables: declared passwords are checked with SCRAM
// once, then answered from the check cache until the password or the verifier changes.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPasswordStates, type PasswordCheck } from '../../src/state/passwords.js';
import { rememberDeclared } from '../../src/secrets/check-cache.js';
import { scramVerifier, verifierMatchesAsync } from '../../src/secrets/scram.js';
import { providerDatabase, type ProviderDatabase } from '../provider/harness.js';

let db: ProviderDatabase;
beforeAll(async () => {
  db = await providerDatabase(inject('databaseUrl'), 'xp_passwords');
}, 120_000);
afterAll(async () => db?.drop());

async function setVerifier(role: string, verifier: string): Promise<void> {
  await db.client.query(
    `insert into xplane.credentials (provider_config, role_name, verifier) values ('default', $1, $2)
     on conflict (provider_config, role_name) do update set verifier = excluded.verifier`,
    [role, verifier],
  );
}

const declared = (role: string, password: string): PasswordCheck => ({ key: `key:${role}`, provider: 'default', name: role, declared: password });

/** readPasswordStates with a SCRAM comparison that counts its calls. */
async function check(dir: string, checks: PasswordCheck[]) {
  let scram = 0;
  const states = await readPasswordStates(db.client, dir, checks, {
    verify: (p, v) => {
      scram++;
      return verifierMatchesAsync(p, v);
    },
  });
  return { scram, states: Object.fromEntries(states) };
}

describe('readPasswordStates for declared passwords', () => {
  it('checks with SCRAM once, then answers from the cache until the password or verifier changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xp-passwords-'));
    const roles = ['pw_a', 'pw_b', 'pw_c'];
    for (const r of roles) await setVerifier(r, scramVerifier(`secret-${r}`));
    const checks = roles.map((r) => declared(r, `secret-${r}`));

    // Given a first plan: every account is checked for real
    expect(await check(dir, checks)).toEqual({ scram: 3, states: { 'key:pw_a': 'match', 'key:pw_b': 'match', 'key:pw_c': 'match' } });
    // When nothing changed: no SCRAM at all
    expect(await check(dir, checks)).toEqual({ scram: 0, states: { 'key:pw_a': 'match', 'key:pw_b': 'match', 'key:pw_c': 'match' } });

    // When a declared password changes: that one is checked, and differs
    const changed = [declared('pw_a', 'secret-new'), checks[1]!, checks[2]!];
    expect(await check(dir, changed)).toEqual({ scram: 1, states: { 'key:pw_a': 'differs', 'key:pw_b': 'match', 'key:pw_c': 'match' } });
    expect((await check(dir, changed)).scram).toBe(1);

    // When the stored verifier changes (same password, new salt): checked again, then cached again
    await setVerifier('pw_b', scramVerifier('secret-pw_b'));
    expect(await check(dir, checks)).toEqual({ scram: 1, states: { 'key:pw_a': 'match', 'key:pw_b': 'match', 'key:pw_c': 'match' } });
    expect((await check(dir, checks)).scram).toBe(0);

    // When the verifier is replaced by one of another password: differs
    await setVerifier('pw_c', scramVerifier('someone-else-set-this'));
    expect(await check(dir, checks)).toEqual({ scram: 1, states: { 'key:pw_a': 'match', 'key:pw_b': 'match', 'key:pw_c': 'differs' } });
  });

  it('trusts what apply remembered: a pair the cache knows is not recomputed', async () => {
    // The verifier is of another password, so a SCRAM check would say "differs": "match" can
    // only come from the cache (what execute.ts remembers after setting a verifier).
    const dir = mkdtempSync(join(tmpdir(), 'xp-passwords-'));
    const verifier = scramVerifier('the-real-one');
    await setVerifier('pw_remembered', verifier);
    const checks = [declared('pw_remembered', 'declared-one')];
    expect(await check(dir, checks)).toEqual({ scram: 1, states: { 'key:pw_remembered': 'differs' } });
    rememberDeclared(dir, 'default', 'pw_remembered', 'declared-one', verifier);
    expect(await check(dir, checks)).toEqual({ scram: 0, states: { 'key:pw_remembered': 'match' } });
  });

  it('works uncached where the configuration directory cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xp-passwords-'));
    writeFileSync(join(dir, '.xp'), 'not a directory');
    await setVerifier('pw_ro', scramVerifier('secret-ro'));
    const checks = [declared('pw_ro', 'secret-ro')];
    expect(await check(dir, checks)).toEqual({ scram: 1, states: { 'key:pw_ro': 'match' } });
    expect(await check(dir, checks)).toEqual({ scram: 1, states: { 'key:pw_ro': 'match' } });
  });

  it('ignores a corrupt cache file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xp-passwords-'));
    await setVerifier('pw_corrupt', scramVerifier('secret-corrupt'));
    const checks = [declared('pw_corrupt', 'secret-corrupt')];
    expect((await check(dir, checks)).scram).toBe(1);
    writeFileSync(join(dir, '.xp', 'secret-checks.json'), '{"version":2,"declared":{"oops"');
    expect(await check(dir, checks)).toEqual({ scram: 1, states: { 'key:pw_corrupt': 'match' } });
    expect((await check(dir, checks)).scram).toBe(0);
  });
});

// Has a service account's password changed? Observe cannot tell (a verifier is never observed),
// and xp never stores a plaintext. So, for each existing account:
//   - declared `password = "…"`: recompute the SCRAM keys of the declared password with the salt
//     of the verifier the provider keeps (xplane.credentials, owner-only) and compare;
//   - generated: the plaintext lives only in the connection_secret file; it must exist and match
//     the stored verifier, else the password is lost and a new one is generated;
//   - declared, with a connection_secret: the file must hold it too, else ('secret-file') the
//     password is set again and the file written (a file deleted, or a path changed).
// One query for all accounts. A check that passed once is remembered (src/secrets/check-cache.ts),
// so an unchanged password and verifier cost no PBKDF2 on the next plan.
import type pg from 'pg';
import { Sensitive, type ConnectionSecret, type Value } from '../model/types.js';
import type { PasswordState, ResourceKey } from '../plan/types.js';
import { verifierMatchesAsync } from '../secrets/scram.js';
import { SecretCheckCache } from '../secrets/check-cache.js';
import { readSecret, secretPath } from '../secrets/secret-file.js';
import { adoptSecretFile } from '../secrets/secret-store.js';

export interface PasswordCheck {
  key: ResourceKey;
  provider: string;
  /** The role's name. */
  name: string;
  /** The declared password, when the configuration gives one. */
  declared?: string;
  connectionSecret?: ConnectionSecret;
}

export function plainPassword(v: Value | undefined): string | undefined {
  if (v instanceof Sensitive) return plainPassword(v.value as Value);
  return typeof v === 'string' ? v : undefined;
}

export interface PasswordStateOptions {
  /** The SCRAM comparison (tests count its calls). */
  verify?: (password: string, verifier: string) => Promise<boolean>;
}

export async function readPasswordStates(
  client: pg.Client,
  dir: string,
  checks: PasswordCheck[],
  { verify = verifierMatchesAsync }: PasswordStateOptions = {},
): Promise<Map<ResourceKey, PasswordState>> {
  const out = new Map<ResourceKey, PasswordState>();
  if (checks.length === 0) return out;
  const { rows } = await client.query<{ provider_config: string; role_name: string; verifier: string }>(
    `select c.provider_config, c.role_name, c.verifier
       from xplane.credentials c
       join jsonb_to_recordset($1::jsonb) as k(p text, n text) on c.provider_config = k.p and c.role_name = k.n`,
    [JSON.stringify(checks.map((c) => ({ p: c.provider, n: c.name })))],
  );
  const verifiers = new Map(rows.map((r) => [JSON.stringify([r.provider_config, r.role_name]), r.verifier]));
  const cache = new SecretCheckCache(dir);
  await Promise.all(
    checks.map(async (c) => {
      const verifier = verifiers.get(JSON.stringify([c.provider, c.name]));
      let file: string | undefined;
      if (c.connectionSecret) {
        try {
          file = secretPath(dir, c.connectionSecret);
        } catch {
          // a path xp may not use (reported when the configuration is read): nothing to compare with
          out.set(c.key, 'differs');
          return;
        }
      }
      // the file was checked before and is unchanged: it holds the password of `verifier`
      const fileKnown = file !== undefined && verifier !== undefined && cache.known(file, verifier);
      let plaintext = c.declared;
      if (plaintext === undefined) {
        if (!c.connectionSecret || !file) {
          // Generated and written nowhere: nothing to compare with; keep whatever the role has.
          out.set(c.key, 'match');
          return;
        }
        if (fileKnown) {
          adoptSecretFile(dir, c.connectionSecret, undefined, { unrecordedOnly: true });
          out.set(c.key, 'match');
          return;
        }
        plaintext = readSecret(file, c.connectionSecret.format)?.password;
      } else {
        // a declared password: its connection_secret file, when there is one, must hold it too
        if (c.connectionSecret && file && !fileKnown && readSecret(file, c.connectionSecret.format)?.password !== plaintext) {
          out.set(c.key, verifier !== undefined && (cache.knownDeclared(c.provider, c.name, plaintext, verifier) || (await verify(plaintext, verifier))) ? 'secret-file' : 'differs');
          return;
        }
        if (verifier !== undefined && cache.knownDeclared(c.provider, c.name, plaintext, verifier)) {
          if (c.connectionSecret && file) {
            adoptSecretFile(dir, c.connectionSecret, plaintext, { unrecordedOnly: true });
            cache.remember(file, verifier);
          }
          out.set(c.key, 'match');
          return;
        }
      }
      if (plaintext === undefined || verifier === undefined || !(await verify(plaintext, verifier))) {
        out.set(c.key, 'differs');
        return;
      }
      if (file) cache.remember(file, verifier);
      if (c.declared !== undefined) cache.rememberDeclared(c.provider, c.name, plaintext, verifier);
      if (c.connectionSecret) adoptSecretFile(dir, c.connectionSecret, plaintext);
      out.set(c.key, 'match');
    }),
  );
  cache.save();
  return out;
}

// SCRAM-SHA-256 verifiers computed client-side (RFC 5802 / RFC 7677, as PostgreSQL stores them
// in pg_authid.rolpassword), so that a plaintext password never reaches the server.
import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** PostgreSQL's default (scram_iterations). */
export const SCRAM_ITERATIONS = 4096;
const SALT_BYTES = 16;

export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/**
 * PostgreSQL applies SASLprep to the password and falls back to the raw bytes when the
 * password is not valid SASLprep input. Generated passwords are ASCII (identity under
 * SASLprep); for other declared passwords NFKC — the core of SASLprep — is the best
 * approximation without a full stringprep table.
 */
function prepare(password: string): string {
   
  return /^[\x20-\x7e]*$/.test(password) ? password : password.normalize('NFKC');
}

function keys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  return keysOf(pbkdf2Sync(prepare(password), salt, iterations, 32, 'sha256'));
}

function keysOf(salted: Buffer): { storedKey: Buffer; serverKey: Buffer } {
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return { storedKey, serverKey };
}

export function formatVerifier(v: ScramVerifier): string {
  return `SCRAM-SHA-256$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

export function parseVerifier(text: string): ScramVerifier | null {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text);
  if (!m) return null;
  return {
    iterations: Number(m[1]),
    salt: Buffer.from(m[2]!, 'base64'),
    storedKey: Buffer.from(m[3]!, 'base64'),
    serverKey: Buffer.from(m[4]!, 'base64'),
  };
}

/** A new verifier for `password`, with a fresh random salt. */
export function scramVerifier(password: string, salt: Buffer = randomBytes(SALT_BYTES), iterations = SCRAM_ITERATIONS): string {
  return formatVerifier({ iterations, salt, ...keys(password, salt, iterations) });
}

/** scramVerifier with the PBKDF2 on the thread pool: the apply computes them while the server works. */
export async function scramVerifierAsync(password: string, salt: Buffer = randomBytes(SALT_BYTES), iterations = SCRAM_ITERATIONS): Promise<string> {
  return formatVerifier({ iterations, salt, ...keysOf(await saltedAsync(password, salt, iterations)) });
}

function saltedAsync(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise<Buffer>((res, rej) => pbkdf2(prepare(password), salt, iterations, 32, 'sha256', (err, key) => (err ? rej(err) : res(key))));
}

/**
 * Does `password` match a stored verifier? Recomputes the keys with the verifier's own salt
 * and iteration count: how xp tells "unchanged" without ever storing a plaintext.
 */
export function verifierMatches(password: string, stored: string): boolean {
  const v = parseVerifier(stored);
  if (!v) return false;
  const { storedKey, serverKey } = keys(password, v.salt, v.iterations);
  return (
    storedKey.length === v.storedKey.length &&
    timingSafeEqual(storedKey, v.storedKey) &&
    timingSafeEqual(serverKey, v.serverKey)
  );
}

/** verifierMatches on the thread pool: many accounts are checked in parallel. */
export async function verifierMatchesAsync(password: string, stored: string): Promise<boolean> {
  const v = parseVerifier(stored);
  if (!v) return false;
  const { storedKey, serverKey } = keysOf(await saltedAsync(password, v.salt, v.iterations));
  return storedKey.length === v.storedKey.length && timingSafeEqual(storedKey, v.storedKey) && timingSafeEqual(serverKey, v.serverKey);
}

// Generated passwords: 32 random bytes, URL-safe base64 (43 characters, no padding), so they
// can be pasted into a URL or a dotenv file without quoting.
import { randomBytes } from 'node:crypto';

export const GENERATED_PASSWORD_BYTES = 32;

export function generatePassword(): string {
  return randomBytes(GENERATED_PASSWORD_BYTES).toString('base64url');
}

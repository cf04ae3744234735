import { hkdfSync } from 'node:crypto';
import { type Env, jwtSecret } from '../config/env';

/**
 * The pages' server key (form tokens), derived from JWT_SECRET as the check-in key is: the
 * same on every API process, never stored, and no new secret to configure.
 */
export function webKey(env: Env): Buffer {
  return Buffer.from(hkdfSync('sha256', jwtSecret(env), '', 'lms web pages', 32));
}

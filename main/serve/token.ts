import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh session token: 32 random bytes as 64 hex characters. */
export function createToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Constant-time token check. Both sides are hashed first so the buffers handed to timingSafeEqual
 * always have the same length (it throws otherwise) and the comparison time does not reveal the
 * length of the expected token either.
 */
export function tokensEqual(expected: string, presented: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(a, b);
}

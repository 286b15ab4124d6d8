import argon2 from 'argon2';

/** argon2id with the library's recommended cost (memory-hard, slow on purpose). */
export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}

/** Verified when no user matches, so that a wrong e-mail costs as long as a wrong password. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('yardstick-timing-equaliser');
  return dummyHash;
}

/**
 * Passwords and secrets. Passwords are hashed with argon2id (@node-rs/argon2's defaults: 19 MiB, 2 passes, the
 * OWASP minimum); session cookies and API tokens are 32 random bytes, stored only as their SHA-256.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { invalid } from '../../domain/errors.ts';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** False for a wrong password or a hash that is not argon2 (never throws on bad input). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash of a password nobody knows, verified against when the email is unknown, so that a wrong email costs the
 * same time as a wrong password and sign-in does not tell which emails exist.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hash(randomBytes(16).toString('hex'));
  return decoy;
}

/** NIST 800-63B: length, not composition rules; refuse the obviously guessable. */
export function checkNewPassword(password: string, context: { email: string; name?: string }, field = 'password'): void {
  const problem = passwordProblem(password, context);
  if (problem) throw invalid('WEAK_PASSWORD', `${field}: ${problem}`, [{ field, message: problem }]);
}

function passwordProblem(password: string, context: { email: string; name?: string }): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `use at least ${MIN_PASSWORD_LENGTH} characters (a few words make a good one)`;
  if (password.length > MAX_PASSWORD_LENGTH) return `use at most ${MAX_PASSWORD_LENGTH} characters`;
  if (new Set(password).size < 4) return 'use more than three different characters';
  const lower = password.toLowerCase();
  const local = context.email.split('@')[0]!.toLowerCase();
  if (local.length >= 4 && lower.includes(local)) return 'do not use your email address in the password';
  if (/^(.+)\1+$/.test(lower) || /^(0123456789|123456789|abcdefgh|qwertyui|password)/.test(lower)) return 'that password is too easy to guess';
  return null;
}

/** A one-time password for a new user or a reset: 4 groups of 4 from an alphabet without look-alikes (~78 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    for (let i = 0; i < 4; i++) group += alphabet[randomInt(alphabet.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** A random secret for a cookie or an API token, with a prefix that says what it is (`arf_…` for API tokens). */
export function generateSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

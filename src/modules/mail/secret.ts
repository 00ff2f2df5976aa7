/**
 * Secrets kept in the database (a company's SMTP password) are encrypted with AES-256-GCM under the installation's
 * key: ARFLOW_SECRET_KEY when set (any string of at least 32 characters; the key is derived from it with HKDF), else
 * a random key made once in the data directory (ARFLOW_DATA_DIR/secret.key, readable by its owner only). Several
 * servers on one PostgreSQL database must share ARFLOW_SECRET_KEY. A value is stored as
 * `v1:<iv>:<tag>:<ciphertext>` (base64), so a database dump alone does not reveal the password, and a value changed
 * in the database fails to decrypt rather than being used.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { invalid } from '../../domain/errors.ts';

const KEY_FILE = 'secret.key';
const INFO = 'arflow stored secrets v1';

function dataDir(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.ARFLOW_DATA_DIR?.trim() || './data');
}

/** The 32-byte key: derived from ARFLOW_SECRET_KEY, or read from (or made in) the data directory's key file. */
export function secretKey(env: NodeJS.ProcessEnv = process.env): Buffer {
  const given = env.ARFLOW_SECRET_KEY?.trim();
  if (given) {
    if (given.length < 32) throw invalid('SECRET_KEY_TOO_SHORT', 'ARFLOW_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -base64 32`)');
    return Buffer.from(hkdfSync('sha256', given, 'arflow', INFO, 32));
  }
  const file = path.join(dataDir(env), KEY_FILE);
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    const key = Buffer.from(text, 'base64');
    if (key.length !== 32) throw invalid('SECRET_KEY_FILE_INVALID', `${file} does not hold a 32-byte key in base64: restore it, or set ARFLOW_SECRET_KEY and enter the stored passwords again`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // 'wx': two processes making the key at once must not overwrite each other's.
    fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return secretKey(env);
    throw error;
  }
}

/** Encrypts a secret for storage. */
export function sealSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

/** Decrypts a stored secret; a wrong key or a changed value is an error that says what to do. */
export function openSecret(sealed: string, key: Buffer): string {
  const [version, iv, tag, body] = sealed.split(':');
  if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
    throw invalid('SECRET_UNREADABLE', 'a stored password is not in a known format: enter it again');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw invalid('SECRET_UNREADABLE', 'a stored password cannot be decrypted with this server\'s key (ARFLOW_SECRET_KEY or the data directory\'s secret.key changed): enter the password again');
  }
}

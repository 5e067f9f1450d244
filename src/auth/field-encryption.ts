import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A named 32-byte key; the id is stored with each ciphertext so keys can rotate. */
export interface FieldKey {
  readonly id: string;
  readonly key: Buffer;
}

const FORMAT = 'v1';

/**
 * AES-256-GCM for secrets at rest. Encrypts with the first key; decrypts with whichever key the
 * ciphertext names, so adding a new key in front rotates without rewriting old rows.
 */
export class FieldCipher {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #current: FieldKey;

  constructor(keys: readonly FieldKey[]) {
    if (keys.length === 0) throw new Error('FieldCipher needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new Error(`field key "${k.id}" must be 32 bytes`);
    this.#keys = new Map(keys.map((k) => [k.id, k.key]));
    this.#current = keys[0]!;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [FORMAT, this.#current.id, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  /** @throws Error when the key id is unknown or the ciphertext was tampered with. */
  decrypt(stored: string): string {
    const [format, keyId, iv, tag, body] = stored.split(':');
    if (format !== FORMAT || !keyId || !iv || !tag || body === undefined) throw new Error('not an encrypted field value');
    const key = this.#keys.get(keyId);
    if (!key) throw new Error(`no field-encryption key with id "${keyId}"`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }

  /** The id of the key new values are encrypted with. */
  get currentKeyId(): string {
    return this.#current.id;
  }
}

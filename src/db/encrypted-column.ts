import type { ValueTransformer } from 'typeorm';
import type { FieldCipher } from '../auth/field-encryption.js';

// TypeORM reads column transformers from static decorator metadata, so the cipher they use
// cannot be passed per data source: it is installed once per process by createDataSource().
let cipher: FieldCipher | null = null;

export function installFieldCipher(next: FieldCipher): void {
  cipher = next;
}

function requireCipher(): FieldCipher {
  if (!cipher) throw new Error('field encryption is not configured (createDataSource installs it)');
  return cipher;
}

/** Column transformer: plaintext in the entity, AES-256-GCM ciphertext in the database. */
export const encryptedColumn: ValueTransformer = {
  to: (value: string | null | undefined) => (value == null ? value : requireCipher().encrypt(value)),
  from: (value: string | null) => (value == null ? value : requireCipher().decrypt(value)),
};

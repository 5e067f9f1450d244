import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.js';
import type { FieldKey } from './auth/field-encryption.js';

export interface Secrets {
  readonly jwtSecret: string;
  readonly fieldKeys: readonly FieldKey[];
}

interface StoredSecrets {
  jwtSecret: string;
  fieldKeys: { id: string; key: string }[];
}

/**
 * Configured secrets win. Outside production, missing ones are generated once and kept in
 * `<DATA_DIR>/secrets.json` (mode 0600), so restarts and the CLI sign and decrypt alike.
 */
export async function resolveSecrets(config: Config): Promise<Secrets> {
  if (config.jwtSecret && config.fieldEncryptionKeys) {
    return { jwtSecret: config.jwtSecret, fieldKeys: config.fieldEncryptionKeys };
  }
  const file = join(config.dataDir, 'secrets.json');
  let stored = await readFile(file, 'utf8').then((s) => JSON.parse(s) as StoredSecrets, () => null);
  if (!stored) {
    stored = {
      jwtSecret: randomBytes(48).toString('base64url'),
      fieldKeys: [{ id: 'local1', key: randomBytes(32).toString('base64') }],
    };
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    // 'wx': if another process created it first, use theirs.
    await writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      stored = JSON.parse(await readFile(file, 'utf8')) as StoredSecrets;
    });
  }
  return {
    jwtSecret: config.jwtSecret ?? stored.jwtSecret,
    fieldKeys: config.fieldEncryptionKeys ?? stored.fieldKeys.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') })),
  };
}

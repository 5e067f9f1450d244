import { loadConfig } from './src/config.js';
import { createDataSource } from './src/db/data-source.js';
import { FieldCipher } from './src/auth/field-encryption.js';

// The DataSource the TypeORM CLI uses (`npx typeorm-ts-node-esm`, or via tsx: see README).
// It needs a real PostgreSQL: DATABASE_URL.
const config = loadConfig();
if (!config.databaseUrl) throw new Error('ormconfig.ts: set DATABASE_URL (the TypeORM CLI talks to a real PostgreSQL)');

export default createDataSource({
  target: { kind: 'url', url: config.databaseUrl },
  poolSize: 2,
  cipher: new FieldCipher(config.fieldEncryptionKeys ?? [{ id: 'cli', key: Buffer.alloc(32) }]),
});

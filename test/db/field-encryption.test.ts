import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldCipher } from '../../src/auth/field-encryption.js';
import { User } from '../../src/db/entities/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('field encryption', () => {
  const k1 = { id: 'k1', key: Buffer.alloc(32, 1) };
  const k2 = { id: 'k2', key: Buffer.alloc(32, 2) };

  it('round-trips, names its key, and detects tampering', () => {
    const cipher = new FieldCipher([k1]);
    const stored = cipher.encrypt('JBSWY3DPEHPK3PXP');
    expect(stored).toMatch(/^v1:k1:/);
    expect(stored).not.toContain('JBSWY3DPEHPK3PXP');
    expect(cipher.decrypt(stored)).toBe('JBSWY3DPEHPK3PXP');
    const parts = stored.split(':');
    parts[4] = Buffer.from('forged').toString('base64');
    expect(() => cipher.decrypt(parts.join(':'))).toThrow();
  });

  it('rotates: new values use the first key, old values still decrypt', () => {
    const old = new FieldCipher([k1]).encrypt('secret');
    const rotated = new FieldCipher([k2, k1]);
    expect(rotated.decrypt(old)).toBe('secret');
    expect(rotated.encrypt('secret')).toMatch(/^v1:k2:/);
    expect(() => new FieldCipher([k2]).decrypt(old)).toThrow(/no field-encryption key with id "k1"/);
  });

  describe('TOTP secret column', () => {
    let t: TestDatabase;
    beforeAll(async () => { t = await createTestDatabase(); });
    afterAll(async () => { await t?.close(); });

    it('is ciphertext in the database and plaintext in the entity', async () => {
      const users = t.db.dataSource.getRepository(User);
      const saved = await users.save(users.create({ username: 'enc', email: 'enc@x.invalid', passwordHash: 'x', role: 'client', totpSecret: 'JBSWY3DPEHPK3PXP' }));
      const [raw] = await t.db.dataSource.query('SELECT totp_secret FROM users WHERE id = $1', [saved.id]);
      expect(raw.totp_secret).toMatch(/^v1:test:/);
      expect((await users.findOneByOrFail({ id: saved.id })).totpSecret).toBe('JBSWY3DPEHPK3PXP');
    });
  });
});

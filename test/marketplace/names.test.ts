import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameProblem, nameSkeleton } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/** Chip and designer names that pass for existing ones are refused at publish and registration. */

describe('name skeletons', () => {
  it('fold case, spacing, punctuation, diacritics, compatibility forms and Latin look-alikes together', () => {
    const nova = nameSkeleton('Nova');
    for (const lookalike of ['NOVA', 'nova', ' N o v a ', 'N.O.V.A', 'Nóva', 'Ｎｏｖａ', '𝐍𝐨𝐯𝐚', 'N0va', 'ɴᴏᴠᴀ', 'Nov-a']) {
      expect(nameSkeleton(lookalike), lookalike).toBe(nova);
    }
    expect(nameSkeleton('Neon Dragon')).toBe(nameSkeleton('NeonDragon'));
    expect(nameSkeleton('Kiln')).toBe(nameSkeleton('K1ln'));
    expect(nameSkeleton('Modern')).toBe(nameSkeleton('Rnodern'));
    expect(nameSkeleton('Willow')).toBe(nameSkeleton('VVillow'));
    expect(nameSkeleton('Neon Dragon')).not.toBe(nameSkeleton('Neon Dragons'));
    expect(nameSkeleton('Nova')).not.toBe(nameSkeleton('Vega Flux'));
  });

  it('refuse invisible characters, letters of other scripts and foreign digits', () => {
    expect(nameProblem('Neon\u200BDragon')).toMatch(/invisible/); // zero-width space
    expect(nameProblem('No\u200Dva')).toMatch(/invisible/); // zero-width joiner
    expect(nameProblem('Nova\u202E')).toMatch(/invisible/); // right-to-left override
    expect(nameProblem('N\u043Eva')).toMatch(/Latin/); // Cyrillic о
    expect(nameProblem('\u039Dova')).toMatch(/Latin/); // Greek Ν
    expect(nameProblem('Nova \u0661')).toMatch(/digits/); // Arabic-Indic one
    expect(nameProblem('...')).toMatch(/letter or digit/);
    for (const fine of ['Nova', 'Zoë Ardent', 'Chip #7', "O'Brien & Co.", '<script>alert(1)</script>']) expect(nameProblem(fine), fine).toBeNull();
  });
});

describe('at publish and registration (real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(() => t?.close());

  const publish = async (username: string, name: string) => {
    const res = await t.app.inject({
      method: 'POST', url: '/v1/chips', headers: { authorization: `Bearer ${await t.tokenFor(username)}` },
      payload: { name, priceCredits: 10, editionSize: 5, tags: ['x'] },
    });
    return { status: res.statusCode, body: res.json() };
  };
  let n = 0;
  const address = `10.78.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const register = async (displayName: string) => {
    n += 1;
    const res = await t.app.inject({
      method: 'POST', url: '/v1/auth/register', remoteAddress: address, // the per-IP limit's Redis is shared with other files
      payload: { username: `lookalike${n}`, email: `lookalike${n}@test.invalid`, password: 'a long and unguessable passphrase 7', role: 'designer', displayName },
    });
    return { status: res.statusCode, body: res.json() };
  };

  it('refuses a chip named like an existing one, by anyone', async () => {
    for (const [who, name] of [['vega', 'Neon  Dragon'], ['nova', 'neon dragon'], ['vega', 'Ne\u00F3n Dr\u00E4gon'], ['vega', 'Ｎｅｏｎ Ｄｒａｇｏｎ'], ['vega', 'Neon-Dragon!'], ['vega', 'Ne0n Dragon']] as const) {
      expect(await publish(who, name), name).toEqual({
        status: 409, body: { error: { code: 'HM_ERR_MARKET_NAME_CONFUSABLE', message: 'this chip name looks like the existing Neon Dragon' } },
      });
    }
    expect((await publish('vega', 'Neon\u200BDragon')).body.error.code).toBe('HM_ERR_MARKET_NAME_INVALID');
    expect((await publish('vega', 'N\u0435on Dragon')).body.error).toEqual({ code: 'HM_ERR_MARKET_NAME_INVALID', message: 'this chip name cannot be used: letters must be from the Latin alphabet' });
    const count = await t.database.db.dataSource.query(`SELECT count(*)::int AS n FROM chips WHERE name ILIKE '%drag%'`);
    expect(count).toEqual([{ n: 1 }]);
    // A new name is fine, and then taken.
    expect((await publish('vega', 'Neon Drake')).status).toBe(201);
    expect((await publish('nova', 'NEON DRAKE')).status).toBe(409);
  });

  it('lets only one of two concurrent look-alike chips through', async () => {
    const results = await Promise.all([publish('vega', 'Comet Tail'), publish('aria', 'comet  tail')]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('refuses a designer display name that looks like an existing one', async () => {
    for (const name of ['N0va', 'Nóva', 'ɴova', 'Kenji  Sato', 'KenjiSato']) {
      const res = await register(name);
      expect(res, name).toMatchObject({ status: 409, body: { error: { code: 'HM_ERR_MARKET_NAME_CONFUSABLE' } } });
    }
    expect((await register('No\u200Bva')).body.error.code).toBe('HM_ERR_MARKET_NAME_INVALID');
    expect((await register('\u041Dova')).body.error.code).toBe('HM_ERR_MARKET_NAME_INVALID'); // Cyrillic Н
    expect((await register('Nova Prime')).status).toBe(201);
    const names = await t.database.db.dataSource.query(`SELECT display_name FROM designer_profiles WHERE display_name ILIKE 'n%v%' ORDER BY 1`);
    expect(names).toEqual([{ display_name: 'Nova' }, { display_name: 'Nova Prime' }]);
  });
});

import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { Errors, toUnavailableError } from '../../src/errors.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

/** Which failures mean "a dependency is unreachable" (503, retry) rather than a broken request. */
describe('toUnavailableError', () => {
  it('recognises PostgreSQL going away: refused, reset, shutting down, terminated', () => {
    for (const err of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is shutting down', '57P03'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query runner already released. Cannot run queries anymore.'),
      new QueryFailedError('SELECT 1', [], withCode('the database system is starting up', '57P03')),
    ]) expect(toUnavailableError(err)?.code, err.message).toBe('HM_ERR_DB_UNAVAILABLE');
  });

  it('recognises Redis being down with the offline queue off', () => {
    for (const err of [
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      new Error('Connection is closed.'),
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' }),
      new Error('Command timed out'),
    ]) expect(toUnavailableError(err)?.code, err.message).toBe('HM_ERR_CACHE_UNAVAILABLE');
  });

  it('leaves every other failure alone', () => {
    for (const err of [
      new QueryFailedError('INSERT …', [], withCode('duplicate key value violates unique constraint', '23505')),
      withCode('deadlock detected', '40P01'),
      new TypeError('x is undefined'),
      Errors.SoldOut('Quantum Koi'),
      'not an error',
      null,
    ]) expect(toUnavailableError(err)).toBeNull();
  });

  it('passes the catalog errors through, keeping the cause off the wire', () => {
    const down = Errors.CacheUnavailable();
    expect(toUnavailableError(down)).toBe(down);
    const mapped = toUnavailableError(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))!;
    expect(mapped.cause).toBeInstanceOf(Error);
    expect(JSON.stringify({ error: { code: mapped.code, message: mapped.message } })).not.toContain('5432');
  });
});

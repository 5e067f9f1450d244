import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Errors, isHoloMeshError, toHttpBody, toUnavailableError, type HoloMeshError } from '../errors.js';

/** Maps every failure to `{error: {code, message}}` with the catalog's HTTP status. */
export const errorHandlerPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = toCatalogError(err);
    if (isOutage(known)) {
      // An outage fails every request the same way: one line each, no stack, and a hint to retry.
      request.log.warn({ code: known.code, cause: String(known.cause ?? err.message) }, known.message);
      reply.header('retry-after', '1');
    } else if (known.statusCode >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: known.code }, known.message);
    return reply.status(known.statusCode).send(toHttpBody(known));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(toHttpBody(Errors.NotFound(`route ${request.method} ${request.url.split('?')[0]}`)));
  });
}, { name: 'holomesh-error-handler', fastify: '5.x' });

function toCatalogError(err: FastifyError): HoloMeshError {
  if (isHoloMeshError(err)) return err;
  // A valid token of an account deleted since: its rows cannot reference the user any more.
  if (isMissingUser(err)) return Errors.Unauthenticated('the account no longer exists');
  if (err.validation) return Errors.BadRequest(err.message);
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return Errors.PayloadTooLarge(err.message.replace(/^.*?(\d+).*$/, '$1 bytes'));
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return Errors.BadRequest(err.message);
  }
  if (err.statusCode === 429) return Errors.RateLimited(1);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return Errors.BadRequest(err.message);
  // PostgreSQL or Redis unreachable (down, restarting): 503 with its catalog code, not a 500.
  return toUnavailableError(err) ?? Errors.Internal();
}

function isOutage(err: HoloMeshError): boolean {
  return err.code === Errors.DatabaseUnavailable.code || err.code === Errors.CacheUnavailable.code;
}

/** A foreign-key violation against `users`: the caller's account is gone (PostgreSQL 23503). */
function isMissingUser(err: Error): boolean {
  const driver = (err as { driverError?: { code?: unknown; detail?: unknown } }).driverError ?? (err as { code?: unknown; detail?: unknown });
  return driver.code === '23503' && typeof driver.detail === 'string' && driver.detail.includes('is not present in table "users"');
}

/**
 * pino's `err` serializer for this app: an error's type, code, message, stack and, for database
 * errors, the constraint and table — never the query's parameters (a transcript, a name), the
 * query text, or the driver's `detail` that repeats the offending values.
 */
export function loggableError(err: Error): { type: string; message: string; stack: string; [key: string]: unknown } {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err), stack: '' };
  const { code, constraint, table, driverError } = err as { code?: unknown; constraint?: unknown; table?: unknown; driverError?: { code?: unknown; constraint?: unknown; table?: unknown } };
  const fields = { code: code ?? driverError?.code, constraint: constraint ?? driverError?.constraint, table: table ?? driverError?.table };
  return {
    type: err.name === 'error' ? err.constructor.name : err.name,
    message: err.message,
    stack: err.stack ?? '',
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    ...(err.cause instanceof Error ? { cause: loggableError(err.cause) } : {}),
  };
}

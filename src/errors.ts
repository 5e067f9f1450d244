/**
 * The one catalog of errors. Each has a stable code (`HM_ERR_<AREA>_<WHAT>`), an HTTP status,
 * and is sent the same way over HTTP (`{error: {code, message}}`) and WebSocket
 * (`{"type":"error","code","message"}`). Throw sites import errors by name.
 */
export class HoloMeshError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Extra, safe-to-show details (e.g. which field was wrong). */
  readonly details?: unknown;

  constructor(code: ErrorCode, statusCode: number, message: string, details?: unknown) {
    super(message);
    this.name = 'HoloMeshError';
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }
}

export function isHoloMeshError(err: unknown): err is HoloMeshError {
  return err instanceof HoloMeshError;
}

type ErrorFactory<C extends string, A extends unknown[]> = ((...args: A) => HoloMeshError) & { readonly code: C; readonly statusCode: number };

function define<const C extends `HM_ERR_${string}`, A extends unknown[]>(code: C, statusCode: number, message: (...args: A) => string): ErrorFactory<C, A> {
  // `code` is one of the catalog's: ErrorCode is made of the codes given here.
  const factory = (...args: A) => new HoloMeshError(code as ErrorCode, statusCode, message(...args));
  return Object.assign(factory, { code, statusCode });
}

/** Thrown before the server starts; the CLI prints its message and exits 1. */
export class ConfigError extends HoloMeshError {
  constructor(message: string) {
    super(Errors.ConfigInvalid.code, Errors.ConfigInvalid.statusCode, message);
    this.name = 'ConfigError';
  }
}

export const Errors = {
  // configuration (thrown as ConfigError)
  ConfigInvalid: define('HM_ERR_CONFIG_INVALID', 500, (what: string) => what),
  // request shape
  BadRequest: define('HM_ERR_REQUEST_INVALID', 400, (what: string) => `invalid request: ${what}`),
  NotFound: define('HM_ERR_REQUEST_NOT_FOUND', 404, (what: string) => `${what} not found`),
  PayloadTooLarge: define('HM_ERR_REQUEST_TOO_LARGE', 413, (limit: string) => `request too large (limit ${limit})`),
  RateLimited: define('HM_ERR_REQUEST_RATE_LIMITED', 429, (retryS: number) => `too many requests, retry in ${retryS} s`),
  // auth
  Unauthenticated: define('HM_ERR_AUTH_REQUIRED', 401, (why: string = 'a valid access token is required') => why),
  Forbidden: define('HM_ERR_AUTH_FORBIDDEN', 403, (what: string) => `not allowed: ${what}`),
  InvalidCredentials: define('HM_ERR_AUTH_INVALID_CREDENTIALS', 401, () => 'wrong username or password'),
  TotpRequired: define('HM_ERR_AUTH_TOTP_REQUIRED', 401, () => 'this account uses two-factor authentication: send a code (totp)'),
  TotpInvalid: define('HM_ERR_AUTH_TOTP_INVALID', 401, () => 'the two-factor code is wrong, expired or already used'),
  TotpState: define('HM_ERR_AUTH_TOTP_STATE', 409, (what: string) => what),
  EnrolmentRequired: define('HM_ERR_AUTH_ENROLMENT_REQUIRED', 403, (role: string) => `accounts with the role ${role} must set up two-factor authentication first`),
  RefreshInvalid: define('HM_ERR_AUTH_REFRESH_INVALID', 401, (why: string = 'the refresh token is invalid, expired or revoked') => why),
  PasswordWeak: define('HM_ERR_AUTH_PASSWORD_WEAK', 400, (why: string) => `choose another password: ${why}`),
  AccountExists: define('HM_ERR_AUTH_ACCOUNT_EXISTS', 409, (what: string) => `${what} is already taken`),
  AccountDisabled: define('HM_ERR_AUTH_ACCOUNT_DISABLED', 403, () => 'this account is disabled: ask an administrator'),
  DeviceScope: define('HM_ERR_AUTH_DEVICE_SCOPE', 403, () => 'a device credential may only send voice and text commands (/v1/voice, /v1/speech-to-intent, /v1/commands, /v1/tts)'),
  DeviceExists: define('HM_ERR_AUTH_DEVICE_EXISTS', 409, (name: string) => `there is already a device named "${name}"`),
  DeviceLimit: define('HM_ERR_AUTH_DEVICE_LIMIT', 409, (max: number) => `an account may have at most ${max} devices: revoke one first`),
  // dependencies
  DatabaseUnavailable: define('HM_ERR_DB_UNAVAILABLE', 503, () => 'the database is unavailable, try again shortly'),
  CacheUnavailable: define('HM_ERR_CACHE_UNAVAILABLE', 503, () => 'the session store is unavailable, try again shortly'),
  ShuttingDown: define('HM_ERR_SERVER_SHUTTING_DOWN', 503, () => 'the server is shutting down, reconnect shortly'),
  // marketplace
  InsufficientCredits: define('HM_ERR_MARKET_INSUFFICIENT_CREDITS', 409, (need: number, have: number) => `not enough credits: needs ${need}, balance ${have}`),
  SoldOut: define('HM_ERR_MARKET_SOLD_OUT', 409, (chip: string) => `${chip} is sold out`),
  Conflict: define('HM_ERR_MARKET_CONFLICT', 409, (what: string) => what),
  ChipInvalid: define('HM_ERR_MARKET_CHIP_INVALID', 400, (what: string) => `cannot publish this chip: ${what}`),
  NameInvalid: define('HM_ERR_MARKET_NAME_INVALID', 400, (what: string, why: string) => `this ${what} name cannot be used: ${why}`),
  ReviewInvalid: define('HM_ERR_MARKET_REVIEW_INVALID', 400, (why: string) => `cannot post this review: ${why}`),
  PostInvalid: define('HM_ERR_MARKET_POST_INVALID', 400, (why: string) => `cannot post this message: ${why}`),
  NotGroupMember: define('HM_ERR_MARKET_NOT_MEMBER', 403, (group: string) => `join ${group} before posting there`),
  NameConfusable: define('HM_ERR_MARKET_NAME_CONFUSABLE', 409, (what: string, existing: string) => `this ${what} name looks like the existing ${existing}`),
  /** A money movement the code should never have asked for (a bug, not a user's mistake): nothing is written. */
  MoneyInvalid: define('HM_ERR_MARKET_MONEY_INVALID', 500, (what: string) => `refused an invalid money movement: ${what}`),
  // voice protocol
  ProtocolViolation: define('HM_ERR_VOICE_PROTOCOL', 400, (what: string) => what),
  UnsupportedAudio: define('HM_ERR_VOICE_AUDIO', 415, (what: string) => what),
  SpeechUnavailable: define('HM_ERR_VOICE_UNAVAILABLE', 503, (why: string) => `speech recognition unavailable: ${why}`),
  // speech stage
  SpeechWavInvalid: define('HM_ERR_SPEECH_WAV_INVALID', 415, (what: string) => what),
  SpeechModelNotFound: define('HM_ERR_SPEECH_MODEL_NOT_FOUND', 503, (what: string) => what),
  SpeechGrammarInvalid: define('HM_ERR_SPEECH_GRAMMAR_INVALID', 500, (what: string) => what),
  SpeechEngineUnavailable: define('HM_ERR_SPEECH_ENGINE_UNAVAILABLE', 503, (what: string) => what),
  SpeechStreamClosed: define('HM_ERR_SPEECH_STREAM_CLOSED', 409, (what: string = 'the recognition stream is closed') => what),
  SpeechWorkerFailed: define('HM_ERR_SPEECH_WORKER_FAILED', 503, (what: string) => what),
  // intent templates (TemplateError in src/nlu carries file, line and column)
  TemplateInvalid: define('HM_ERR_NLU_TEMPLATE', 500, (where: string) => `broken intent template: ${where}`),
  // anything unexpected; the message never leaks internals
  Internal: define('HM_ERR_INTERNAL', 500, () => 'internal error'),
} as const;

/** Every code of the catalog. */
export type ErrorCode = (typeof Errors)[keyof typeof Errors]['code'];

/** Serialised form for HTTP bodies. */
export function toHttpBody(err: HoloMeshError): { error: { code: string; message: string; details?: unknown } } {
  return { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } };
}

/** Serialised form for WebSocket error frames. */
export function toWsFrame(err: HoloMeshError): { type: 'error'; code: string; message: string } {
  return { type: 'error', code: err.code, message: err.message };
}

// PostgreSQL SQLSTATEs and socket errnos that mean "the server went away or is not accepting
// connections yet", as opposed to a query that failed on its own.
const DB_UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', // admin_shutdown, crash_shutdown, cannot_connect_now
  '08000', '08001', '08003', '08004', '08006', // connection_exception class
]);
// TypeORM releases a transaction's connection as soon as it reports an error, so the next query
// of that transaction fails with "query runner already released": the connection was lost.
const DB_UNREACHABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|is not queryable|the database system is (?:starting up|shutting down|in recovery mode)|terminating connection due to|query runner (?:was )?already released/i;
// ioredis with the offline queue off: commands fail at once while it reconnects in the background.
const CACHE_UNREACHABLE_MESSAGE = /Stream isn't writeable|enableOfflineQueue|Connection is closed|max retries per request|Command timed out/i;

/**
 * The catalog error for a failure that only means a dependency is unreachable right now
 * (PostgreSQL or Redis down, restarting or dropping connections): `HM_ERR_DB_UNAVAILABLE` or
 * `HM_ERR_CACHE_UNAVAILABLE`, both 503 and safe to retry. Null for every other failure.
 * Recognised by shape (errno, SQLSTATE, driver message), so this module imports no driver.
 */
export function toUnavailableError(err: unknown): HoloMeshError | null {
  if (isHoloMeshError(err)) {
    return err.code === Errors.DatabaseUnavailable.code || err.code === Errors.CacheUnavailable.code ? err : null;
  }
  if (!(err instanceof Error)) return null;
  const { code, driverError, name } = err as Error & { code?: unknown; driverError?: unknown };
  // TypeORM wraps the driver's error (QueryFailedError.driverError).
  if (driverError instanceof Error && driverError !== err) return toUnavailableError(driverError);
  if (name === 'MaxRetriesPerRequestError' || CACHE_UNREACHABLE_MESSAGE.test(err.message)) return withCause(Errors.CacheUnavailable(), err);
  if ((typeof code === 'string' && DB_UNREACHABLE_CODES.has(code)) || DB_UNREACHABLE_MESSAGE.test(err.message)) {
    return withCause(Errors.DatabaseUnavailable(), err);
  }
  return null;
}

function withCause(err: HoloMeshError, cause: Error): HoloMeshError {
  err.cause = cause; // kept for the server log; never serialised to clients
  return err;
}

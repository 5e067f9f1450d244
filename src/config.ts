import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import envSchema from 'env-schema';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from './errors.js';
import { PROJECT_ROOT } from './project-root.js';
import type { Role } from './db/entities/user.js';
import type { LoginLimits } from './auth/login-limiter.js';

/**
 * Every setting of the service, read from the environment once and validated at start.
 * The README's configuration table documents each variable; keep the two in step.
 */
const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], { default: 'development' }),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  // Behind a load balancer: `true` (trust every proxy), a hop count, or proxy addresses/CIDRs.
  TRUST_PROXY: Type.String({ default: '', pattern: '^(|true|false|[0-9]+|[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*)$' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  // `auto`: human-readable lines on a terminal, JSON lines otherwise (a file, a pipe, a log collector).
  LOG_FORMAT: Type.Union([Type.Literal('auto'), Type.Literal('pretty'), Type.Literal('json')], { default: 'auto' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DB_POOL_SIZE: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  JWT_ACCESS_TTL_S: Type.Integer({ default: 900, minimum: 30, maximum: 86_400 }),
  FIELD_ENCRYPTION_KEYS: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44}(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44})*$' })),
  SEED_DEMO: Type.Union([Type.Literal('auto'), Type.Literal('always'), Type.Literal('never')], { default: 'auto' }),
  PLATFORM_FEE_BPS: Type.Integer({ default: 1_000, minimum: 0, maximum: 5_000 }),
  ASR_ENGINE: Type.Union([Type.Literal('auto'), Type.Literal('soundswallower'), Type.Literal('vosk')], { default: 'auto' }),
  SPEECH_MODEL_PATH: Type.Optional(Type.String({ minLength: 1 })),
  VOSK_MODEL_PATH: Type.Optional(Type.String({ minLength: 1 })),
  SPEECH_WORKERS: Type.Integer({ default: 0, minimum: 0, maximum: 64 }),
  SPEECH_FINAL_PASS: Type.Boolean({ default: true }),
  SPEECH_DENOISE: Type.Boolean({ default: true }),
  SPEECH_VERIFY_BELOW: Type.Optional(Type.Union([Type.Number({ minimum: -20, maximum: 0 }), Type.Literal('off')])),
  SPEECH_WARM_DECODERS: Type.Integer({ default: 4, minimum: 1, maximum: 64 }),
  NLU_THRESHOLD: Type.Number({ default: 0.5, minimum: 0, maximum: 1 }),
  SESSION_TTL_S: Type.Integer({ default: 1_800, minimum: 60 }),
  CONFIRM_TIMEOUT_S: Type.Integer({ default: 60, minimum: 5, maximum: 3_600 }),
  MIN_ASR_CONFIDENCE: Type.Number({ default: 0.3, minimum: 0, maximum: 1 }),
  CONFIRM_MIN_ASR_CONFIDENCE: Type.Number({ default: 0.85, minimum: 0, maximum: 1 }),
  ALLOW_ANONYMOUS_TRANSCRIBE: Type.Boolean({ default: false }),
  ENDPOINT_SILENCE_MS: Type.Integer({ default: 600, minimum: 100, maximum: 5_000 }),
  MAX_UTTERANCE_S: Type.Integer({ default: 15, minimum: 1, maximum: 120 }),
  SPEECH_UPLOAD_RATE_LIMIT_MAX: Type.Integer({ default: 20, minimum: 1 }),
  SPEECH_UPLOAD_RATE_LIMIT_WINDOW_S: Type.Integer({ default: 60, minimum: 1 }),
  VOICE_IDLE_TIMEOUT_S: Type.Integer({ default: 60, minimum: 5 }),
  WS_CONNECTIONS_PER_MINUTE: Type.Integer({ default: 60, minimum: 1 }),
  MAX_VOICE_SESSIONS_PER_USER: Type.Integer({ default: 4, minimum: 1 }),
  SHUTDOWN_GRACE_MS: Type.Integer({ default: 10_000, minimum: 0 }),
  JWT_REFRESH_TTL_S: Type.Integer({ default: 1_209_600, minimum: 60, maximum: 31_536_000 }),
  SESSION_MAX_AGE_S: Type.Integer({ default: 2_592_000, minimum: 60, maximum: 31_536_000 }),
  REQUIRE_2FA_ROLES: Type.String({ default: '', pattern: '^((client|designer|admin)(,(client|designer|admin))*)?$' }),
  AUTH_RATE_LIMIT_MAX: Type.Integer({ default: 10, minimum: 1 }),
  AUTH_RATE_LIMIT_WINDOW_S: Type.Integer({ default: 60, minimum: 1 }),
  LOGIN_FAILURE_LIMIT: Type.Integer({ default: 5, minimum: 1 }),
  LOGIN_FAILURE_WINDOW_S: Type.Integer({ default: 900, minimum: 1 }),
  LOGIN_LOCKOUT_MAX_S: Type.Integer({ default: 86_400, minimum: 1 }),
  LOGIN_SLOW_AFTER: Type.Integer({ default: 20, minimum: 1 }),
  LOGIN_SLOW_MAX_MS: Type.Integer({ default: 5_000, minimum: 0, maximum: 60_000 }),
  COMMAND_RATE_LIMIT_MAX: Type.Integer({ default: 120, minimum: 1 }),
  COMMAND_RATE_LIMIT_WINDOW_S: Type.Integer({ default: 60, minimum: 1 }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  // Wyoming (Home Assistant, Rhasspy): off unless a port is set; it has no authentication of its own.
  WYOMING_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  WYOMING_HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  WYOMING_USER: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  WYOMING_DEVICE_TOKEN: Type.Optional(Type.String({ minLength: 16, maxLength: 128 })),
});

type Env = Static<typeof EnvSchema>;

/** Immutable, validated settings. Per-request or per-stream context lives elsewhere. */
export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly isProduction: boolean;
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  /** `auto` = `pretty` when standard output is a terminal, else `json`. */
  readonly logFormat: 'auto' | 'pretty' | 'json';
  /** fastify's `trustProxy`: client addresses from X-Forwarded-For when the peer is a trusted proxy. */
  readonly trustProxy: boolean | number | readonly string[];
  /** Absolute path of the data directory (embedded database, generated secrets, model cache). */
  readonly dataDir: string;
  /** Real PostgreSQL when set; otherwise the embedded PGlite under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dbPoolSize: number;
  /** Real Redis when set; otherwise the in-process session store. */
  readonly redisUrl: string | undefined;
  /** Undefined outside production means "generate once and keep under dataDir". */
  readonly jwtSecret: string | undefined;
  readonly jwtAccessTtlS: number;
  /** `kid:base64key` pairs; the first is used to encrypt, all decrypt (key rotation). */
  readonly fieldEncryptionKeys: readonly { readonly id: string; readonly key: Buffer }[] | undefined;
  readonly seedDemo: Env['SEED_DEMO'];
  readonly platformFeeBps: number;
  readonly speech: {
    readonly engine: Env['ASR_ENGINE'];
    readonly modelPath: string | undefined;
    readonly voskModelPath: string | undefined;
    readonly workers: number;
    /** Decode each utterance again, whole, at its end (normalised by its own cepstral mean). */
    readonly finalPass: boolean;
    /** Noise suppression (RNNoise) over a noisy utterance before its final pass. */
    readonly denoise: boolean;
    /**
     * Out-of-grammar rejection: the score (nats per frame) a command must reach in a quiet room;
     * false = off; undefined = the speech engine's default for its model.
     */
    readonly verifyBelow: number | false | undefined;
    /** Stream decoders each worker has ready from the start (streams it serves without building one). */
    readonly warmDecoders: number;
    readonly allowAnonymous: boolean;
    readonly endpointSilenceMs: number;
    /** Longest utterance a stream or an upload may carry. */
    readonly maxUtteranceS: number;
    /** `POST /v1/speech-to-intent` per user (or IP when anonymous). */
    readonly uploadLimit: RateLimitSetting;
    readonly idleTimeoutS: number;
    /** New WebSocket connections per client IP per minute. */
    readonly connectionsPerMinute: number;
    /** Open voice sessions (each may stream audio) per user, across instances. */
    readonly maxSessionsPerUser: number;
  };
  readonly nluThreshold: number;
  readonly sessionTtlS: number;
  readonly confirmTimeoutS: number;
  /** Recogniser confidence below which a spoken command is answered "not understood". */
  readonly minAsrConfidence: number;
  /** Word confidence every word of a spoken yes needs before it may spend credits. */
  readonly confirmMinAsrConfidence: number;
  readonly shutdownGraceMs: number;
  /** When set, `GET /metrics` needs it as a bearer token; otherwise the endpoint is open. */
  readonly metricsToken: string | undefined;
  /** The Wyoming server; undefined = not started. */
  readonly wyoming: {
    readonly host: string;
    /** 0 = any free port (tests). */
    readonly port: number;
    /** The account every command on the port acts for; undefined = speech-to-text and recognition only. */
    readonly user: string | undefined;
    /** Instead of `user`: a device credential, whose account the port acts for until it is revoked. */
    readonly deviceToken?: string | undefined;
  } | undefined;
  readonly auth: {
    /** Lifetime of a refresh token (an idle session ends after it); each use rotates it. */
    readonly refreshTtlS: number;
    /** Absolute lifetime of a login: refreshing never extends a session beyond it. */
    readonly sessionMaxAgeS: number;
    /** Roles that may only sign in with two-factor authentication enabled. */
    readonly require2faRoles: readonly Role[];
    /** Per client IP, on register, login and the 2FA routes. */
    readonly ipLimit: RateLimitSetting;
    /** Guesses (passwords, 2FA codes) per account and client, and per account: see src/auth/login-limiter.ts. */
    readonly loginLimits: LoginLimits;
    /** Per user (or IP when anonymous), on every `/v1/commands` route. */
    readonly commandLimit: RateLimitSetting;
  };
}

/** At most `max` within `windowS` seconds. */
export interface RateLimitSetting {
  readonly max: number;
  readonly windowS: number;
}

function parseTrustProxy(value: string): boolean | number | readonly string[] {
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^[0-9]+$/.test(value)) return Number(value);
  return Object.freeze(value.split(','));
}

/**
 * Reads and validates the settings.
 * @throws ConfigError naming every bad variable, or missing secrets in production.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  let env: Env;
  try {
    // An empty variable (`DATABASE_URL=`) means "not set", as in most shells' habits.
    const data = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
    env = envSchema<Env>({ schema: EnvSchema, data, env: false, dotenv: false });
  } catch (err) {
    throw new ConfigError(describeEnvError(err));
  }
  const isProduction = env.NODE_ENV === 'production';
  const fieldEncryptionKeys = env.FIELD_ENCRYPTION_KEYS?.split(',').map((pair) => {
    const [id, b64] = pair.split(':') as [string, string];
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new ConfigError(`FIELD_ENCRYPTION_KEYS: key "${id}" must be 32 bytes in base64 (got ${key.length})`);
    return { id, key };
  });
  if (isProduction) {
    if (!env.JWT_SECRET || !fieldEncryptionKeys) {
      const missing = [!env.JWT_SECRET && 'JWT_SECRET', !fieldEncryptionKeys && 'FIELD_ENCRYPTION_KEYS'].filter(Boolean);
      throw new ConfigError(`NODE_ENV=production needs real secrets: set ${missing.join(' and ')} (see README, "Configuration")`);
    }
    if (estimatedBits(Buffer.from(env.JWT_SECRET, 'utf8')) < MIN_SECRET_BITS) {
      throw new ConfigError('JWT_SECRET looks guessable (too few different characters): use a random one, e.g. `openssl rand -base64 48`');
    }
    const weakKey = fieldEncryptionKeys.find(({ key }) => estimatedBits(key) < MIN_SECRET_BITS);
    if (weakKey) throw new ConfigError(`FIELD_ENCRYPTION_KEYS: key "${weakKey.id}" is not random (e.g. all zeros): use \`openssl rand -base64 32\``);
  }
  return Object.freeze({
    env: env.NODE_ENV,
    isProduction,
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    // Unset: the project's own data/, wherever a command runs from; a relative DATA_DIR is the
    // working directory's.
    dataDir: source.DATA_DIR ? resolve(env.DATA_DIR) : join(PROJECT_ROOT, 'data'),
    databaseUrl: env.DATABASE_URL,
    dbPoolSize: env.DB_POOL_SIZE,
    redisUrl: env.REDIS_URL,
    jwtSecret: env.JWT_SECRET,
    jwtAccessTtlS: env.JWT_ACCESS_TTL_S,
    fieldEncryptionKeys,
    seedDemo: env.SEED_DEMO,
    platformFeeBps: env.PLATFORM_FEE_BPS,
    speech: Object.freeze({
      engine: env.ASR_ENGINE,
      modelPath: env.SPEECH_MODEL_PATH,
      voskModelPath: env.VOSK_MODEL_PATH,
      workers: env.SPEECH_WORKERS || availableParallelism(),
      finalPass: env.SPEECH_FINAL_PASS,
      denoise: env.SPEECH_DENOISE,
      verifyBelow: env.SPEECH_VERIFY_BELOW === 'off' ? false : env.SPEECH_VERIFY_BELOW,
      warmDecoders: env.SPEECH_WARM_DECODERS,
      allowAnonymous: env.ALLOW_ANONYMOUS_TRANSCRIBE,
      endpointSilenceMs: env.ENDPOINT_SILENCE_MS,
      maxUtteranceS: env.MAX_UTTERANCE_S,
      uploadLimit: Object.freeze({ max: env.SPEECH_UPLOAD_RATE_LIMIT_MAX, windowS: env.SPEECH_UPLOAD_RATE_LIMIT_WINDOW_S }),
      idleTimeoutS: env.VOICE_IDLE_TIMEOUT_S,
      connectionsPerMinute: env.WS_CONNECTIONS_PER_MINUTE,
      maxSessionsPerUser: env.MAX_VOICE_SESSIONS_PER_USER,
    }),
    nluThreshold: env.NLU_THRESHOLD,
    sessionTtlS: env.SESSION_TTL_S,
    confirmTimeoutS: env.CONFIRM_TIMEOUT_S,
    minAsrConfidence: env.MIN_ASR_CONFIDENCE,
    confirmMinAsrConfidence: env.CONFIRM_MIN_ASR_CONFIDENCE,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    metricsToken: env.METRICS_TOKEN,
    wyoming: env.WYOMING_PORT === undefined
      ? undefined
      : Object.freeze({ host: env.WYOMING_HOST, port: env.WYOMING_PORT, user: env.WYOMING_USER, deviceToken: env.WYOMING_DEVICE_TOKEN }),
    auth: Object.freeze({
      refreshTtlS: env.JWT_REFRESH_TTL_S,
      sessionMaxAgeS: env.SESSION_MAX_AGE_S,
      require2faRoles: Object.freeze([...new Set(env.REQUIRE_2FA_ROLES.split(',').filter(Boolean))] as Role[]),
      ipLimit: Object.freeze({ max: env.AUTH_RATE_LIMIT_MAX, windowS: env.AUTH_RATE_LIMIT_WINDOW_S }),
      loginLimits: Object.freeze({
        perClientMax: env.LOGIN_FAILURE_LIMIT,
        windowS: env.LOGIN_FAILURE_WINDOW_S,
        maxWindowS: Math.max(env.LOGIN_LOCKOUT_MAX_S, env.LOGIN_FAILURE_WINDOW_S),
        slowAfter: env.LOGIN_SLOW_AFTER,
        maxDelayMs: env.LOGIN_SLOW_MAX_MS,
      }),
      commandLimit: Object.freeze({ max: env.COMMAND_RATE_LIMIT_MAX, windowS: env.COMMAND_RATE_LIMIT_WINDOW_S }),
    }),
  });
}

// A random 32-byte key or a 32-character random string estimates well above this; "aaaa…", an
// all-zero key or a short repeated pattern far below it.
const MIN_SECRET_BITS = 96;

/**
 * Length × the empirical Shannon entropy of its bytes: a crude upper bound on a secret's
 * randomness, good enough to catch placeholders (32 × "a", all-zero keys, "abcabc…").
 */
function estimatedBits(secret: Uint8Array): number {
  const counts = new Map<number, number>();
  for (const byte of secret) counts.set(byte, (counts.get(byte) ?? 0) + 1);
  let perByte = 0;
  for (const n of counts.values()) perByte -= (n / secret.length) * Math.log2(n / secret.length);
  return perByte * secret.length;
}

/** Turns ajv's messages ("env/PORT must be <= 65535") into one line per variable. */
function describeEnvError(err: unknown): string {
  const errors = (err as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }).errors;
  if (!errors) return String((err as Error).message ?? err);
  return 'invalid configuration:\n' + errors
    .map((e) => {
      const name = e.instancePath.replace(/^\//, '') || String(e.params?.missingProperty ?? 'environment');
      return `  ${name}: ${e.message ?? 'is invalid'}`;
    })
    .join('\n');
}

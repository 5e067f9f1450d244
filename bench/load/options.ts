/** The load bench's command line (see bench/load.ts), read once with node:util's parseArgs. */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '4' },
    rates: { type: 'string', default: '100,250,500,1000,max' },
    connections: { type: 'string', default: '32' },
    'ws-connections': { type: 'string', default: '200' },
    idle: { type: 'string', default: '1000' },
    streams: { type: 'string', default: '8' },
    repeat: { type: 'string', default: '1' },
    'sync-commit': { type: 'string', default: 'on' },
    text: { type: 'string', default: 'what is my balance' },
    intent: { type: 'string', default: 'CheckBalance' },
    pool: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    'cpu-prof': { type: 'string' },
    'no-http': { type: 'boolean', default: false },
    'no-ws': { type: 'boolean', default: false },
    'no-floor': { type: 'boolean', default: false },
  },
});

function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}

export const DURATION_S = positiveInt('duration', values.duration);
export const RATES = values.rates.split(',').map((r) => {
  if (r === 'max') return 'max' as const;
  const n = Number(r);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--rates: "${r}" is neither a whole number nor "max"`);
  return n;
});
export const HTTP_CONNECTIONS = positiveInt('connections', values.connections);
export const WS_CONNECTIONS = positiveInt('ws-connections', values['ws-connections']);
export const IDLE_SESSIONS = positiveInt('idle', values.idle);
export const AUDIO_STREAMS = positiveInt('streams', values.streams);
/** Each rate this many times in a row: the spread between runs is part of the figure. */
export const REPEAT = positiveInt('repeat', values.repeat);
/**
 * `--sync-commit off`: the server's PostgreSQL sessions commit without waiting for the WAL flush.
 * NOT durable, so never a figure of the service: it shows how much of the latency is the disk's.
 */
export const SYNC_COMMIT = values['sync-commit'];
if (SYNC_COMMIT !== 'on' && SYNC_COMMIT !== 'off') throw new Error('--sync-commit must be on or off');
export const TEXT = values.text;
export const EXPECTED_INTENT = values.intent;
export const POOL = values.pool === undefined ? undefined : String(positiveInt('pool', values.pool));
export const LOG_LEVEL = values['log-level'];
/** Where the server writes its CPU profile (`--cpu-prof DIR`), or undefined for none. */
export const CPU_PROFILE_DIR = values['cpu-prof'];
export const RUN_HTTP = !values['no-http'];
export const RUN_WS = !values['no-ws'];
/** The raw-INSERT run after each HTTP run at a fixed rate (the floor of its latency). */
export const RUN_FLOOR = !values['no-floor'];
/** The latency target the summary checks each run against. */
export const P99_TARGET_MS = 15;
export const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379/0';

/** The runs of the load bench: text commands over HTTP and WebSocket, raw INSERTs, memory per session and per audio stream. */
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { AUDIO_STREAMS, EXPECTED_INTENT, HTTP_CONNECTIONS, IDLE_SESSIONS, TEXT, WS_CONNECTIONS } from './options.js';
import { measured, procStatus, settledRss, type RawInserts, type Service, type Usage } from './probes.js';
import { fmt, printRun } from './report.js';

// autocannon ships no types: the little of its API used here.
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
}
interface AutocannonResult { errors: number; timeouts: number; non2xx: number }
type Autocannon = (options: Record<string, unknown>, done: (err: Error | null, result: AutocannonResult) => void) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;


export interface RunFigures extends Usage {
  readonly label: string;
  readonly target: number | 'max';
  readonly done: number;
  readonly latencies: number[];
  readonly failures: number;
}

/** Lets the answers in flight arrive (up to 10 s); resolves with how many are still missing. */
async function drained(outstanding: () => number): Promise<number> {
  for (const until = performance.now() + 10_000; outstanding() > 0 && performance.now() < until;) await sleep(10);
  return outstanding();
}

// ── pacing ───────────────────────────────────────────────────────────────────────────────────────
/**
 * Open loop: calls `fire` with each command's due time, evenly spaced at `target` per second,
 * whether or not earlier commands have been answered (a slow server cannot slow the schedule down).
 */
async function pace(target: number, seconds: number, fire: (dueAt: number) => void): Promise<void> {
  const started = performance.now();
  const interval = 1000 / target;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - started;
      if (elapsed >= seconds * 1000) {
        clearInterval(tick);
        resolve();
        return;
      }
      for (const due = Math.floor(elapsed / interval) + 1; sent < due; sent += 1) fire(started + sent * interval);
    }, 1);
  });
}

// ── HTTP: a paced client at fixed rates, autocannon flat out ─────────────────────────────────────
// autocannon's own rate option lets each connection send its quota for the second back to back
// and then wait for the next second: bursts at full speed, not a rate. So the fixed rates use an
// evenly paced client on a keep-alive pool of the same size, and autocannon drives `max`.
export async function httpRun(service: Service, token: string, probe: RawInserts, target: number | 'max', seconds: number, quiet = false): Promise<RunFigures> {
  const latencies: number[] = [];
  let done = 0;
  let failures = 0;
  const body = JSON.stringify({ text: TEXT });
  const run = await measured(service, async () => {
    if (target === 'max') {
      const result = await new Promise<AutocannonResult>((resolve, reject) => {
        const instance = autocannon({
          url: `${service.url}/v1/commands`,
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
          connections: HTTP_CONNECTIONS,
          duration: seconds,
        }, (err, res) => (err ? reject(err) : resolve(res)));
        instance.on('response', (_client, statusCode, _bytes, responseTime) => {
          if (statusCode !== 200) { failures += 1; return; }
          done += 1;
          latencies.push(responseTime);
        });
      });
      failures += result.errors + result.timeouts;
      return {};
    }
    const agent = new Agent({ keepAlive: true, maxSockets: HTTP_CONNECTIONS });
    const { hostname, port } = new URL(service.url);
    let pending = 0;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    await pace(target, seconds, (dueAt) => {
      pending += 1;
      const req = request({ host: hostname, port, path: '/v1/commands', method: 'POST', agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { text += chunk; });
        res.on('end', () => {
          pending -= 1;
          if (res.statusCode === 200 && text.includes(`"intent":"${EXPECTED_INTENT}"`)) {
            done += 1;
            latencies.push(performance.now() - dueAt);
          } else failures += 1;
        });
      });
      req.on('error', () => { pending -= 1; failures += 1; });
      req.end(body);
    });
    failures += await drained(() => pending);
    agent.destroy();
    return {};
  }, probe);
  const figures: RunFigures = { ...run, label: 'http', target, done, latencies, failures };
  if (!quiet) printRun(figures);
  return figures;
}

// ── WebSocket: a paced client ────────────────────────────────────────────────────────────────────
interface Session {
  readonly socket: WebSocket;
  /** Scheduled send times of the commands still waiting for their reply, oldest first. */
  readonly waiting: number[];
}

async function openSessions(service: Service, token: string, count: number, onFrame?: (session: Session, frame: Record<string, unknown>) => void): Promise<Session[]> {
  const wsUrl = `${service.url.replace('http', 'ws')}/v1/voice`;
  const open = (): Promise<Session> => new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
    const session: Session = { socket, waiting: [] };
    socket.once('open', () => resolve(session));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`voice socket refused: HTTP ${res.statusCode}`)));
    socket.on('message', (data, isBinary) => {
      if (!isBinary && onFrame) onFrame(session, JSON.parse(data.toString()) as Record<string, unknown>);
    });
  });
  const sessions: Session[] = [];
  // In batches, so the connection burst itself is not what gets measured.
  for (let i = 0; i < count; i += 50) {
    sessions.push(...await Promise.all(Array.from({ length: Math.min(50, count - i) }, open)));
  }
  return sessions;
}

async function closeSessions(sessions: readonly Session[]): Promise<void> {
  await Promise.all(sessions.map((s) => new Promise<void>((resolve) => {
    if (s.socket.readyState === WebSocket.CLOSED) return resolve();
    s.socket.once('close', () => resolve());
    s.socket.close(1000);
    setTimeout(() => { s.socket.terminate(); resolve(); }, 3_000).unref();
  })));
}

export async function wsRun(service: Service, token: string, probe: RawInserts, target: number | 'max', seconds: number): Promise<RunFigures> {
  const latencies: number[] = [];
  let done = 0;
  let failures = 0;
  const sessions = await openSessions(service, token, WS_CONNECTIONS, (session, frame) => {
    if (frame.type !== 'reply' && frame.type !== 'error') return; // notifications
    const sentAt = session.waiting.shift();
    if (sentAt === undefined) return;
    if (frame.type === 'reply' && frame.intent === EXPECTED_INTENT && frame.outcome === 'ok') {
      done += 1;
      latencies.push(performance.now() - sentAt);
    } else failures += 1;
    if (target === 'max' && running) send(session, performance.now());
  });
  const frame = JSON.stringify({ type: 'text', text: TEXT });
  const send = (session: Session, at: number) => {
    session.waiting.push(at);
    session.socket.send(frame);
  };
  let running = true;
  const run = await measured(service, async () => {
    if (target === 'max') {
      // Closed loop: each session keeps one command in flight.
      for (const s of sessions) send(s, performance.now());
      await sleep(seconds * 1000);
    } else {
      // Round-robin over the sessions, each command stamped with the time it was due.
      let next = 0;
      await pace(target, seconds, (dueAt) => {
        send(sessions[next]!, dueAt);
        next = (next + 1) % sessions.length;
      });
    }
    running = false;
    // Let the replies in flight arrive; what is still missing after that counts as failed.
    await drained(() => sessions.reduce((n, s) => n + s.waiting.length, 0));
    return {};
  }, probe);
  failures += sessions.reduce((n, s) => n + s.waiting.length, 0);
  const figures: RunFigures = { ...run, label: 'ws', target, done, latencies, failures };
  await closeSessions(sessions);
  printRun(figures);
  return figures;
}

/**
 * Paced like the commands of the HTTP run before it, with the same measure of latency: no command
 * can be answered sooner than its log row is durable, so this is the floor of that run's latency,
 * as the disk is now.
 */
export async function rawInsertRun(service: Service, raw: RawInserts, target: number, seconds: number): Promise<RunFigures> {
  const latencies: number[] = [];
  let done = 0;
  let failures = 0;
  let pending = 0;
  const run = await measured(service, async () => {
    await pace(target, seconds, (dueAt) => {
      pending += 1;
      raw.insert().then(() => { done += 1; latencies.push(performance.now() - dueAt); }, () => { failures += 1; }).finally(() => { pending -= 1; });
    });
    failures += await drained(() => pending);
    return {};
  });
  const figures: RunFigures = { ...run, label: 'pg', target, done, latencies, failures };
  printRun(figures);
  return figures;
}

// ── memory per session and per audio stream ─────────────────────────────────────────────────────
export async function idleSessionMemory(service: Service, token: string): Promise<void> {
  // Half as many are opened first and kept: the heap then already holds sessions and the
  // collections that a burst of connections sets off have happened before the baseline.
  const first = await openSessions(service, token, Math.ceil(IDLE_SESSIONS / 2));
  const before = await settledRss(service.pid);
  const more = await openSessions(service, token, IDLE_SESSIONS);
  const after = await settledRss(service.pid);
  console.log(`idle voice sessions: ${first.length} → ${first.length + more.length} authenticated, server RSS ${fmt(before / 1024, 0)} → ${fmt(after / 1024, 0)} MiB, `
    + `${fmt((after - before) / IDLE_SESSIONS, 1)} KiB per session`);
  await closeSessions([...first, ...more]);
}

export async function audioStreamMemory(service: Service, token: string): Promise<void> {
  // Active audio: each session streams quiet noise in real time (100 ms frames at 16 kHz), so its
  // decoder stream stays open; measured against the same number of idle sessions.
  const partials = new Map<Session, number>();
  const errors = new Set<string>();
  const streams = await openSessions(service, token, AUDIO_STREAMS, (session, frame) => {
    if ('partial' in frame || 'text' in frame) partials.set(session, (partials.get(session) ?? 0) + 1);
    else if (frame.type === 'error') errors.add(`${String(frame.code)}: ${String(frame.message)}`);
  });
  const base = await settledRss(service.pid);
  for (const s of streams) s.socket.send(JSON.stringify({ config: { sample_rate: 16_000 } }));
  const frame = Buffer.alloc(3_200);
  const pump = setInterval(() => {
    for (const s of streams) {
      for (let i = 0; i < frame.length; i += 2) frame.writeInt16LE(Math.round((Math.random() - 0.5) * 200), i);
      s.socket.send(frame);
    }
  }, 100);
  // Every stream decoding (a first partial back), then the highest RSS over a few seconds.
  for (let waited = 0; waited < 20_000 && partials.size < streams.length && errors.size === 0; waited += 100) await sleep(100);
  let peak = 0;
  for (let i = 0; i < 6; i += 1) {
    await sleep(500);
    peak = Math.max(peak, (await procStatus(service.pid)).rssKiB);
  }
  clearInterval(pump);
  const replies = [...partials.values()].reduce((a, b) => a + b, 0);
  if (errors.size > 0 || partials.size < streams.length) {
    console.log(`active audio streams: not measured (${errors.size > 0 ? [...errors].join('; ') : `only ${partials.size} of ${streams.length} streams answered within 20 s`})`);
  } else {
    console.log(`active audio streams: ${AUDIO_STREAMS} in real time → server RSS ${fmt(base / 1024, 0)} → ${fmt(peak / 1024, 0)} MiB, `
      + `${fmt((peak - base) / 1024 / AUDIO_STREAMS, 2)} MiB per stream (${replies} partial results)`);
  }
  await closeSessions(streams);
}

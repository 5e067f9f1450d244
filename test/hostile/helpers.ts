import type { DataSource } from 'typeorm';
import type { WebSocket } from 'ws';
import type { TestApp } from '../helpers/app.js';

/** Payloads that must stay plain data wherever they are stored or shown. */
export const INJECTIONS = [
  "'); DROP TABLE users;--", "' OR '1'='1", "admin'--", '1; DELETE FROM chips; --', "Robert'); DROP TABLE voice_commands; --",
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', '{{7*7}}', '${7*7}', '%00', '%27%20OR%201=1',
  '../../etc/passwd', '\\x00', 'constructor', '__proto__', '{"$gt": ""}',
] as const;

/** Unicode that has broken text handling somewhere before. */
export const ODD_UNICODE = [
  '\u0000', '\u200b', '\u200d', '\ufeff', '\u202e', '\u200f', 'e\u0301', 'ﷺ', 'مرحبا', 'שלום', '😀', '👩‍👩‍👧‍👦', '\ud800', '\udfff', '𝔟𝔲𝔶', 'İ', '\u2028', '\u0007',
] as const;

/** Row counts and money that hostile input must not change. */
export interface Snapshot {
  readonly users: number;
  readonly chips: number;
  readonly ledgerRows: number;
  readonly balances: Readonly<Record<string, number>>;
  readonly editions: number;
  readonly voiceCommands: number;
}

export async function snapshot(ds: DataSource): Promise<Snapshot> {
  const one = async (sql: string): Promise<number> => Number(((await ds.query(sql)) as { n: string }[])[0].n);
  const balances = (await ds.query(
    'SELECT u.username, COALESCE(SUM(l.amount), 0)::int AS balance FROM users u LEFT JOIN ledger_entries l ON l.user_id = u.id GROUP BY u.username',
  )) as { username: string; balance: number }[];
  return {
    users: await one('SELECT count(*) AS n FROM users'),
    chips: await one('SELECT count(*) AS n FROM chips'),
    ledgerRows: await one('SELECT count(*) AS n FROM ledger_entries'),
    balances: Object.fromEntries(balances.map((b) => [b.username, Number(b.balance)])),
    editions: await one('SELECT count(*) AS n FROM editions'),
    voiceCommands: await one('SELECT count(*) AS n FROM voice_commands'),
  };
}

export type Frame = Record<string, unknown>;

/** A voice connection through `injectWS` that records its JSON frames and its close code. */
export interface VoiceConnection {
  readonly ws: WebSocket;
  readonly frames: Frame[];
  readonly closed: Promise<number>;
  isOpen(): boolean;
  /** Waits for a frame matching `pred` (searching the frames from `from` on). */
  waitFor(pred: (f: Frame) => boolean, what: string, timeoutMs?: number): Promise<Frame>;
}

export async function connectVoice(t: TestApp, token: string | null): Promise<VoiceConnection> {
  const ws = await t.app.injectWS('/v1/voice', token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const frames: Frame[] = [];
  let closeCode: number | null = null;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) frames.push(JSON.parse(data.toString('utf8')) as Frame);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => { closeCode = code; resolve(code); }));
  return {
    ws,
    frames,
    closed,
    isOpen: () => closeCode === null && ws.readyState === ws.OPEN,
    async waitFor(pred, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = frames.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline || closeCode !== null) {
          throw new Error(`no frame ${what} (closed: ${String(closeCode)}); got ${JSON.stringify(frames.slice(-5)).slice(0, 800)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

/** An error frame as the README documents it. */
export function isErrorFrame(f: Frame): boolean {
  return f.type === 'error' && typeof f.code === 'string' && /^HM_ERR_[A-Z_]+$/.test(f.code) && typeof f.message === 'string';
}

/**
 * Closes a test app. Sockets made by `injectWS` never see their in-memory transport end, so the
 * server would wait out its 30 s close timeout for each; nothing else holds them, so end them here.
 */
export async function closeTestApp(t: TestApp | undefined): Promise<void> {
  if (!t) return;
  for (const client of t.app.websocketServer.clients) client.terminate();
  await t.close();
}

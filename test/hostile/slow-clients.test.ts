import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HEADERS_TIMEOUT_MS } from '../../src/app.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { openVoice } from '../helpers/voice-client.js';

/**
 * Slow and abusive clients against a really listening server: half-sent upgrade requests, floods
 * of tiny frames and oversized frames must not starve other clients nor grow memory without bound.
 */
let t: TestApp;
let url: string;
let token: string;
beforeAll(async () => {
  t = await createTestApp({ MAX_VOICE_SESSIONS_PER_USER: '1000' });
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  token = await t.tokenFor('alex');
});
afterAll(async () => { await t?.close(); });

/** A full collection, also when node was started without --expose-gc (`global.gc` is then absent). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** /health and a text command on a fresh voice session, each within `ms`. */
async function expectResponsive(ms = 2_000): Promise<void> {
  let started = performance.now();
  expect((await fetch(`${url}/health`)).status).toBe(200);
  expect(performance.now() - started).toBeLessThan(ms);
  started = performance.now();
  const v = await openVoice(url, { token });
  const replied = new Promise<Record<string, unknown>>((resolve) => v.socket.on('message', (data, isBinary) => {
    const frame = isBinary ? null : JSON.parse(data.toString()) as Record<string, unknown>;
    if (frame?.type === 'reply') resolve(frame);
  }));
  v.socket.send('{"type": "text", "text": "what is my balance"}');
  expect(await replied).toMatchObject({ intent: 'CheckBalance' });
  expect(performance.now() - started).toBeLessThan(ms);
  v.socket.close();
  await v.closed;
}

describe('slow clients', () => {
  it('answers others while sockets dribble a WebSocket upgrade byte by byte, and drops those sockets by the header timeout', async () => {
    expect(t.app.server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    const { port } = new URL(url);
    const request = `GET /v1/voice HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Padding: ${'a'.repeat(200)}`;
    const sockets: Socket[] = [];
    const closedAt: number[] = [];
    const opened = performance.now();
    for (let i = 0; i < 150; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      socket.on('close', () => closedAt.push(performance.now() - opened));
      sockets.push(socket);
    }
    // One more byte on every socket every 100 ms: active, so no idle timeout ever fires.
    let sent = 0;
    const drip = setInterval(() => {
      if (sent >= request.length) return;
      for (const s of sockets) if (!s.destroyed) s.write(request[sent]);
      sent += 1;
    }, 100);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await expectResponsive();
      await expect.poll(() => closedAt.length, { timeout: HEADERS_TIMEOUT_MS + 5_000, interval: 250 }).toBe(sockets.length);
      // Closed by the server's header timeout, not before and not much after.
      expect(Math.min(...closedAt)).toBeGreaterThan(HEADERS_TIMEOUT_MS - 1_000);
      expect(Math.max(...closedAt)).toBeLessThan(HEADERS_TIMEOUT_MS + 3_000);
      expect(sent).toBeLessThan(request.length); // they never finished their headers
    } finally {
      clearInterval(drip);
      for (const s of sockets) s.destroy();
    }
    await expectResponsive();
  }, 30_000);

  it('keeps memory bounded and others served during a flood of tiny frames', async () => {
    const v = await openVoice(url, { token });
    let received = 0;
    v.socket.on('message', () => { received += 1; });
    collectGarbage();
    const before = process.memoryUsage();
    for (let i = 0; i < 5_000; i++) {
      v.socket.send(Buffer.from([i & 0xff]), { binary: true });
      v.socket.send(i % 2 === 0 ? 'x' : '{}');
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await expectResponsive(3_000);
    await expect.poll(() => received, { timeout: 20_000 }).toBeGreaterThanOrEqual(10_000);
    collectGarbage();
    const after = process.memoryUsage();
    // Loose: 10 000 frames and their answers must not pile up (rss grew by GBs without bounds).
    expect(after.rss - before.rss).toBeLessThan(200 * 1024 * 1024);
    expect(v.socket.readyState).toBe(WebSocket.OPEN);
    // Every frame had its answer or a "dropped" error: no silent loss, no crash.
    const frames = v.frames;
    expect(frames.every((f) => f.type === 'error' && typeof f.code === 'string')).toBe(true);
    expect(frames.some((f) => f.code === 'HM_ERR_INTERNAL')).toBe(false);
    v.socket.close();
    await v.closed;
  }, 30_000);

  it('refuses a waiting flood beyond its limit with an error frame instead of queueing it all', async () => {
    const v = await openVoice(url, { token });
    const big = JSON.stringify({ type: 'text', text: 'what is my balance', pad: 'p'.repeat(900 * 1024) });
    for (let i = 0; i < 20; i++) v.socket.send(big);
    await expect.poll(() => v.frames.some((f) => f.type === 'error' && String(f.message).includes('too many messages waiting')), { timeout: 10_000 }).toBe(true);
    expect(v.socket.readyState).toBe(WebSocket.OPEN);
    v.socket.close();
    await v.closed;
    await expectResponsive();
  }, 30_000);

  it.each([['text', () => 'x'.repeat(1024 * 1024 + 1)], ['binary', () => Buffer.alloc(4 * 1024 * 1024)]])('closes a session sending a %s frame over 1 MiB with 1009', async (_kind, make) => {
    const v = await openVoice(url, { token });
    const before = process.memoryUsage().rss;
    v.socket.send(make());
    expect(await v.closed).toBe(1009);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    await expectResponsive();
  });
});

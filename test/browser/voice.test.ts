import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ESPEAK_MISSING, hasEspeak } from '../helpers/audio.js';
import {
  CHROMIUM_MISSING, hasChromium, launchChromium, openPage, screenshot, signIn, startConsoleServer, waitConnected,
  writeMicrophoneWav, type ConsoleServer,
} from './harness.js';

if (!hasChromium) console.warn(CHROMIUM_MISSING);
else if (!hasEspeak) console.warn(ESPEAK_MISSING);

/** Every text frame the page received on /v1/voice, parsed. */
function recordFrames(page: Page): Record<string, unknown>[] {
  const frames: Record<string, unknown>[] = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', (frame) => {
      if (typeof frame.payload === 'string') frames.push(JSON.parse(frame.payload) as Record<string, unknown>);
    });
  });
  return frames;
}

/**
 * Decoding runs at a fraction of real time on an idle machine, several times slower on a busy
 * one: the waits for results are generous, the suite is fast when the machine is.
 */
const DECODE_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 120_000;
/** Let go this long after the words: the release ends the utterance, as a person would. */
const RELEASE_AFTER_S = 0.25;

/** Waits until the microphone has been open for `seconds` (the fake device plays in real time). */
async function holdUntil(page: Page, seconds: number): Promise<void> {
  await page.locator('#talk-button[data-listening-since]').waitFor();
  const openedAt = await page.evaluate('Number(document.getElementById("talk-button").dataset.listeningSince)') as number;
  const elapsed = openedAt > 0 ? (Date.now() - openedAt) / 1000 : 0;
  await page.waitForTimeout(Math.max(0, seconds - elapsed) * 1000);
}

describe.skipIf(!hasChromium || !hasEspeak)('Talk in Chromium with a fake microphone', () => {
  let server: ConsoleServer;
  let dir: string;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'holomesh-browser-'));
    server = await startConsoleServer({ speech: true });
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holding Talk streams the microphone: partials, transcript, intent, reply, and the command logged in the database', async () => {
    // A short, robustly decoded command: where the looping fake microphone is when Talk is held
    // depends on timing, and longer commands were cut unpredictably on a loaded machine.
    const wav = writeMicrophoneWav(dir, 'what is my balance');
    const browser = await launchChromium(wav.file);
    browsers.push(browser);
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const { page, watch } = await openPage(context, server.baseUrl);
    const frames = recordFrames(page);
    const alex = await server.userId('alex');
    const voiceCommands = async () => (await server.database.db.dataSource.query(
      `SELECT 1 FROM voice_commands WHERE user_id = $1 AND source = 'voice' AND intent = 'CheckBalance'`, [alex]) as unknown[]).length;
    const before = await voiceCommands();
    await signIn(page, 'alex', server.passwords.get('alex')!);

    const talk = page.locator('#talk-button');
    expect(await talk.textContent()).toContain('Hold to talk');
    const box = (await talk.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    expect(await talk.getAttribute('aria-pressed')).toBe('true');
    // Hold while the microphone plays the command, then let go.
    await holdUntil(page, wav.speechEndS + RELEASE_AFTER_S);
    await page.mouse.up();
    await page.locator('#partial:not(:empty)').waitFor({ timeout: DECODE_TIMEOUT_MS }).catch(() => {});
    await screenshot(page, 'talk-hearing');
    await page.locator('#final-intent[data-intent="CheckBalance"]').waitFor({ timeout: DECODE_TIMEOUT_MS })
      .catch((err: unknown) => { console.error(frames.filter((f) => f.partial !== '')); throw err; });

    expect(await page.locator('#final-text').textContent()).toBe('what is my balance');
    expect(await page.locator('#final-outcome').getAttribute('data-outcome')).toBe('ok');
    expect(await page.locator('#reply').textContent()).toMatch(/credits/);
    expect(frames.some((f) => typeof f.partial === 'string' && f.partial !== '')).toBe(true);

    expect(await voiceCommands()).toBe(before + 1);
    await expect.poll(() => talk.getAttribute('aria-pressed')).toBe('false');
    await screenshot(page, 'talk');
    expect(watch.errors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('works from the keyboard alone: Tab to Talk, hold Space', async () => {
    const wav = writeMicrophoneWav(dir, 'what is my balance');
    const browser = await launchChromium(wav.file);
    browsers.push(browser);
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' });
    const { page, watch } = await openPage(context, server.baseUrl);

    // Sign in with keys only.
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('signin-username');
    await page.keyboard.type('sam');
    await page.keyboard.press('Tab');
    await page.keyboard.type(server.passwords.get('sam')!);
    await page.keyboard.press('Enter');
    await page.locator('#view-talk').waitFor();
    await waitConnected(page);

    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('talk-button');
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid');
    await screenshot(page, 'talk-keyboard-focus');

    await page.keyboard.down('Space');
    expect(await page.locator('#talk-button').getAttribute('aria-pressed')).toBe('true');
    await holdUntil(page, wav.speechEndS + RELEASE_AFTER_S);
    await page.keyboard.up('Space');
    await page.locator('#final-intent[data-intent="CheckBalance"]').waitFor({ timeout: DECODE_TIMEOUT_MS });
    expect(await page.locator('#final-text').textContent()).toBe('what is my balance');
    expect(await page.locator('#reply').textContent()).toMatch(/100 credits/);
    await expect.poll(() => page.locator('#talk-button').getAttribute('aria-pressed')).toBe('false');
    expect(watch.errors).toEqual([]);
  }, TEST_TIMEOUT_MS);
});

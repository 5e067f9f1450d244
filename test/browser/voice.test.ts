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
import { skipWithout } from '../helpers/skip.js';

const skipped = skipWithout(!hasChromium ? CHROMIUM_MISSING : !hasEspeak && ESPEAK_MISSING);

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
/** A person at a natural pace lets go a second or two after the last word. */
const RELAXED_RELEASE_AFTER_S = 1.5;

/** Waits until the microphone has been open for `seconds` (the fake device plays in real time). */
async function holdUntil(page: Page, seconds: number): Promise<void> {
  await page.locator('#talk-button[data-listening-since]').waitFor();
  const openedAt = await page.evaluate('Number(document.getElementById("talk-button").dataset.listeningSince)') as number;
  const elapsed = openedAt > 0 ? (Date.now() - openedAt) / 1000 : 0;
  await page.waitForTimeout(Math.max(0, seconds - elapsed) * 1000);
}

describe.skipIf(skipped)('Talk in Chromium with a fake microphone', () => {
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

  /** Holds Talk with the mouse while the microphone plays its command, and lets go `after` seconds later. */
  async function holdAndSpeak(page: Page, speechEndS: number, after: number): Promise<void> {
    const talk = page.locator('#talk-button');
    const box = (await talk.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await holdUntil(page, speechEndS + after);
    await page.mouse.up();
  }

  /** The frames of the last utterance have all come: the release's final is the last of them. */
  const lastFinal = (frames: Record<string, unknown>[]) => frames.filter((f) => 'text' in f && !('type' in f)).at(-1);

  it('letting go of Talk well after the words adds nothing: the answer stays, one command is logged', async () => {
    const wav = writeMicrophoneWav(dir, 'what is my balance');
    const browser = await launchChromium(wav.file);
    browsers.push(browser);
    const { page, watch } = await openPage(await browser.newContext({ viewport: { width: 1280, height: 860 } }), server.baseUrl);
    const frames = recordFrames(page);
    const alex = await server.userId('alex');
    const commands = async () => (await server.database.db.dataSource.query(
      `SELECT 1 FROM voice_commands WHERE user_id = $1 AND source = 'voice'`, [alex]) as unknown[]).length;
    const before = await commands();
    await signIn(page, 'alex', server.passwords.get('alex')!);

    await holdAndSpeak(page, wav.speechEndS, RELAXED_RELEASE_AFTER_S);
    await page.locator('#final-intent[data-intent="CheckBalance"]').waitFor({ timeout: DECODE_TIMEOUT_MS });
    // The release's own final: vosk's empty one, for the silence held after the words.
    await expect.poll(() => lastFinal(frames)?.outcome, { timeout: DECODE_TIMEOUT_MS }).toBe('no_speech');
    expect(await page.locator('#final-intent').getAttribute('data-intent')).toBe('CheckBalance');
    expect(await page.locator('#reply').textContent()).toMatch(/credits/);
    // Not left "Thinking…" after the release, nor told it heard nothing.
    await expect.poll(() => page.locator('#talk-state').textContent()).toBe('');
    expect(await commands()).toBe(before + 1);
    expect(watch.errors).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('buys by voice at a natural pace: "buy the paper crane chip", then "yes", each released 1.5 s after the words', async () => {
    const alex = await server.userId('alex');
    const owned = async () => (await server.database.db.dataSource.query(
      `SELECT 1 FROM editions e JOIN chips c ON c.id = e.chip_id WHERE e.owner_id = $1 AND c.name = 'Paper Crane'`, [alex]) as unknown[]).length;
    const commands = async () => (await server.database.db.dataSource.query(
      `SELECT 1 FROM voice_commands WHERE user_id = $1 AND source = 'voice'`, [alex]) as unknown[]).length;
    const [ownedBefore, commandsBefore] = [await owned(), await commands()];

    // Chromium's fake microphone plays one file: one browser per sentence, on one dialog session.
    const buy = writeMicrophoneWav(dir, 'buy the paper crane chip');
    const first = await launchChromium(buy.file);
    browsers.push(first);
    const asking = await openPage(await first.newContext({ viewport: { width: 1280, height: 860 } }), server.baseUrl);
    const askFrames = recordFrames(asking.page);
    await signIn(asking.page, 'alex', server.passwords.get('alex')!);
    const session = await asking.page.evaluate('sessionStorage.getItem("holomesh.dialog")') as string;
    await holdAndSpeak(asking.page, buy.speechEndS, RELAXED_RELEASE_AFTER_S);
    await asking.page.locator('#final-intent[data-intent="BuyChip"]').waitFor({ timeout: DECODE_TIMEOUT_MS });
    expect(await asking.page.locator('#reply').textContent()).toMatch(/Paper Crane/);
    await expect.poll(() => lastFinal(askFrames)?.outcome, { timeout: DECODE_TIMEOUT_MS }).toBe('no_speech');
    expect(await asking.page.locator('#final-intent').getAttribute('data-intent')).toBe('BuyChip');
    expect(await owned()).toBe(ownedBefore);

    const yes = writeMicrophoneWav(dir, 'yes');
    const second = await launchChromium(yes.file);
    browsers.push(second);
    const context = await second.newContext({ viewport: { width: 1280, height: 860 } });
    await context.addInitScript(`sessionStorage.setItem('holomesh.dialog', ${JSON.stringify(session)})`);
    const confirming = await openPage(context, server.baseUrl);
    const yesFrames = recordFrames(confirming.page);
    await signIn(confirming.page, 'alex', server.passwords.get('alex')!);
    await holdAndSpeak(confirming.page, yes.speechEndS, RELAXED_RELEASE_AFTER_S);
    await confirming.page.locator('#reply', { hasText: /bought Paper Crane/ }).waitFor({ timeout: DECODE_TIMEOUT_MS });
    await expect.poll(() => lastFinal(yesFrames)?.outcome, { timeout: DECODE_TIMEOUT_MS }).toBe('no_speech');
    await screenshot(confirming.page, 'talk-purchase-confirmed');

    expect(await owned()).toBe(ownedBefore + 1);
    expect(await commands()).toBe(commandsBefore + 2);
    expect([...asking.watch.errors, ...confirming.watch.errors]).toEqual([]);
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

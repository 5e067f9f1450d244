import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, noChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './harness.js';

/** The same checks at both sizes a person uses the console at. */
const SIZES = [
  { name: 'desktop', options: { viewport: { width: 1280, height: 860 } } },
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
] as const;

/** What a first hour with the console showed as rough edges, each checked in Chromium. */
describe.skipIf(noChromium())('web console: what a person reads is right', () => {
  let server: ConsoleServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startConsoleServer(), launchChromium()]);
    // A sale for Nova, so the dashboard's summary has figures to read.
    const alex = await server.userId('alex');
    const token = server.app.tokens.issueAccessToken({ userId: alex, username: 'alex', role: 'client' });
    const say = async (text: string) => (await server.app.inject({
      method: 'POST', url: '/v1/commands', headers: { authorization: `Bearer ${token}` }, payload: { text, sessionId: 'mends-sale-0001' },
    })).json() as { intent: string; outcome: string };
    expect(await say('buy the neon dragon chip')).toMatchObject({ intent: 'BuyChip' });
    expect(await say('yes')).toMatchObject({ outcome: 'ok' });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const size of SIZES) {
    describe(`at ${size.name} width`, () => {
      let context: BrowserContext;
      beforeAll(async () => {
        // en-US in UTC: the dates below are compared as History writes them.
        context = await browser.newContext({ ...size.options, reducedMotion: 'reduce', locale: 'en-US', timezoneId: 'UTC' });
      });
      afterAll(async () => { await context?.close(); });

      const signedIn = async (username: string): Promise<{ page: Page; errors: string[] }> => {
        const { page, watch } = await openPage(context, server.baseUrl);
        await signIn(page, username, server.passwords.get(username)!);
        return { page, errors: watch.errors };
      };

      it('Talk says nothing about hearing while idle; a pending yes or no is not "Done"', async () => {
        const { page, errors } = await signedIn('sam');
        expect(await page.locator('#talk-button').getAttribute('aria-pressed')).toBe('false');
        expect(await page.getByText('Hearing', { exact: true }).isVisible()).toBe(false);
        await screenshot(page, `mends-${size.name}-talk-idle`);

        await page.getByRole('link', { name: 'Chat' }).click();
        const input = page.getByLabel('Message');
        await input.fill('buy the paper crane chip');
        await input.press('Enter');
        await page.locator('#chat-confirm').waitFor();
        await page.getByRole('link', { name: 'Talk' }).click();
        const outcome = page.locator('#final-outcome');
        await expect.poll(() => outcome.getAttribute('data-outcome')).toBe('waiting');
        expect(await outcome.textContent()).toBe('Waiting for yes or no');
        expect(await page.locator('#final-intent').textContent()).toBe('Buy chip');
        expect(await page.getByText('Hearing', { exact: true }).isVisible()).toBe(false);
        await screenshot(page, `mends-${size.name}-talk-waiting`);

        await page.locator('#talk-confirm').getByRole('button', { name: 'No' }).click();
        await expect.poll(() => outcome.getAttribute('data-outcome')).not.toBe('waiting');
        expect(await outcome.textContent()).not.toBe('Waiting for yes or no');
        expect(errors).toEqual([]);
        await page.close();
      });

      it('the header stays opaque over scrolled text, and History names "What’s new" properly', async () => {
        const { page, errors } = await signedIn('alex');
        await page.getByRole('link', { name: 'Chat' }).click();
        const input = page.getByLabel('Message');
        for (const text of ["what's new", 'what is my balance', "what's new", 'what is my balance', "what's new", 'what is my balance']) {
          await input.fill(text);
          await input.press('Enter');
        }
        await expect.poll(() => page.locator('#chat-log li.assistant').count()).toBe(6);
        expect(await page.locator('#chat-log li.assistant').first().textContent()).toContain('What’s new');
        await page.getByRole('link', { name: 'History' }).click();
        const rows = page.locator('#history-rows tr');
        await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(6);
        expect(await page.locator('#history-rows tr[data-intent="WhatsNew"] td.intent').first().textContent()).toBe('What’s new');
        expect(await page.locator('select option[value="WhatsNew"]').first().textContent()).toBe('What’s new');
        // History's dates: "Dec 7, 2026, 7:40 AM" (the dashboard's rows are checked against the same day).
        const today = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date());
        expect(await page.locator('#history-rows time').first().textContent()).toMatch(new RegExp(`^${today}, \\d{1,2}:\\d\\d`));

        // Scrolled so that rows pass under the sticky header: it hides them (no alpha), and the
        // point just under its top edge is the header, not the text behind it.
        await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
        await expect.poll(() => page.evaluate('window.scrollY') as Promise<number>).toBeGreaterThan(100);
        const header = await page.evaluate(`(() => {
          const bar = document.querySelector('.topbar');
          const box = bar.getBoundingClientRect();
          const hit = document.elementFromPoint(box.right - 4, box.top + 4);
          return { top: box.top, background: getComputedStyle(bar).backgroundColor, hitInside: bar.contains(hit) };
        })()`) as { top: number; background: string; hitInside: boolean };
        expect(header.top).toBe(0);
        expect(header.background).toMatch(/^rgb\(\d+, \d+, \d+\)$/);
        expect(header.hitInside).toBe(true);
        await page.screenshot({ path: `test-artifacts/mends-${size.name}-history-scrolled.png` });
        expect(errors).toEqual([]);
        await page.close();
      });

      it('the dashboard reads the period it shows, and writes dates as History does', async () => {
        const { page, errors } = await signedIn('nova');
        await page.getByRole('link', { name: 'Dashboard' }).click();
        await page.locator('#sales-chart svg[data-testid="sales-chart"]').waitFor();
        const reply = page.locator('#summary-reply');

        for (const [value, period] of [['7', 'Last 7 days'], ['30', 'Last 30 days']] as const) {
          await page.locator('#dashboard-days').selectOption(value);
          await expect.poll(() => page.locator('#sales-chart rect.bar').count()).toBe(Number(value));
          await page.getByRole('button', { name: 'Read my summary' }).click();
          await expect.poll(() => reply.textContent()).toMatch(new RegExp(`^${period}: `));
          const said = (await reply.textContent())!;
          expect(said).not.toMatch(/week|month/i);
          const units = await page.locator('#dashboard-totals li').filter({ hasText: 'units sold' }).locator('.value').textContent();
          expect(said).toContain(`${units} chip`);
          expect(said).toContain('Best seller: Neon Dragon');
        }

        // Axis labels "Dec 7", table rows "Dec 7, 2026": History's way, never day/month.
        const axis = await page.locator('#sales-chart svg text').allTextContents();
        const dayLabels = axis.filter((t) => /^[A-Z][a-z]{2} \d{1,2}$/.test(t));
        expect(dayLabels.length).toBeGreaterThan(2);
        expect(axis.some((t) => /^\d{1,2}\/\d{1,2}$/.test(t))).toBe(false);
        const today = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date());
        expect(await page.locator('#sales-table tbody th').first().textContent()).toBe(today);
        await screenshot(page, `mends-${size.name}-dashboard`);

        expect(errors).toEqual([]);
        await page.close();
      });
    });
  }
});

import { describe, expect, it } from 'vitest';
import { createTotpSecret, currentTotp } from '../../src/auth/totp.js';
import { User } from '../../src/db/entities/index.js';
import { balanceOf } from '../../src/marketplace/index.js';
import { CONSOLE_CSP } from '../../src/http/console-plugin.js';
import { createAccount, noChromium, openPage, screenshot, signIn, useConsoleInChromium } from './harness.js';

describe.skipIf(noChromium())('web console in Chromium', () => {
  const chromium = useConsoleInChromium();

  it('serves the console with its own Content-Security-Policy, the API keeps helmet\'s', async () => {
    const page = await chromium.server.app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    const api = await chromium.server.app.inject({ url: '/ready' });
    expect(api.headers['content-security-policy']).not.toBe(CONSOLE_CSP);
    const missing = await chromium.server.app.inject({ url: '/no-such-file.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('HM_ERR_REQUEST_NOT_FOUND');
  });

  it('signs in with the two-factor step, shows the user, and signs out', async () => {
    const secret = createTotpSecret();
    const users = chromium.server.database.db.dataSource.getRepository(User);
    const sam = await users.findOneByOrFail({ username: 'sam' });
    sam.totpSecret = secret;
    sam.totpEnabled = true;
    await users.save(sam);

    const { page, watch } = await openPage(chromium.context, chromium.server.baseUrl);
    await page.getByLabel('Username').fill('sam');
    await page.getByLabel('Password').fill(chromium.server.passwords.get('sam')!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel('Two-factor code');
    await code.waitFor();
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('signin-totp');
    await screenshot(page, 'signin-totp');
    await code.fill(await currentTotp(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('#view-talk').waitFor();
    expect(await page.locator('#who').textContent()).toBe('sam (client)');
    await page.locator('#connection[data-state="open"]').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#view-signin').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("holomesh.session")')).toBeNull();
    // The first answer (401, a code is needed) is logged by the chromium.browser; nothing else may be.
    expect(watch.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    await page.close();
  });

  it('chat: buying needs a Yes, and the balance goes down in the database', async () => {
    const { page, watch } = await openPage(chromium.context, chromium.server.baseUrl);
    await signIn(page, 'alex', chromium.server.passwords.get('alex')!);
    const alex = await chromium.server.userId('alex');
    const before = await balanceOf(chromium.server.database.db.dataSource.manager, alex);

    await page.getByRole('link', { name: 'Chat' }).click();
    const input = page.getByLabel('Message');
    await input.fill('what is my balance');
    await input.press('Enter');
    await page.locator('#chat-log li.assistant').filter({ hasText: `${before} credits` }).waitFor();

    await input.fill('buy the neon dragon chip');
    await input.press('Enter');
    const confirm = page.locator('#chat-confirm');
    await confirm.waitFor();
    expect(await confirm.locator('.confirm-question').textContent()).toMatch(/Neon Dragon.*25 credits/i);
    await screenshot(page, 'chat-confirm');
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await expect.poll(() => confirm.isHidden()).toBe(true);
    await expect.poll(() => balanceOf(chromium.server.database.db.dataSource.manager, alex)).toBe(before - 25);
    await page.locator('#chat-log li.assistant[data-outcome="ok"]').last().waitFor();

    // Not understood, and typed markup that must stay text.
    await input.fill('flibber the gizmo sideways');
    await input.press('Enter');
    await page.locator('#chat-log li.assistant[data-outcome="not_understood"]').waitFor();
    await input.fill('<img src=x onerror=alert(1)>');
    await input.press('Enter');
    await expect.poll(() => page.locator('#chat-log li.assistant').count()).toBe(5);
    expect(await page.locator('#chat-log img').count()).toBe(0);
    expect(await page.locator('#chat-log li.user').last().textContent()).toContain('<img src=x onerror=alert(1)>');
    await screenshot(page, 'chat');
    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('history: filters by intent and outcome, highlights what was not understood, says it again', async () => {
    const { page, watch } = await openPage(chromium.context, chromium.server.baseUrl);
    await signIn(page, 'alex', chromium.server.passwords.get('alex')!);
    await page.getByRole('link', { name: 'History' }).click();
    const rows = page.locator('#history-rows tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(5);
    await screenshot(page, 'history');

    await page.getByLabel('Outcome').selectOption('not_understood');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('#history-rows tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-outcome'))))
      .toEqual(expect.arrayContaining(['not_understood']));
    const outcomes = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-outcome'), tr.classList.contains('not-understood')]));
    expect(outcomes.length).toBeGreaterThanOrEqual(2);
    for (const [outcome, highlighted] of outcomes) {
      expect(outcome).toBe('not_understood');
      expect(highlighted).toBe(true);
    }
    expect(await page.locator('#history-rows').textContent()).toContain('<img src=x onerror=alert(1)>');
    await screenshot(page, 'history-not-understood');

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Intent').selectOption('CheckBalance');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-intent')))).toEqual(['CheckBalance']);

    await rows.first().getByRole('button', { name: /Say it again/ }).click();
    await expect.poll(() => page.locator('#history-status').textContent()).toMatch(/Assistant: .*credits/);
    await expect.poll(() => rows.count()).toBe(2);

    // A text search finds the purchase only.
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Words').fill('neon dragon');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('.transcript-text')?.textContent))).toEqual(['buy the neon dragon chip']);
    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('dashboard: a designer gets the chart, top chips and a spoken summary; a client never sees it', async () => {
    const { page, watch } = await openPage(chromium.context, chromium.server.baseUrl);
    await signIn(page, 'nova', chromium.server.passwords.get('nova')!);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.locator('#sales-chart svg[data-testid="sales-chart"]').waitFor();
    expect(await page.locator('#sales-chart rect.bar').count()).toBe(30);
    expect(await page.locator('#dashboard-designer').textContent()).toBe('Nova');
    await page.locator('#top-chips li').filter({ hasText: 'Neon Dragon' }).waitFor();
    await page.getByRole('button', { name: 'Read my summary' }).click();
    await expect.poll(() => page.locator('#summary-reply').textContent()).toMatch(/sold|sales|chips/i);
    await screenshot(page, 'dashboard');
    expect(watch.errors).toEqual([]);
    await page.close();

    const client = await openPage(chromium.context, chromium.server.baseUrl);
    await signIn(client.page, 'alex', chromium.server.passwords.get('alex')!);
    expect(await client.page.locator('#nav-dashboard').isHidden()).toBe(true);
    await client.page.goto(`${chromium.server.baseUrl}/#/dashboard`);
    await client.page.locator('#view-talk').waitFor();
    expect(await client.page.locator('#view-dashboard').isHidden()).toBe(true);
    expect(await client.page.locator('#sales-chart svg').count()).toBe(0);
    const token = await client.page.evaluate('JSON.parse(sessionStorage.getItem("holomesh.session")).accessToken') as string;
    const refused = await chromium.server.app.inject({ url: '/v1/designer/dashboard', headers: { authorization: `Bearer ${token}` } });
    expect(refused.statusCode).toBe(403);
    await client.page.close();
  });

  it('renders a hostile designer name as inert text', async () => {
    const name = '<script>alert(1)</script>';
    await createAccount(chromium.server, { username: 'hostile', password: 'correct horse battery', role: 'designer', displayName: name });
    const { page, watch } = await openPage(chromium.context, chromium.server.baseUrl);
    await signIn(page, 'hostile', 'correct horse battery');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect.poll(() => page.locator('#dashboard-designer').textContent()).toBe(name);
    expect(await page.locator('#dashboard-designer script').count()).toBe(0);
    expect(await page.locator('#dashboard-designer').isVisible()).toBe(true);
    await screenshot(page, 'dashboard-hostile-name');
    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('fits a phone screen', async () => {
    const phone = await chromium.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const { page, watch } = await openPage(phone, chromium.server.baseUrl);
    await signIn(page, 'alex', chromium.server.passwords.get('alex')!);
    const overflow = () => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-talk');
    await page.getByRole('link', { name: 'History' }).click();
    await expect.poll(() => page.locator('#history-rows tr').count()).toBeGreaterThan(0);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-history');
    expect(watch.errors).toEqual([]);
    await phone.close();
  });
});

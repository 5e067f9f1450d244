import { describe, expect, it } from 'vitest';
import { noChromium, openPage, screenshot, signIn, useConsoleInChromium } from './harness.js';

/** The console's collection, chip and designer profiles (reached from search results) and the dashboard's royalties. */
describe.skipIf(noChromium())('collection, profiles and royalties in Chromium', () => {
  const chromium = useConsoleInChromium();

  it('a search result opens the chip profile, then its designer; a chip verifies; an order shows in the collection', async () => {
    const { page, watch } = await openPage(chromium.context, chromium.server.baseUrl);
    await signIn(page, 'alex', chromium.server.passwords.get('alex')!);
    await page.getByRole('link', { name: 'Chat' }).click();
    const input = page.getByLabel('Message');
    await input.fill('find cyberpunk chips');
    await input.press('Enter');
    const result = page.locator('#chat-log li.assistant .result-links').last();
    await result.getByRole('link', { name: 'Quantum Koi' }).click();
    await expect.poll(() => page.locator('#profile-title').textContent()).toBe('Quantum Koi');
    await page.locator('#profile-body dd').filter({ hasText: '10 of 10 left' }).waitFor();
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.locator('#profile-body .reply').textContent()).toMatch(/^Authentic/);
    await screenshot(page, 'chip-profile');
    await page.locator('#profile-body dd').getByRole('link', { name: 'Kenji Sato' }).first().click();
    await expect.poll(() => page.locator('#profile-title').textContent()).toBe('Kenji Sato');
    await page.locator('#profile-body .bio').filter({ hasText: 'Quantum fish and calm machines.' }).waitFor();

    await page.getByRole('link', { name: 'Chat' }).click();
    await input.fill('buy two paper cranes');
    await input.press('Enter');
    const confirm = page.locator('#chat-confirm');
    await confirm.waitFor();
    expect(await confirm.locator('.confirm-question').textContent()).toContain('30 credits in total');
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await page.locator('#chat-log li.assistant[data-outcome="ok"]').filter({ hasText: 'You bought 2 editions of Paper Crane' }).waitFor();
    await page.getByRole('link', { name: 'Collection' }).click();
    await page.locator('#collection-list li').filter({ hasText: 'numbers 1, 2' }).getByRole('link', { name: 'Paper Crane' }).waitFor();
    expect(await page.locator('#collection-total').textContent()).toBe('2 editions');
    await screenshot(page, 'collection');
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('the dashboard shows royalties, own chips and collaborations apart', async () => {
    const { page, watch } = await openPage(chromium.context, chromium.server.baseUrl);
    await signIn(page, 'aria', chromium.server.passwords.get('aria')!);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    // Alex's two Paper Cranes: 14 credits each to Aria after the platform fee (1 of 15).
    await expect.poll(() => page.locator('#earnings-total').textContent()).toBe('28 credits: 28 from your chips, 0 as a collaborator');
    await page.locator('#earnings-own li').filter({ hasText: '28 credits from 2 sales' }).waitFor();
    await page.locator('#earnings-period').selectOption('last_month');
    await expect.poll(() => page.locator('#earnings-total').textContent()).toBe('0 credits: 0 from your chips, 0 as a collaborator');
    expect(watch.errors).toEqual([]);
    await page.close();
  });
});

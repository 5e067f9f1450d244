import { describe, expect, it } from 'vitest';
import { noChromium, openPage, screenshot, signIn, useConsoleInChromium } from './harness.js';

describe.skipIf(noChromium())('community views of the web console in Chromium', () => {
  const chromium = useConsoleInChromium();

  it('Groups: joins a group and posts; the words are shown as text, never as markup', async () => {
    const { page, watch } = await openPage(chromium.context, chromium.server.baseUrl);
    await signIn(page, 'alex', chromium.server.passwords.get('alex')!);
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.locator('#view-groups').waitFor();
    await page.getByRole('button', { name: 'Neon Nights' }).click();
    await page.getByText('Welcome to Neon Nights!', { exact: false }).waitFor();
    await page.locator('#groups-list li', { hasText: 'Neon Nights' }).getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => page.locator('#groups-status').textContent()).toBe('You joined Neon Nights.');
    await page.getByLabel('Your post').fill('<img src=x onerror="window.pwned=1"> glitch drop soon');
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.getByText('<img src=x onerror="window.pwned=1"> glitch drop soon').waitFor();
    expect(await page.locator('#group-posts img').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    const [row] = await chromium.server.database.db.dataSource.query(`SELECT text FROM group_posts ORDER BY created_at DESC LIMIT 1`);
    expect(row.text).toBe('<img src=x onerror="window.pwned=1"> glitch drop soon');
    await screenshot(page, 'groups');
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('Reviews: recommends with a reason, shows a designer\'s reviews and posts one', async () => {
    const { page, watch } = await openPage(chromium.context, chromium.server.baseUrl);
    await signIn(page, 'sam', chromium.server.passwords.get('sam')!);
    await page.getByRole('link', { name: 'Reviews' }).click();
    await page.locator('#recommended li').first().waitFor();
    await page.locator('#reviews-designer').fill('nova');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('#reviews-summary').textContent()).toBe('Nova: no star ratings yet.');
    await page.locator('#review-rating').selectOption('5');
    await page.locator('#review-text').fill('<b>Stunning</b> dragons');
    await page.getByRole('button', { name: 'Post review' }).click();
    await expect.poll(() => page.locator('#reviews-status').textContent()).toBe('Your review of Nova is posted.');
    await page.getByText('<b>Stunning</b> dragons').waitFor();
    expect(await page.locator('#reviews-list b').count()).toBe(0);
    expect(await page.locator('#reviews-summary').textContent()).toBe('Nova: 5 stars on average from 1 rating.');
    await screenshot(page, 'reviews');
    expect(watch.errors).toEqual([]);
    await page.close();
  });
});

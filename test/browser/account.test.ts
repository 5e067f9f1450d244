import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { noChromium, openPage, screenshot, useConsoleInChromium, waitConnected } from './harness.js';

const PASSWORD = 'seven quiet lanterns drifting';
// Password checks hash on purpose slowly (and wrong ones are slowed down further).
const POLL = { timeout: 15_000 };

/** Fills the sign-up form (only the sign-up view is in the page while it is shown). */
async function signUp(page: Page, username: string): Promise<void> {
  await page.getByRole('link', { name: 'Create an account' }).click();
  const form = page.locator('#signup-form');
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Email').fill(`${username}@example.test`);
  await form.getByLabel('Password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#view-talk').waitFor({ timeout: 15_000 });
  await waitConnected(page);
}

describe.skipIf(noChromium())('console: sign-up and the Account view in Chromium', () => {
  const chromium = useConsoleInChromium();

  it('signs up (a weak password is explained), adds a device whose token works, and revokes it', async () => {
    const { page, watch } = await openPage(chromium.context, chromium.server.baseUrl);
    await page.getByRole('link', { name: 'Create an account' }).click();
    const form = page.locator('#signup-form');
    await form.getByLabel('Username').fill('juniper');
    await form.getByLabel('Email').fill('juniper@example.test');
    await form.getByLabel('Password').fill('password1234');
    await form.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('#signup-error').textContent(), POLL).toContain('choose another password');
    await screenshot(page, 'signup-weak-password');
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#view-talk').waitFor({ timeout: 15_000 });
    expect(await page.locator('#who').textContent()).toBe('juniper (client)');
    // The sign-up form is gone from the page once left.
    expect(await page.locator('#signup-form').count()).toBe(0);

    await page.getByRole('link', { name: 'Account' }).click();
    await page.locator('#devices-empty').waitFor();
    const devices = page.locator('#device-form');
    await devices.getByLabel('Device name').fill('kitchen');
    await devices.getByLabel('Your password').fill(PASSWORD);
    await devices.getByRole('button', { name: 'Add device' }).click();
    const tokenField = page.getByLabel('Device token');
    await tokenField.waitFor();
    const token = await tokenField.inputValue();
    expect(token).toMatch(/^hmd_/);
    await expect.poll(() => page.locator('#device-rows tr').count(), POLL).toBe(1);
    await screenshot(page, 'account-device-added');

    const said = await chromium.server.app.inject({ method: 'POST', url: '/v1/commands', headers: { authorization: `Bearer ${token}` }, payload: { text: 'what is my balance' } });
    expect(said.statusCode).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.locator('#device-secret-token').inputValue()).toBe('');
    // Last use shows once the list is read again.
    await page.getByRole('link', { name: 'Talk' }).click();
    await page.getByRole('link', { name: 'Account' }).click();
    await expect.poll(() => page.locator('#device-rows tr td').nth(2).textContent(), POLL).not.toBe('Never');

    await page.getByRole('button', { name: 'Revoke kitchen' }).click();
    await page.getByRole('button', { name: 'Revoke kitchen' }).click();
    await page.locator('#devices-empty').waitFor();
    const refused = await chromium.server.app.inject({ method: 'POST', url: '/v1/commands', headers: { authorization: `Bearer ${token}` }, payload: { text: 'what is my balance' } });
    expect(refused.statusCode).toBe(401);
    expect(watch.dialogs).toEqual([]);
    // The weak password's 400 is logged by the chromium.browser; nothing else may be.
    expect(watch.errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await page.close();
  });

  it('changes the password and signs out the other sessions, keeping this one', async () => {
    const { page, watch } = await openPage(chromium.context, chromium.server.baseUrl);
    await signUp(page, 'rowan');
    const other = await chromium.server.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'rowan', password: PASSWORD } });
    const otherRefresh = other.json().refreshToken as string;

    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Sign out other sessions' }).click();
    await expect.poll(() => page.locator('#sessions-status').textContent(), POLL).toContain('Every other session is signed out');
    const refreshed = await chromium.server.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: otherRefresh } });
    expect(refreshed.statusCode).toBe(401);

    const passwords = page.locator('#password-form');
    await passwords.getByLabel('Current password').fill('not the password at all');
    await passwords.getByLabel('New password').fill('eleven brass owls singing');
    await passwords.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.locator('#password-status').textContent(), POLL).toBe('That password is wrong.');
    await passwords.getByLabel('Current password').fill(PASSWORD);
    await passwords.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.locator('#password-status').textContent(), POLL).toContain('Password changed');
    await screenshot(page, 'account-password-changed');
    // Still signed in here, with the new session; the old password no longer works.
    await waitConnected(page);
    expect(await page.locator('#who').textContent()).toBe('rowan (client)');
    const old = await chromium.server.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'rowan', password: PASSWORD } });
    expect(old.statusCode).toBe(401);
    expect(watch.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    await page.close();
  });

  it('fits a phone screen', async () => {
    const phone = await chromium.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const { page, watch } = await openPage(phone, chromium.server.baseUrl);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.locator('#signup-form').waitFor();
    const overflow = () => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-signup');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await signUp(page, 'sage');
    await page.getByRole('link', { name: 'Account' }).click();
    await page.locator('#devices-empty').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-account');
    expect(watch.errors).toEqual([]);
    await phone.close();
  });
});

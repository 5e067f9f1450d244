import { announce, byId, clear, el } from './dom.js';
import { api, ApiError, changePassword, currentSession, signOutOthers } from './api.js';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function explain(err) {
  if (err instanceof ApiError && err.status === 429) return `Too many attempts. Try again in ${err.retryAfterS ?? 60} seconds.`;
  if (err instanceof ApiError && err.code === 'HM_ERR_AUTH_INVALID_CREDENTIALS') return 'That password is wrong.';
  if (err instanceof ApiError && err.code === 'HM_ERR_AUTH_TOTP_REQUIRED') return 'Enter your two-factor code too.';
  if (err instanceof ApiError && err.code === 'HM_ERR_AUTH_TOTP_INVALID') return 'That two-factor code is wrong or expired.';
  return err instanceof Error ? err.message.replace(/^invalid request: /, '') : String(err);
}

/**
 * The Account view (call once its elements are in the page): change the password (signs the
 * other sessions out), sign out the other sessions, and the devices (speakers, headsets) with
 * their credentials: add (the token is shown once), list with last use, revoke.
 */
export function setupAccount() {
  const passwordForm = byId('password-form');
  const passwordStatus = byId('password-status');
  const sessionsStatus = byId('sessions-status');
  const rows = byId('device-rows');
  const empty = byId('devices-empty');
  const deviceForm = byId('device-form');
  const devicesStatus = byId('devices-status');
  const secret = byId('device-secret');

  passwordForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(passwordForm);
    const current = String(data.get('currentPassword') ?? '');
    const next = String(data.get('newPassword') ?? '');
    const code = String(data.get('totp') ?? '').trim();
    if (!current || next.length < 12) {
      announce(passwordStatus, 'Enter your current password and a new one of at least 12 characters.');
      return;
    }
    const button = passwordForm.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await changePassword(current, next, code || undefined);
      passwordForm.reset();
      announce(passwordStatus, 'Password changed. Your other sessions are signed out.');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'HM_ERR_AUTH_TOTP_REQUIRED') byId('password-totp').hidden = false;
      announce(passwordStatus, explain(err));
    } finally {
      button.disabled = false;
    }
  });

  byId('sign-out-others').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      await signOutOthers();
      announce(sessionsStatus, 'Every other session is signed out. This one stays.');
    } catch (err) {
      announce(sessionsStatus, explain(err));
    } finally {
      button.disabled = false;
    }
  });

  function deviceRow(device) {
    const revoke = el('button', {
      type: 'button',
      text: 'Revoke',
      'aria-label': `Revoke ${device.name}`,
      async onclick() {
        // Two clicks, without a modal dialog: the first one asks.
        if (revoke.dataset.armed !== 'true') {
          revoke.dataset.armed = 'true';
          revoke.textContent = 'Revoke now';
          announce(devicesStatus, `Click “Revoke now” to revoke “${device.name}”: it stops working at once.`);
          setTimeout(() => { revoke.dataset.armed = 'false'; revoke.textContent = 'Revoke'; }, 6_000);
          return;
        }
        revoke.disabled = true;
        try {
          await api('DELETE', `/v1/devices/${encodeURIComponent(device.id)}`);
          announce(devicesStatus, `“${device.name}” is revoked.`);
          await loadDevices();
        } catch (err) {
          revoke.disabled = false;
          announce(devicesStatus, explain(err));
        }
      },
    });
    return el('tr', {},
      el('td', { text: device.name }),
      el('td', { text: dateTime.format(new Date(device.createdAt)) }),
      el('td', { text: device.lastUsedAt ? dateTime.format(new Date(device.lastUsedAt)) : 'Never' }),
      el('td', {}, revoke));
  }

  async function loadDevices() {
    try {
      const { devices } = await api('GET', '/v1/devices');
      clear(rows);
      rows.append(...devices.map(deviceRow));
      empty.hidden = devices.length > 0;
    } catch (err) {
      announce(devicesStatus, `Could not load your devices: ${explain(err)}`);
    }
  }

  deviceForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(deviceForm);
    const name = String(data.get('name') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (!name || !password) {
      announce(devicesStatus, 'Name the device and enter your password.');
      return;
    }
    const button = deviceForm.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const created = await api('POST', '/v1/devices', { name, password });
      deviceForm.reset();
      byId('device-secret-name').textContent = created.device.name;
      byId('device-secret-token').value = created.token;
      secret.hidden = false;
      byId('device-secret-token').select();
      announce(devicesStatus, `“${created.device.name}” is added. Copy its token now.`);
      await loadDevices();
    } catch (err) {
      announce(devicesStatus, explain(err));
    } finally {
      button.disabled = false;
    }
  });

  byId('device-secret-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(byId('device-secret-token').value);
      announce(devicesStatus, 'Token copied.');
    } catch {
      byId('device-secret-token').select();
      announce(devicesStatus, 'Copy the selected token with Ctrl+C (or ⌘C).');
    }
  });
  byId('device-secret-done').addEventListener('click', () => {
    byId('device-secret-token').value = '';
    secret.hidden = true;
  });

  byId('password-totp').hidden = !currentSession()?.user?.totpEnabled;
  void loadDevices();
  return {};
}

/**
 * The REST client and the signed-in session: tokens live in sessionStorage (this tab only,
 * gone when it closes), the access token is refreshed before it expires and once more on a 401.
 */

const STORAGE_KEY = 'holomesh.session';

/** An error answered by the API: `{error: {code, message}}` plus the HTTP status. */
export class ApiError extends Error {
  constructor(status, code, message, retryAfterS = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS;
  }
}

let session = load();
let refreshTimer = null;
let refreshing = null;
const listeners = new Set();

function load() {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    const parsed = raw ? JSON.parse(raw) : null;
    return parsed && typeof parsed.accessToken === 'string' && typeof parsed.refreshToken === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

function save(next) {
  session = next;
  if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE_KEY);
  scheduleRefresh();
  for (const listener of listeners) listener(session);
}

/** The current session `{accessToken, refreshToken, expiresAt, user}` or null. */
export function currentSession() {
  return session;
}

/** Calls `listener(session)` whenever the session changes (sign in, refresh, sign out). */
export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function fromTokens(body) {
  return {
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    expiresAt: Date.now() + body.expiresIn * 1000,
    user: body.user,
  };
}

function scheduleRefresh() {
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = null;
  if (!session) return;
  // At four fifths of the lifetime, so the WebSocket never has to reconnect for an expiry.
  const delay = Math.max(5_000, (session.expiresAt - Date.now()) * 0.8);
  refreshTimer = setTimeout(() => { refresh().catch(() => {}); }, delay);
}

async function parse(response) {
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') ?? '';
  const body = type.includes('application/json') ? await response.json() : null;
  if (response.ok) return body;
  const retry = Number(response.headers.get('retry-after'));
  throw new ApiError(
    response.status,
    body?.error?.code ?? `HTTP_${response.status}`,
    body?.error?.message ?? response.statusText,
    Number.isFinite(retry) && retry > 0 ? retry : null,
  );
}

async function send(method, path, { body, token } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  return parse(response);
}

/**
 * Signs in. Throws ApiError; `HM_ERR_AUTH_TOTP_REQUIRED` means: ask for the second factor and
 * call again with `totp`.
 */
export async function signIn(username, password, totp) {
  const deviceKey = `holomesh.device.${username.trim().toLowerCase()}`;
  const deviceToken = localStorage.getItem(deviceKey);
  const body = { username, password, ...(totp ? { totp } : {}), ...(deviceToken ? { deviceToken } : {}) };
  const answer = await send('POST', '/v1/auth/login', { body });
  // Proof that this browser signed in to the account before: guesses elsewhere never slow it down.
  if (answer.deviceToken) localStorage.setItem(deviceKey, answer.deviceToken);
  save(fromTokens(answer));
  return session;
}

/** Trades the refresh token for new tokens (it rotates); signs out when that fails. */
export function refresh() {
  if (!session) return Promise.reject(new ApiError(401, 'HM_ERR_AUTH_REQUIRED', 'not signed in'));
  refreshing ??= send('POST', '/v1/auth/refresh', { body: { refreshToken: session.refreshToken } })
    .then((body) => { save({ ...fromTokens(body), user: body.user ?? session?.user }); return session; })
    .catch((err) => {
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) save(null);
      throw err;
    })
    .finally(() => { refreshing = null; });
  return refreshing;
}

/** Ends the session on the server (best effort) and here. */
export async function signOut() {
  const ending = session;
  save(null);
  if (ending) await send('POST', '/v1/auth/logout', { body: { refreshToken: ending.refreshToken } }).catch(() => {});
}

/** An authenticated API call; refreshes the token once when it was refused as expired. */
export async function api(method, path, body) {
  if (!session) throw new ApiError(401, 'HM_ERR_AUTH_REQUIRED', 'not signed in');
  try {
    return await send(method, path, { body, token: session.accessToken });
  } catch (err) {
    // Only an expired or invalid token is worth a refresh: a wrong password (also 401) is not.
    if (!(err instanceof ApiError) || err.code !== 'HM_ERR_AUTH_REQUIRED') throw err;
    await refresh();
    return send(method, path, { body, token: session.accessToken });
  }
}

scheduleRefresh();

/** Creates an account (`POST /v1/auth/register`), then signs in to it. */
export async function signUp({ username, email, password, role, displayName }) {
  await send('POST', '/v1/auth/register', { body: { username, email, password, role, ...(displayName ? { displayName } : {}) } });
  return signIn(username, password);
}

/**
 * Changes the password; the server signs every session out and hands this one a new pair,
 * which is kept (so this tab stays signed in).
 */
export async function changePassword(currentPassword, newPassword, totp) {
  const body = await api('POST', '/v1/auth/password', { currentPassword, newPassword, ...(totp ? { totp } : {}) });
  save({ ...fromTokens(body), user: body.user });
  return session;
}

/** Ends every other session of this account; this one stays. */
export async function signOutOthers() {
  if (!session) throw new ApiError(401, 'HM_ERR_AUTH_REQUIRED', 'not signed in');
  // A refresh on the way would rotate the token this call names: wait for it.
  if (refreshing) await refreshing;
  return api('POST', '/v1/auth/logout-others', { refreshToken: session.refreshToken });
}

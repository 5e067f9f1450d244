import { byId, announce, el } from './dom.js';
import { ApiError, currentSession, onSessionChange, refresh, signIn, signOut } from './api.js';
import { VoiceSocket, isConfirmation } from './voice-socket.js';
import { isSpeakingWanted, setSpeakingWanted, speak, stopSpeaking } from './speech.js';
import { setupTalk } from './talk.js';
import { setupChat } from './chat.js';
import { setupHistory } from './history.js';
import { setupDashboard } from './dashboard.js';
import { setupAccount } from './account.js';
import { setupSignup } from './signup.js';
import { mountedView } from './mounted-view.js';
import { setupCollection } from './collection.js';
import { setupProfile } from './profile.js';
import { setupGroups } from './groups.js';
import { setupReviews } from './reviews.js';

const VIEWS = ['signin', 'signup', 'talk', 'chat', 'history', 'dashboard', 'collection', 'groups', 'reviews', 'account', 'profile'];
/** Views for people who are not signed in. */
const PUBLIC_VIEWS = ['signin', 'signup'];
const socket = new VoiceSocket({ sampleRate: 16_000 });
let activeView = null;

const isDesigner = () => currentSession()?.user?.role === 'designer';

// ---- views ---------------------------------------------------------------------------------

const talk = setupTalk({ socket, isActive: () => activeView === 'talk' });
const chat = setupChat({ socket });
/** Commands whose answer a particular view waits for: id → view name. */
const awaiting = new Map();
const history = setupHistory({
  sayAgain(text) {
    try {
      const id = chat.send(text, 'said again from History');
      if (id) awaiting.set(id, 'history');
      history.showStatus(`Saying again: “${text}”…`);
    } catch (err) {
      history.showStatus(err instanceof Error ? err.message : String(err));
    }
  },
});
const dashboard = setupDashboard();
const collection = setupCollection();
const profile = setupProfile();

/** Views built when shown and removed when left. */
const mounted = {
  signup: mountedView('signup', () => setupSignup({ onSignedUp: () => { location.hash = '#/talk'; } })),
  account: mountedView('account', setupAccount),
};

const groups = setupGroups();
const reviews = setupReviews();

// ---- confirmation prompts -----------------------------------------------------------------

const confirmBoxes = [byId('talk-confirm'), byId('chat-confirm')];
function showConfirmation(question) {
  for (const box of confirmBoxes) {
    box.hidden = question === null;
    box.querySelector('.confirm-question').textContent = question ?? '';
    for (const button of box.querySelectorAll('button')) button.disabled = false;
  }
}
for (const box of confirmBoxes) {
  box.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-answer]') : null;
    if (!button) return;
    for (const b of box.querySelectorAll('button')) b.disabled = true;
    try {
      chat.send(button.dataset.answer === 'yes' ? 'yes' : 'no');
    } catch {
      for (const b of box.querySelectorAll('button')) b.disabled = false;
    }
  });
}

// ---- the assistant's answers ---------------------------------------------------------------

socket.addEventListener('result', (event) => {
  const result = event.detail;
  talk.showResult(result);
  chat.showResult(result);
  const waiting = awaiting.get(result.commandId);
  awaiting.delete(result.commandId);
  if (waiting === 'history') {
    const said = `Assistant: ${result.reply?.text ?? ''}`;
    history.showStatus(said);
    // Show the new entry, then the answer again (loading announces the row count).
    if (activeView === 'history') void history.load().then(() => history.showStatus(said));
  }
  const question = isConfirmation(result.reply) ? result.reply.text : null;
  showConfirmation(question);
  speak(result.reply?.text ?? '');
  // A purchase or a new subscriber changes the dashboard.
  if (activeView === 'dashboard' && result.outcome === 'ok') void dashboard.load();
  if (activeView === 'collection' && result.outcome === 'ok') void collection.load();
});
socket.addEventListener('error', (event) => {
  const message = event.detail.message || event.detail.code;
  talk.showError(message);
  chat.showError(message);
});
socket.addEventListener('notification', (event) => {
  toast(String(event.detail.text ?? 'New notification'));
  if (activeView === 'dashboard') void dashboard.load();
  if (activeView === 'groups' && event.detail.kind === 'group_post') groups.notified(event.detail.data);
});
socket.addEventListener('status', (event) => {
  const node = byId('connection');
  node.dataset.state = event.detail;
  node.textContent = event.detail === 'open' ? 'Connected' : event.detail === 'connecting' ? 'Connecting…' : 'Offline';
});

function toast(text) {
  const item = el('div', { class: 'toast', text });
  byId('toasts').append(item);
  setTimeout(() => item.remove(), 8_000);
}

// ---- routing -------------------------------------------------------------------------------

function route() {
  const signedIn = currentSession() !== null;
  let view = location.hash.replace(/^#\/?/, '') || 'talk';
  // Profiles carry what they show: #/chip/<id> or #/designer/<name>.
  const profileMatch = /^(chip|designer)\/(.+)$/.exec(view);
  if (profileMatch) view = 'profile';
  if (!VIEWS.includes(view)) view = 'talk';
  if (!signedIn) view = PUBLIC_VIEWS.includes(view) ? view : 'signin';
  else if (PUBLIC_VIEWS.includes(view) || (view === 'dashboard' && !isDesigner())) view = 'talk';
  show(view);
  if (view === 'profile' && profileMatch) void profile.load({ kind: profileMatch[1], key: decodeURIComponent(profileMatch[2]) });
}

function show(view) {
  const changed = view !== activeView;
  if (changed && activeView === 'talk') talk.release();
  activeView = view;
  for (const [name, mountable] of Object.entries(mounted)) {
    if (name === view) mountable.show();
    else mountable.hide();
  }
  for (const name of VIEWS) byId(`view-${name}`).hidden = name !== view;
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const title = {
    signin: 'Sign in', signup: 'Create an account', talk: 'Talk', chat: 'Chat', history: 'History', dashboard: 'Dashboard', account: 'Account',
    collection: 'Collection', profile: 'Profile', groups: 'Groups', reviews: 'Reviews',
  }[view];
  document.title = `${title} · HoloMesh Voice`;
  if (view === 'talk') talk.prepare();
  if (view === 'history') void history.load();
  if (view === 'dashboard') void dashboard.load();
  if (view === 'collection') void collection.load();
  if (view === 'groups') void groups.load();
  if (view === 'reviews') void reviews.load();
  if (changed && !PUBLIC_VIEWS.includes(view)) {
    // Move focus to the new view's heading so screen readers announce where we are.
    const heading = byId(`view-${view}`).querySelector('h1');
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

function renderAccount() {
  const session = currentSession();
  const signedIn = session !== null;
  byId('nav').hidden = !signedIn;
  byId('account').hidden = !signedIn;
  byId('nav-dashboard').hidden = !isDesigner();
  byId('who').textContent = signedIn ? `${session.user.username} (${session.user.role})` : '';
  if (signedIn) socket.connect();
  else socket.disconnect();
}

// ---- sign in / out --------------------------------------------------------------------------

const signinForm = byId('signin-form');
const totpStep = byId('totp-step');
const signinError = byId('signin-error');
signinForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(signinForm);
  const username = String(data.get('username') ?? '').trim();
  const password = String(data.get('password') ?? '');
  const totp = totpStep.hidden ? undefined : String(data.get('totp') ?? '').trim();
  if (!username || !password) {
    announce(signinError, 'Enter your username and password.');
    return;
  }
  if (!totpStep.hidden && !totp) {
    announce(signinError, 'Enter your two-factor code.');
    byId('signin-totp').focus();
    return;
  }
  const submit = byId('signin-submit');
  submit.disabled = true;
  announce(signinError, '');
  try {
    await signIn(username, password, totp);
    signinForm.reset();
    totpStep.hidden = true;
    if (location.hash === '' || location.hash === '#/signin') location.hash = '#/talk';
    else route();
  } catch (err) {
    if (err instanceof ApiError && err.code === 'HM_ERR_AUTH_TOTP_REQUIRED') {
      totpStep.hidden = false;
      byId('signin-submit').textContent = 'Verify';
      announce(signinError, 'This account uses two-factor authentication: enter your code.');
      byId('signin-totp').focus();
    } else if (err instanceof ApiError && err.status === 429) {
      announce(signinError, `Too many attempts. Try again in ${err.retryAfterS ?? 60} seconds.`);
    } else if (err instanceof ApiError && err.code === 'HM_ERR_AUTH_ENROLMENT_REQUIRED') {
      announce(signinError, 'Your account must set up two-factor authentication first (with the API or the command line).');
    } else if (err instanceof ApiError && err.status === 401) {
      announce(signinError, totp ? 'That code is wrong or expired.' : 'Wrong username or password.');
      if (totp) byId('signin-totp').select();
    } else {
      announce(signinError, `Could not sign in: ${err instanceof Error ? err.message : String(err)}`);
    }
  } finally {
    submit.disabled = false;
  }
});

byId('sign-out').addEventListener('click', async () => {
  stopSpeaking();
  talk.release();
  await signOut();
  byId('signin-submit').textContent = 'Sign in';
  location.hash = '#/signin';
  byId('signin-username').focus();
});

const speakToggle = byId('speak-replies');
speakToggle.checked = isSpeakingWanted();
speakToggle.addEventListener('change', () => setSpeakingWanted(speakToggle.checked));

// A new access token: the WebSocket keeps its dialog but must present the new token.
let lastToken = currentSession()?.accessToken ?? null;
onSessionChange((session) => {
  const token = session?.accessToken ?? null;
  const wasSignedIn = lastToken !== null;
  lastToken = token;
  renderAccount();
  if (token && wasSignedIn) socket.reconnect();
  if (!session) route();
});

window.addEventListener('hashchange', route);
renderAccount();
route();
// A session restored from this tab's storage may hold an expired access token.
if (currentSession() && currentSession().expiresAt < Date.now() + 10_000) refresh().catch(() => {});

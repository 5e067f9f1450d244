import { announce, byId } from './dom.js';
import { ApiError, signUp } from './api.js';

/** Human words for the API's answers to a registration. */
function explain(err) {
  if (!(err instanceof ApiError)) return `Could not create the account: ${err instanceof Error ? err.message : String(err)}`;
  if (err.status === 429) return `Too many attempts. Try again in ${err.retryAfterS ?? 60} seconds.`;
  // The catalog's messages already say what to change ("choose another password: …", "the username is already taken").
  return err.message.replace(/^invalid request: /, '');
}

/** The sign-up view (call once its elements are in the page): an account, then signed in to it. */
export function setupSignup({ onSignedUp }) {
  const form = byId('signup-form');
  const error = byId('signup-error');
  const displayField = byId('signup-display-name');
  const submit = byId('signup-submit');

  form.addEventListener('change', () => {
    displayField.hidden = new FormData(form).get('role') !== 'designer';
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const input = {
      username: String(data.get('username') ?? '').trim(),
      email: String(data.get('email') ?? '').trim(),
      password: String(data.get('password') ?? ''),
      role: data.get('role') === 'designer' ? 'designer' : 'client',
      displayName: String(data.get('displayName') ?? '').trim(),
    };
    const invalid = [...form.querySelectorAll('input')].find((field) => !field.closest('[hidden]') && !field.checkValidity());
    if (invalid) {
      announce(error, `${invalid.labels?.[0]?.textContent ?? 'A field'}: ${invalid.validationMessage}`);
      invalid.focus();
      return;
    }
    if (input.role === 'designer' && !input.displayName) {
      announce(error, 'A designer needs a designer name.');
      byId('signup-display').focus();
      return;
    }
    submit.disabled = true;
    announce(error, '');
    try {
      await signUp(input);
      form.reset();
      displayField.hidden = true;
      onSignedUp();
    } catch (err) {
      announce(error, explain(err));
    } finally {
      submit.disabled = false;
    }
  });
}

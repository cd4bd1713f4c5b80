import { USER_ID_PATTERN } from '../../lambdas/shared/protocol';
import { ChatApp } from './chat-app';
import { h } from './dom';
import { fetchDevToken, savedUser, saveUser } from './session';

const root = document.getElementById('app') as HTMLElement;
let app: ChatApp | undefined;

const showSignIn = (message?: string): void => {
  const input = h('input', {
    attrs: {
      id: 'user',
      name: 'user',
      autocomplete: 'username',
      required: true,
      maxlength: 128,
      autofocus: true,
    },
  });
  const error = h('p', { class: 'error', attrs: { role: 'alert' }, text: message ?? '' });
  const button = h('button', { class: 'primary', text: 'Sign in', attrs: { type: 'submit' } });
  const form = h(
    'form',
    { class: 'signin', attrs: { 'aria-labelledby': 'signin-title' } },
    h('h1', { text: 'Messenger', attrs: { id: 'signin-title' } }),
    h('label', { text: 'User name', attrs: { for: 'user' } }),
    input,
    h('p', { class: 'muted', text: 'Local development sign-in: any name works.' }),
    button,
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const userId = input.value.trim();
    if (!USER_ID_PATTERN.test(userId)) {
      error.textContent = 'Use 1–128 letters, digits, or . _ @ -';
      return;
    }
    button.disabled = true;
    void signIn(userId).catch((e: unknown) => {
      button.disabled = false;
      error.textContent = e instanceof Error ? e.message : String(e);
    });
  });
  root.replaceChildren(form);
  root.removeAttribute('aria-busy');
  input.focus();
};

const signIn = async (userId: string): Promise<void> => {
  const first = await fetchDevToken(userId);
  saveUser(first.userId);
  app = await ChatApp.start(root, first, async () => {
    await app?.stop();
    app = undefined;
    saveUser(null);
    showSignIn();
  });
  root.removeAttribute('aria-busy');
};

const user = savedUser();
if (user) {
  signIn(user).catch((e: unknown) => showSignIn(e instanceof Error ? e.message : String(e)));
} else {
  showSignIn();
}

// Console shell: sign-in, navigation (the URL hash names the view and its filters), and the live
// loop: the current view's refresh() runs every second; it revalidates with If-None-Match, so an
// unchanged read costs a 304 and a change shows within about a second.
import {session, signIn, health, onHealth, ApiError} from './api.js';
import {h, field} from './dom.js';
import {views} from './views.js';

const POLL_MS = 1000;
const STALE_MS = 5000;
const main = document.getElementById('main');
const status = document.getElementById('status');
let generation = 0;
let timer = null;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [name, qs] = raw.split('?');
  return {name: name || '', params: new URLSearchParams(qs || '')};
}

/** Navigates to a view with parameters (pushes history, so Back works). */
export function go(name, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined && one !== null && one !== '') q.append(k, one);
  }
  const s = q.toString();
  const hash = '#/' + name + (s ? '?' + s : '');
  if (location.hash === hash) render(); // no hashchange event for the same hash (e.g. signing in again)
  else location.hash = hash;
}

function signInView() {
  const input = h('input', {type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false'});
  const error = h('p', {class: 'error', role: 'alert'});
  const form = h('form', {class: 'signin', 'aria-labelledby': 'signin-title'},
    h('h1', {id: 'signin-title'}, 'Sign in'),
    h('p', {}, 'Paste an organization token or the platform admin token (the demo prints both). ',
      'It is kept in this tab only.'),
    field('API token', input),
    h('button', {type: 'submit'}, 'Sign in'),
    error);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    error.textContent = '';
    try {
      await signIn(input.value.trim());
      chrome();
      go(session.isAdmin ? 'platform' : 'dashboard');
    } catch (e) {
      error.textContent = e.status === 401 ? 'That token is not valid.' : 'Sign-in failed: ' + e.message;
    }
  });
  main.replaceChildren(form);
  input.focus();
}

/** Shows the navigation items the token may use, and who is signed in. */
function chrome() {
  const signedIn = Boolean(session.token);
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  if (!signedIn) return;
  for (const li of document.querySelectorAll('#nav li')) {
    const role = li.dataset.role;
    li.hidden = role === 'admin' ? !session.isAdmin : role === 'org' ? !session.org : false;
  }
  const org = session.org;
  document.getElementById('who-label').textContent = session.isAdmin
    ? 'Platform admin' + (org ? ' · viewing ' + org.name : '')
    : 'Organization ' + (org ? org.name : '');
}

async function render() {
  const gen = ++generation;
  clearTimeout(timer);
  if (!session.token) {
    chrome();
    signInView();
    return;
  }
  chrome();
  const {name, params} = parseHash();
  if (!views[name]) {
    go(session.isAdmin && !session.org ? 'platform' : 'dashboard');
    return;
  }
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const container = h('section', {class: 'view', 'aria-labelledby': 'view-title'});
  main.replaceChildren(container);
  if (gen > 1) main.focus({preventScroll: true}); // after a navigation, keyboard and screen reader start at the new view
  const view = views[name]({el: container, params, go, rerender: render});
  const loop = async () => {
    if (gen !== generation) return;
    try {
      await view.refresh();
    } catch (e) {
      if (gen !== generation) return;
      if (e instanceof ApiError && e.status === 401) {
        session.clear();
        render();
        return;
      }
      view.fail?.(e);
    }
    if (gen === generation) timer = setTimeout(loop, POLL_MS);
  };
  await loop();
}

function showHealth() {
  const bar = document.getElementById('status-bar');
  const stamp = document.getElementById('status-time');
  let text = '', kind = '', detail = '';
  if (session.token) {
    const age = Math.round((Date.now() - health.lastOk) / 1000);
    if (health.state !== 'ok') {
      [text, kind] = [health.message, 'bad'];
      detail = health.lastOk ? 'Showing data from ' + age + ' s ago.' : '';
    } else if (age * 1000 > STALE_MS) {
      [text, kind, detail] = ['Data may be stale.', 'warn', 'Last answer ' + age + ' s ago.'];
    } else {
      [text, kind] = ['Live', 'ok'];
      detail = 'updated ' + new Date(health.lastOk).toISOString().slice(11, 19) + 'Z';
    }
  }
  // Only the state is a live region (announced when it changes), not the ticking time.
  if (status.textContent !== text) status.textContent = text;
  stamp.textContent = detail;
  bar.className = 'status ' + kind;
}

onHealth(showHealth);
setInterval(showHealth, 1000);
document.getElementById('sign-out').addEventListener('click', () => {
  session.clear();
  location.hash = '';
  render();
});
window.addEventListener('hashchange', render);
render();

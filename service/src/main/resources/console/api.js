// The console's only way to the service: the public /api/v1 routes with the signed-in token.
// The token lives in sessionStorage (this tab only; never in a URL or a cookie).

const TOKEN = 'novacron.token';
const ROLE = 'novacron.role';
const ORG = 'novacron.org';

export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  get role() { return sessionStorage.getItem(ROLE); },
  get isAdmin() { return this.role === 'admin'; },
  /** The organization the views show: the token's own, or the one the admin picked (or null = platform). */
  get org() { const o = sessionStorage.getItem(ORG); return o ? JSON.parse(o) : null; },
  set org(o) { if (o) sessionStorage.setItem(ORG, JSON.stringify(o)); else sessionStorage.removeItem(ORG); },
  clear() { [TOKEN, ROLE, ORG].forEach(k => sessionStorage.removeItem(k)); etags.clear(); },
};

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

// Last body and ETag per URL: a poll sends If-None-Match and a 304 costs the server almost nothing.
const etags = new Map();
const listeners = new Set();
export const health = {state: 'ok', lastOk: 0, message: ''};

export function onHealth(fn) { listeners.add(fn); }

function report(state, message) {
  health.state = state;
  health.message = message || '';
  if (state === 'ok') health.lastOk = Date.now();
  listeners.forEach(fn => fn(health));
}

/** Builds a query string; arrays become repeated keys, empty values are left out. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one !== undefined && one !== null && one !== '') q.append(k, one);
    }
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/** Adds org_id when the admin looks at one organization (org tokens are scoped by the service). */
export function orgParams(params) {
  return session.isAdmin && session.org ? {org_id: session.org.id, ...params} : {...params};
}

/**
 * GET with revalidation: resolves {body, changed}; changed is false when the service answered
 * 304 for the body we already hold. Errors reject with ApiError (status 0: unreachable).
 */
export async function get(path, params, token = session.token) {
  const url = '/api/v1' + path + query(params);
  const key = token + ' ' + url; // never answer one token's request with another's body
  const held = etags.get(key);
  const headers = {Authorization: 'Bearer ' + token, Accept: 'application/json'};
  if (held) headers['If-None-Match'] = held.etag;
  const res = await send(url, {headers, cache: 'no-store'});
  if (res.status === 304 && held) {
    report('ok');
    return {body: held.body, changed: false};
  }
  const body = await parse(res);
  const etag = res.headers.get('ETag');
  if (etag) {
    if (etags.size > 200) etags.clear();
    etags.set(key, {etag, body});
  }
  return {body, changed: true};
}

/**
 * A view's reads: changed is true when the body differs from the one this view last drew (a 304
 * hands back the very object held, so identity is the test). A new view draws its first answer
 * even when another view had already fetched the same URL.
 */
export function reader() {
  const drawn = new Map();
  return async (path, params) => {
    const r = await get(path, params);
    const changed = drawn.get(path) !== r.body;
    drawn.set(path, r.body);
    return {body: r.body, changed};
  };
}

async function send(url, init) {
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    report('unreachable', 'The service is unreachable; retrying.');
    throw new ApiError(0, 'unreachable', 'The service is unreachable.');
  }
  if (res.status === 503) report('unavailable', 'The service answers 503 (database unavailable); retrying.');
  else if (res.status < 500) report('ok');
  return res;
}

async function parse(res) {
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!res.ok) {
    const err = (json && json.error) || {};
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText, err.details);
  }
  return json;
}

/**
 * Checks a token and learns what it is, with reads every token may make (no refused probe): the
 * dashboard without org_id is the whole platform's for the admin (org_id null) and the token's
 * own organization's otherwise.
 */
export async function signIn(token) {
  const dash = await get('/dashboard', {}, token);
  const admin = dash.body.org_id === null || dash.body.org_id === undefined;
  let org = null;
  if (!admin) {
    const orgs = await get('/orgs', {limit: 1}, token);
    org = orgs.body.items.map(o => ({id: o.id, name: o.name}))[0] || {id: dash.body.org_id, name: 'org ' + dash.body.org_id};
  }
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(ROLE, admin ? 'admin' : 'org');
  session.org = org;
}

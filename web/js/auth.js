// Optional access token. A page opened as ?token=... keeps the token in
// sessionStorage (so it survives reloads and hash navigation but not the
// tab) and drops it from the address bar so it is not shared by copy/paste.
// It is sent as "Authorization: Bearer" on REST calls and as the `token`
// query parameter on the WebSocket, which cannot carry custom headers.

const KEY = 'telehub.token';

export function initToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try { sessionStorage.setItem(KEY, fromUrl); } catch { /* storage disabled: use it for this page only */ }
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    memoryToken = fromUrl;
  }
}

let memoryToken = null;

export function token() {
  try { return sessionStorage.getItem(KEY) || memoryToken; } catch { return memoryToken; }
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// GET a JSON document from the hub's REST API. Errors come back as the
// protocol's {"error":{"code","message"}} body when the hub sent one.
export async function getJson(path, { signal } = {}) {
  const headers = { Accept: 'application/json' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let res;
  try {
    res = await fetch(path, { headers, signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'the hub cannot be reached');
  }
  let body = null;
  try { body = await res.json(); } catch { /* not JSON: reported below */ }
  if (!res.ok) {
    const err = body && body.error;
    throw new ApiError(res.status, err?.code || `http_${res.status}`, err?.message || `HTTP ${res.status}`);
  }
  if (body == null) throw new ApiError(res.status, 'bad_body', 'the hub answered with something that is not JSON');
  return body;
}

export function liveUrl() {
  const u = new URL('ws/live', location.href);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  u.search = '';
  u.hash = '';
  const t = token();
  if (t) u.searchParams.set('token', t);
  return u.toString();
}

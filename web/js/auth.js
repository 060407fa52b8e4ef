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

// One REST call with the tab's token. Errors come back as the protocol's
// {"error":{"code","message"}} body when the hub sent one.
async function request(method, path, { body, signal, accept = 'application/json' } = {}) {
  const headers = { Accept: accept };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    return await fetch(path, { method, headers, signal, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'the hub cannot be reached');
  }
}

async function errorOf(res) {
  let body = null;
  try { body = await res.json(); } catch { /* not JSON: a generic message */ }
  const err = body && body.error;
  return new ApiError(res.status, err?.code || `http_${res.status}`, err?.message || `HTTP ${res.status}`);
}

async function jsonOf(res) {
  if (!res.ok) throw await errorOf(res);
  try { return await res.json(); } catch {
    throw new ApiError(res.status, 'bad_body', 'the hub answered with something that is not JSON');
  }
}

export async function getJson(path, { signal } = {}) {
  return jsonOf(await request('GET', path, { signal }));
}

// POST, PATCH or DELETE with a JSON body (the process-control routes).
export async function sendJson(method, path, body, { signal } = {}) {
  return jsonOf(await request(method, path, { body, signal }));
}

// Saves a report as a file. A plain link cannot carry the Authorization
// header, so the file is fetched and handed to the browser as a blob.
export async function download(path, filename) {
  const res = await request('GET', path, { accept: '*/*' });
  if (!res.ok) throw await errorOf(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
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

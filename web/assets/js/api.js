// Calls to the REST API with the session cookie; a 401 sends the browser to the login page.

let csrf = null;

export async function get(path, params) {
  const url = params ? `${path}?${new URLSearchParams(clean(params))}` : path;
  const r = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (r.status === 401) {
    location.assign('/login');
    throw new Error('not logged in');
  }
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

function clean(params) {
  const out = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') out[k] = String(v);
  return out;
}

// Who is logged in, and the CSRF token for state-changing requests.
export async function session() {
  const s = await get('/session');
  csrf = s.csrf_token;
  return s;
}

export async function logout() {
  await fetch('/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf ?? '' } });
  location.assign('/login');
}

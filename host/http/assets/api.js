// The JSON API the dashboard reads: Burrow's v3 routes, the admin routes and
// /v3/kafka/:cluster/consumer-status. Nothing else: the dashboard shows what the API serves.

const seg = encodeURIComponent;

// When the API asks for credentials (401), the dashboard asks for a token once per tab and
// keeps it in sessionStorage: it goes with every request as a Bearer token and is forgotten
// when the tab closes. A refused token is dropped and asked for again.
const TOKEN_KEY = 'warren.token';
const loginForm = document.getElementById('login');
const loginInput = document.getElementById('login-token');
const loginError = document.getElementById('login-error');

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// A refusal stays on screen until another token is tried: the requests that follow it go
// without a token and are answered 401 too, and must not wipe it.
function askForToken(refused) {
  if (refused) loginError.textContent = 'That token was refused. Try another.';
  if (loginForm.hidden) {
    loginForm.hidden = false;
    loginInput.focus();
  }
}

loginForm?.addEventListener('submit', (e) => {
  e.preventDefault();
  const token = loginInput.value.trim();
  if (!token) return;
  loginError.textContent = '';
  sessionStorage.setItem(TOKEN_KEY, token);
  loginInput.value = '';
  loginForm.hidden = true;
  window.dispatchEvent(new Event('warren-token'));
});

/** An API failure: the HTTP status and Burrow's message (`detail`) when there is one. */
export class ApiError extends Error {
  constructor(path, status, detail) {
    super(`${path}: ${detail}`);
    this.status = status;
    this.detail = detail;
  }
}

async function json(path) {
  let res;
  try {
    res = await fetch(path, {
      headers: { Accept: 'application/json', ...authHeaders() },
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(path, 0, `cannot reach Warren (${e.message})`);
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON: reported below by the status.
  }
  if (res.status === 401) {
    const refused = sessionStorage.getItem(TOKEN_KEY) !== null;
    sessionStorage.removeItem(TOKEN_KEY);
    askForToken(refused);
    throw new ApiError(path, 401, 'this Warren needs an API token: enter one above');
  }
  if (!res.ok) {
    const message = body && typeof body.message === 'string' ? body.message : res.statusText;
    throw new ApiError(path, res.status, res.status === 503 ? message : `${res.status} ${message}`);
  }
  return body ?? {};
}

const list = (v) => (Array.isArray(v) ? v : []);

export const api = {
  /** Cluster names. */
  clusters: async () => list((await json('/v3/kafka')).clusters),
  /** Every monitored group's status summary (no partitions). */
  groups: async (cluster) =>
    list((await json(`/v3/kafka/${seg(cluster)}/consumer-status`)).statuses),
  /** One group's full status: every partition, owners, window ends, evaluator note. */
  lag: async (cluster, group) =>
    (await json(`/v3/kafka/${seg(cluster)}/consumer/${seg(group)}/lag`)).status ?? null,
  /** One group's stored windows: topic → partitions → commits (null-padded). */
  windows: async (cluster, group) =>
    (await json(`/v3/kafka/${seg(cluster)}/consumer/${seg(group)}`)).topics ?? {},
  /** Loaded plugins with their health. */
  plugins: async () => list((await json('/v3/admin/plugins')).plugins),
  /** Who leads the notifications (`self`, `leader`, `since`, `instances`). */
  instances: async () => {
    const body = await json('/v3/admin/instances');
    return { self: body.self, leader: body.leader ?? null, since: body.since ?? null, instances: list(body.instances) };
  },
  /** Notifiers: counters, open incidents, pending deliveries. */
  notifiers: async () => list((await json('/v3/admin/notifiers')).notifiers),
  /** READY once every consumer caught up (503 STARTING before, then a progress line per
   * consumer still reading). */
  ready: async () => {
    try {
      const res = await fetch('/burrow/admin/ready', { cache: 'no-store' });
      return { ready: res.ok, text: (await res.text()).trim() || String(res.status) };
    } catch {
      return { ready: false, text: 'unreachable' };
    }
  },
};

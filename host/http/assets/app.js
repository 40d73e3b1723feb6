// Warren's dashboard: hash routing, the refresh loop and the header. Views (overview.js,
// group.js) build their DOM once and redraw from the API on every refresh; nothing reloads
// the page, and filters, sort order and incident history live in `ui` for the page's life.
//
// URL parameters: `?refresh=N` refreshes every N seconds (default 5; 0 turns it off).

import { api } from './api.js';
import { badge, h, href } from './dom.js';
import { ago } from './format.js';
import { groupPage } from './group.js';
import { overview } from './overview.js';

const params = new URLSearchParams(location.search);
const seconds = Number(params.get('refresh'));
const configured = params.has('refresh') && Number.isFinite(seconds) && seconds >= 0;
/** Refresh period; `?refresh=0` starts paused (Resume then uses the default). */
const REFRESH_MS = configured && seconds > 0 ? Math.max(seconds, 0.5) * 1000 : 5000;

/** State kept across refreshes and views. */
const ui = {
  filter: { text: '', status: 'all', cluster: '' },
  groupSort: { column: 'status', descending: true },
  partitionSort: { column: 'topic', descending: false },
  incidentSort: { column: 'started', descending: true },
  pluginSort: { column: 'name', descending: false },
  incidents: { open: new Map(), recent: [] },
  clusters: [],
};

const main = document.getElementById('main');
const errorBox = document.getElementById('error');
const updated = document.getElementById('updated');
const pauseButton = document.getElementById('pause');
const clusterNav = document.getElementById('cluster-nav');

let view = null;
let lastUpdate = 0;
let timer = 0;
let running = false;
let again = false;
let paused = configured && seconds === 0;

/** `#/`, `#/cluster/NAME`, `#/cluster/NAME/group/GROUP` (names percent-encoded). */
function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '');
  const name = (i) => {
    try {
      return decodeURIComponent(parts[i]);
    } catch {
      return parts[i];
    }
  };
  if (parts[0] === 'cluster' && parts.length >= 2) {
    if (parts[2] === 'group' && parts.length >= 4) return groupPage(ui, name(1), name(3));
    return overview(ui, name(1));
  }
  return overview(ui);
}

function show() {
  view?.leave?.();
  view = route();
  document.title = view.title;
  main.replaceChildren(view.el);
  lastUpdate = 0;
  refresh();
}

/** Redraws the current view from the API; one refresh at a time (a request made meanwhile
 * runs right after). A failure keeps the last data on screen under a banner. */
async function refresh() {
  clearTimeout(timer);
  if (running) {
    again = true;
    return;
  }
  running = true;
  const current = view;
  try {
    const [ready] = await Promise.all([api.ready(), current.refresh()]);
    if (current === view) {
      document.getElementById('ready').replaceWith(readyBadgeFor(ready));
      lastUpdate = Date.now();
      errorBox.hidden = true;
      errorBox.textContent = '';
      drawNav();
    }
  } catch (e) {
    if (current === view) {
      errorBox.hidden = false;
      errorBox.textContent = `Update failed: ${e.message}. Showing the last data; retrying.`;
    }
  } finally {
    running = false;
  }
  tick();
  if (again || current !== view) {
    again = false;
    refresh();
  } else schedule();
}

function schedule() {
  clearTimeout(timer);
  if (!paused) timer = setTimeout(refresh, REFRESH_MS);
}

function readyBadgeFor(ready) {
  const el = badge(ready.ready ? 'OK' : 'WARN');
  el.id = 'ready';
  const [first, ...progress] = ready.text.split('\n');
  el.textContent = first;
  el.title = ['GET /burrow/admin/ready: READY once every consumer has caught up', ...progress].join('\n');
  return el;
}

function drawNav() {
  clusterNav.replaceChildren(
    h('ul', {}, ui.clusters.map((c) => h('li', {}, h('a', { href: href(c), text: c })))),
  );
}

function tick() {
  if (!lastUpdate) {
    updated.textContent = 'loading…';
  } else {
    const state = paused ? ' (paused)' : '';
    updated.textContent = `updated ${ago(lastUpdate)}${state}`;
    updated.title = new Date(lastUpdate).toLocaleString('en-GB', { hour12: false });
  }
}

pauseButton.addEventListener('click', () => {
  paused = !paused;
  pauseButton.setAttribute('aria-pressed', String(paused));
  pauseButton.textContent = paused ? 'Resume' : 'Pause';
  if (paused) clearTimeout(timer);
  else refresh();
  tick();
});
if (paused) {
  pauseButton.setAttribute('aria-pressed', 'true');
  pauseButton.textContent = 'Resume';
}

// A hidden tab does not poll; it catches up when shown again.
document.addEventListener('visibilitychange', () => {
  if (document.hidden) clearTimeout(timer);
  else if (!paused) refresh();
});

window.addEventListener('hashchange', show);
// A token was just entered: redraw with it now rather than at the next tick.
window.addEventListener('warren-token', () => refresh());
setInterval(tick, 1000);
show();

// Incidents (from /v3/admin/notifiers), which instance sends them (from /v3/admin/instances)
// and plugin health (from /v3/admin/plugins). The API
// lists open incidents only; an incident this page saw open and then no longer sees is listed
// under "Recently resolved" with the time it disappeared (kept while the page is open).

import { api } from './api.js';
import { badge, h, href, section } from './dom.js';
import { ago, count, text, when } from './format.js';
import { SortableTable } from './table.js';

const RECENT = 20;

/** The two panels and their refresh; `ui.incidents` keeps what was seen across refreshes. */
export function adminPanels(ui) {
  const notifierSummary = h('div', { class: 'notifiers' });
  const leadership = h('p', { class: 'leadership', id: 'leadership' });
  const open = new SortableTable({
    id: 'incidents',
    caption: 'Open incidents',
    sort: ui.incidentSort,
    key: (i) => `${i.notifier}/${i.id}`,
    empty: 'No open incident.',
    columns: [
      { id: 'status', label: 'Status', value: (i) => i.status, cell: (i) => badge(i.status) },
      { id: 'cluster', label: 'Cluster', value: (i) => i.cluster, cell: (i) => text(i.cluster) },
      { id: 'group', label: 'Group', value: (i) => i.group, cell: groupLink },
      {
        id: 'started',
        label: 'Open since',
        numeric: true,
        value: (i) => i.started,
        cell: (i) => h('time', { title: when(i.started), text: ago(i.started) }),
      },
      { id: 'notifier', label: 'Notifier', value: (i) => i.notifier, cell: (i) => text(i.notifier) },
      { id: 'id', label: 'Incident', value: (i) => i.id, cell: (i) => h('code', { text: text(i.id) }) },
    ],
  });
  const recent = h('ul', { class: 'recent', id: 'recent-incidents' });
  const pending = new SortableTable({
    id: 'pending',
    caption: 'Pending deliveries',
    key: (d) => `${d.notifier}/${d.seq}`,
    empty: 'Nothing waiting to be delivered.',
    columns: [
      { id: 'notifier', label: 'Notifier', value: (d) => d.notifier, cell: (d) => text(d.notifier) },
      { id: 'kind', label: 'Kind', value: (d) => d.kind, cell: (d) => text(d.kind) },
      { id: 'cluster', label: 'Cluster', value: (d) => d.cluster, cell: (d) => text(d.cluster) },
      { id: 'group', label: 'Group', value: (d) => d.group, cell: groupLink },
      { id: 'attempts', label: 'Attempts', numeric: true, value: (d) => d.attempts, cell: (d) => count(d.attempts) },
      {
        id: 'next',
        label: 'Next attempt',
        numeric: true,
        value: (d) => d['next-attempt'],
        cell: (d) => when(d['next-attempt']),
      },
      { id: 'error', label: 'Last error', value: (d) => d['last-error'], cell: (d) => text(d['last-error']) },
    ],
  });
  const plugins = new SortableTable({
    id: 'plugins',
    caption: 'Plugins',
    sort: ui.pluginSort,
    key: (p) => p.name,
    empty: 'No plugin is loaded.',
    rowAttrs: (p) => ({ class: pluginHealth(p).row }),
    columns: [
      { id: 'name', label: 'Plugin', value: (p) => p.name, cell: (p) => text(p.name) },
      { id: 'kind', label: 'Kind', value: (p) => p.kind, cell: (p) => text(p.kind) },
      {
        id: 'health',
        label: 'Health',
        worstFirst: true,
        value: (p) => pluginHealth(p).rank,
        cell: (p) => h('span', { class: `badge ${pluginHealth(p).badge}`, text: pluginHealth(p).label }),
      },
      { id: 'calls', label: 'Calls', numeric: true, value: (p) => calls(p).total, cell: (p) => callSummary(p) },
      {
        id: 'failures',
        label: 'Failures in a row',
        numeric: true,
        value: (p) => p.health?.consecutive_failures,
        cell: (p) => count(p.health?.consecutive_failures),
      },
      {
        id: 'error',
        label: 'Last error',
        value: (p) => p['reload-error'] ?? p.health?.last_error,
        cell: (p) => lastError(p),
      },
      { id: 'source', label: 'Source', value: (p) => p.source, cell: (p) => h('code', { text: text(p.source) }) },
      {
        id: 'used',
        label: 'Used by',
        value: (p) => (Array.isArray(p['used-by']) ? p['used-by'].join(', ') : null),
        cell: (p) => (Array.isArray(p['used-by']) && p['used-by'].length ? p['used-by'].join(', ') : '—'),
      },
    ],
  });

  const incidents = section(
    'incidents-panel',
    'Incidents',
    leadership,
    notifierSummary,
    h('h3', { text: 'Open' }),
    h('div', { class: 'scroll' }, open.el),
    h('h3', { text: 'Recently resolved' }),
    recent,
    h('h3', { text: 'Pending deliveries' }),
    h('div', { class: 'scroll' }, pending.el),
  );
  const pluginsPanel = section('plugins-panel', 'Plugin health', h('div', { class: 'scroll' }, plugins.el));

  async function refresh() {
    const [notifiers, loaded, who] = await Promise.all([api.notifiers(), api.plugins(), api.instances()]);
    leadership.replaceChildren(
      who.leader
        ? `Sent by instance ${text(who.leader)} (leading since ${when(who.since)})`
        : 'No instance leads right now: notifications wait for the election',
      who.instances.length > 1 ? `; instances: ${who.instances.map(text).join(', ')}` : '',
      `; this page is served by ${text(who.self)}.`,
    );
    const nowOpen = new Map();
    for (const n of notifiers) {
      for (const i of Array.isArray(n['open-incidents']) ? n['open-incidents'] : []) {
        nowOpen.set(`${n.name}/${i.id}`, { ...i, notifier: n.name });
      }
    }
    const seen = ui.incidents;
    for (const [key, incident] of seen.open) {
      if (!nowOpen.has(key)) {
        seen.recent.unshift({ ...incident, resolvedSeen: Date.now() });
      }
    }
    seen.recent.splice(RECENT);
    seen.open = nowOpen;

    notifierSummary.replaceChildren(
      notifiers.length === 0
        ? h('p', {
            class: 'hint',
            text: 'No notifier is configured: incidents are opened by [notifier.NAME] sections.',
          })
        : h(
            'ul',
            { class: 'notifier-list' },
            notifiers.map((n) =>
              h(
                'li',
                {},
                h('strong', { text: text(n.name) }),
                `: ${count(n.decided)} decided, ${count(n.delivered)} delivered, ${count(n.retried)} retried, ${count(n.failed)} failed`,
                n['last-error'] ? h('span', { class: 'failed', text: ` · last error: ${n['last-error']}` }) : null,
              ),
            ),
          ),
    );
    open.setRows([...nowOpen.values()]);
    recent.replaceChildren(
      ...(seen.recent.length === 0
        ? [h('li', { class: 'empty', text: 'None since this page was opened.' })]
        : seen.recent.map((i) =>
            h(
              'li',
              {},
              badge(i.status),
              ' ',
              h('a', { href: href(i.cluster, i.group), text: `${i.cluster} / ${i.group}` }),
              ` via ${text(i.notifier)}: open ${when(i.started)}, gone `,
              h('time', { title: when(i.resolvedSeen), text: ago(i.resolvedSeen) }),
            ),
          )),
    );
    pending.setRows(
      notifiers.flatMap((n) =>
        (Array.isArray(n.pending) ? n.pending : []).map((d) => ({ ...d, notifier: n.name })),
      ),
    );
    plugins.setRows(loaded);
  }

  return { incidents, plugins: pluginsPanel, refresh };
}

function groupLink(i) {
  return typeof i.cluster === 'string' && typeof i.group === 'string'
    ? h('a', { href: href(i.cluster, i.group), text: i.group })
    : text(i.group);
}

function calls(p) {
  const byOutcome = p.health && typeof p.health.calls === 'object' ? p.health.calls : {};
  let total = 0;
  let ok = 0;
  for (const [outcome, n] of Object.entries(byOutcome)) {
    if (typeof n !== 'number') continue;
    total += n;
    if (outcome === 'ok') ok += n;
  }
  return { total, ok, byOutcome };
}

function callSummary(p) {
  const { total, byOutcome } = calls(p);
  const detail = Object.entries(byOutcome)
    .map(([k, n]) => `${k} ${count(n)}`)
    .join(', ');
  return h('span', { title: detail || 'no call yet', text: total ? `${count(total)} (${detail})` : '0' });
}

function lastError(p) {
  const reload = p['reload-error'];
  const last = p.health?.last_error;
  if (!reload && !last) return '—';
  return h(
    'span',
    { class: 'failed' },
    reload ? `reload failed: ${reload}` : '',
    reload && last ? '; ' : '',
    last ?? '',
  );
}

function pluginHealth(p) {
  const health = p.health ?? {};
  if (health.disabled) {
    return { label: 'disabled (breaker open)', badge: 'status-err', row: 'row-err', rank: 3 };
  }
  if ((health.consecutive_failures ?? 0) > 0 || p['reload-error']) {
    return { label: 'failing', badge: 'status-warn', row: 'row-warn', rank: 2 };
  }
  return { label: 'healthy', badge: 'status-ok', row: 'row-ok', rank: 1 };
}

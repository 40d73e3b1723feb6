// The overview (`#/` and `#/cluster/NAME`): every cluster with its groups counted by status,
// the table of groups (sortable, filterable), then incidents and plugin health.

import { api } from './api.js';
import { badge, h, href, rank, section, severity } from './dom.js';
import { ago, count, duration, percent, text, when } from './format.js';
import { SortableTable } from './table.js';
import { adminPanels } from './admin.js';

const STATUS_FILTERS = [
  ['all', 'All statuses'],
  ['problems', 'Not OK'],
  ['OK', 'OK'],
  ['WARN', 'WARN'],
  ['ERR', 'ERR'],
];

/** The overview view; `ui` keeps filters, sort and incident history across views. */
export function overview(ui, cluster) {
  if (cluster !== undefined) ui.filter.cluster = cluster;
  else ui.filter.cluster = '';

  const cards = h('ul', { class: 'clusters', id: 'clusters' });
  const search = h('input', {
    type: 'search',
    id: 'group-filter',
    placeholder: 'group or cluster name',
    autocomplete: 'off',
    value: ui.filter.text,
    oninput: () => {
      ui.filter.text = search.value;
      draw();
    },
  });
  const statusSelect = h(
    'select',
    {
      id: 'status-filter',
      onchange: () => {
        ui.filter.status = statusSelect.value;
        draw();
      },
    },
    STATUS_FILTERS.map(([value, label]) =>
      h('option', { value, selected: ui.filter.status === value, text: label }),
    ),
  );
  const clusterSelect = h('select', {
    id: 'cluster-filter',
    onchange: () => {
      location.hash = clusterSelect.value ? href(clusterSelect.value) : '#/';
    },
  });
  const shown = h('p', { class: 'shown', 'aria-live': 'polite' });
  const table = new SortableTable({
    id: 'groups',
    caption: 'Consumer groups',
    sort: ui.groupSort,
    key: (g) => `${g.cluster}/${g.group}`,
    empty: 'No consumer group matches.',
    rowAttrs: (g) => ({ class: `row-${severity(g.status)}` }),
    columns: [
      { id: 'cluster', label: 'Cluster', value: (g) => g.cluster, cell: (g) => text(g.cluster) },
      {
        id: 'group',
        label: 'Group',
        value: (g) => g.group,
        cell: (g) => h('a', { href: href(g.cluster, g.group), class: 'group', text: g.group }),
      },
      {
        id: 'status',
        label: 'Status',
        worstFirst: true,
        value: (g) => rank(g.status),
        cell: (g) => badge(g.status),
      },
      {
        id: 'partitions',
        label: 'Partitions',
        title: 'partitions by status',
        value: (g) => g.partition_count,
        cell: partitionCounts,
        className: 'partitions',
      },
      {
        id: 'totallag',
        label: 'Total lag',
        numeric: true,
        title: 'messages behind, summed over partitions',
        value: (g) => g.totallag,
        cell: (g) => count(g.totallag),
      },
      {
        id: 'timelag',
        label: 'Lag (time)',
        numeric: true,
        title: 'how far behind in time the worst partition is',
        value: (g) => g.max_time_lag_ms,
        cell: (g) => duration(g.max_time_lag_ms),
      },
      {
        id: 'eta',
        label: 'Catch-up ETA',
        numeric: true,
        value: (g) => g.catchup_eta_ms,
        cell: (g) => duration(g.catchup_eta_ms),
      },
      { id: 'state', label: 'State', value: (g) => g.state, cell: (g) => text(g.state) },
      {
        id: 'complete',
        label: 'Full windows',
        numeric: true,
        title: 'share of partitions whose window is full',
        value: (g) => g.complete,
        cell: (g) => percent(g.complete),
      },
      {
        id: 'last',
        label: 'Last commit',
        numeric: true,
        value: (g) => g.last_commit,
        cell: (g) => h('time', { title: when(g.last_commit), text: ago(g.last_commit) }),
      },
      {
        id: 'worst',
        label: 'Worst partition',
        value: (g) => (g.maxlag ? `${g.maxlag.topic}:${g.maxlag.partition}` : null),
        cell: (g) => (g.maxlag ? `${g.maxlag.topic}:${g.maxlag.partition}` : '—'),
      },
    ],
  });
  const admin = adminPanels(ui);
  const el = h(
    'div',
    { class: 'overview' },
    h('h1', { class: 'sr-only', text: 'Warren overview' }),
    section('clusters-panel', 'Clusters', cards),
    section(
      'groups-panel',
      'Consumer groups',
      h(
        'div',
        { class: 'filters', role: 'search' },
        h('label', { for: 'group-filter' }, 'Filter ', search),
        h('label', { for: 'status-filter' }, 'Status ', statusSelect),
        h('label', { for: 'cluster-filter' }, 'Cluster ', clusterSelect),
        shown,
      ),
      h('div', { class: 'scroll' }, table.el),
    ),
    admin.incidents,
    admin.plugins,
  );

  let data = [];

  function draw() {
    const needle = ui.filter.text.trim().toLowerCase();
    const all = data.flatMap((c) => c.groups);
    const rows = all.filter(
      (g) =>
        (!ui.filter.cluster || g.cluster === ui.filter.cluster) &&
        matchesStatus(g.status, ui.filter.status) &&
        (!needle ||
          String(g.group).toLowerCase().includes(needle) ||
          String(g.cluster).toLowerCase().includes(needle)),
    );
    table.setRows(rows);
    shown.textContent =
      rows.length === all.length
        ? `${all.length} group${all.length === 1 ? '' : 's'}`
        : `${rows.length} of ${all.length} groups`;
  }

  function drawClusters() {
    cards.replaceChildren(
      ...data.map((c) => {
        const counts = { ok: 0, warn: 0, err: 0 };
        for (const g of c.groups) {
          const s = severity(g.status);
          if (s in counts) counts[s] += 1;
        }
        return h(
          'li',
          { class: `card${ui.filter.cluster === c.cluster ? ' current' : ''}` },
          h('a', { href: href(c.cluster), class: 'cluster', text: c.cluster }),
          c.error
            ? h('p', { class: c.starting ? 'hint' : 'failed', text: c.error })
            : h(
                'p',
                { class: 'counts' },
                `${c.groups.length} group${c.groups.length === 1 ? '' : 's'}: `,
                h('span', { class: 'status-ok', text: `${counts.ok} OK` }),
                ' · ',
                h('span', { class: 'status-warn', text: `${counts.warn} WARN` }),
                ' · ',
                h('span', { class: 'status-err', text: `${counts.err} ERR` }),
              ),
        );
      }),
    );
    const choice = ui.filter.cluster;
    clusterSelect.replaceChildren(
      h('option', { value: '', text: 'All clusters', selected: !choice }),
      ...data.map((c) =>
        h('option', { value: c.cluster, text: c.cluster, selected: c.cluster === choice }),
      ),
    );
  }

  async function refresh() {
    const clusters = await api.clusters();
    const [groups] = await Promise.all([
      Promise.all(
        clusters.map(async (c) => {
          try {
            return { cluster: c, groups: await api.groups(c) };
          } catch (e) {
            // 503: the cluster's collectors are still catching up (no verdict yet).
            return { cluster: c, groups: [], error: e.detail ?? e.message, starting: e.status === 503 };
          }
        }),
      ),
      admin.refresh(),
    ]);
    data = groups;
    ui.clusters = clusters;
    drawClusters();
    draw();
  }

  return { el, refresh, title: cluster ? `${cluster} · Warren` : 'Warren' };
}

function matchesStatus(status, filter) {
  switch (filter) {
    case 'all':
      return true;
    case 'problems':
      return status !== 'OK';
    default:
      return status === filter;
  }
}

/** "3 OK" or "2 OK, 1 STALL": partitions by status, worst last. */
function partitionCounts(g) {
  const counts = g.partition_statuses && typeof g.partition_statuses === 'object'
    ? Object.entries(g.partition_statuses)
    : [];
  if (counts.length === 0) return count(g.partition_count);
  counts.sort((a, b) => rank(a[0]) - rank(b[0]));
  const parts = [];
  counts.forEach(([status, n], i) => {
    if (i > 0) parts.push(', ');
    parts.push(h('span', { class: `status-${severity(status)}`, text: `${count(n)} ${status}` }));
  });
  return h('span', {}, ...parts);
}

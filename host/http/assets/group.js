// A group's page (`#/cluster/NAME/group/GROUP`): its status and why (the evaluation), the lag
// of each partition over the stored window (a uPlot chart of the commits: commit time against
// lag at that commit), and every partition with its owner, lag and window ends.

import { api } from './api.js';
import { badge, h, href, rank, section, severity } from './dom.js';
import {
  ESTIMATES,
  ago,
  compact,
  count,
  duration,
  known,
  percent,
  text,
  timeLag,
  when,
} from './format.js';
import { SortableTable } from './table.js';

/** Partitions drawn at most; the ones with the most lag are kept. */
const MAX_SERIES = 24;

const RULES = {
  OK: 'keeping up',
  WARN: 'lag did not decrease across the window (every commit at least as far behind as the one before)',
  STOP: 'no commit for longer than the window spans, with lag left',
  STALL: 'the committed offset has not moved across the window while there is lag',
  REWIND: 'the committed offset went backwards within the window',
};

export function groupPage(ui, cluster, group) {
  const heading = h('h1', { class: 'group-title' }, h('span', { class: 'name', text: group }));
  const stats = h('dl', { class: 'stats', id: 'group-stats' });
  const evaluation = h('div', { id: 'evaluation' });
  const chartBox = h('div', { id: 'lag-chart', class: 'chart', role: 'img', 'aria-label': 'Lag of each partition over the window' });
  const chartNote = h('p', { class: 'hint', id: 'chart-note' });
  const missing = h('p', { class: 'failed', role: 'status', hidden: true });
  const partitions = new SortableTable({
    id: 'partitions',
    caption: `Partitions of ${group}`,
    sort: ui.partitionSort,
    key: (p) => `${p.topic}/${p.partition}`,
    empty: 'This group has no partition.',
    rowAttrs: (p) => ({ class: `row-${severity(p.status)}` }),
    columns: [
      { id: 'topic', label: 'Topic', value: (p) => `${p.topic}\u0000${String(p.partition).padStart(9, '0')}`, cell: (p) => text(p.topic) },
      { id: 'partition', label: 'Partition', numeric: true, value: (p) => p.partition, cell: (p) => count(p.partition) },
      { id: 'status', label: 'Status', worstFirst: true, value: (p) => rank(p.status), cell: (p) => badge(p.status) },
      { id: 'lag', label: 'Lag', numeric: true, value: (p) => p.current_lag, cell: (p) => count(p.current_lag) },
      {
        id: 'timelag',
        label: 'Lag (time)',
        numeric: true,
        value: (p) => p.time_lag_ms,
        cell: (p) =>
          h('span', { title: ESTIMATES[p.time_lag_estimate] ?? null, text: timeLag(p.time_lag_ms, p.time_lag_estimate) }),
      },
      { id: 'eta', label: 'Catch-up ETA', numeric: true, value: (p) => p.catchup_eta_ms, cell: (p) => duration(p.catchup_eta_ms) },
      { id: 'owner', label: 'Owner', value: (p) => p.owner || null, cell: (p) => text(p.owner) },
      { id: 'client', label: 'Client ID', value: (p) => p.client_id || null, cell: (p) => text(p.client_id) },
      { id: 'start', label: 'Window start', value: (p) => p.start?.timestamp, cell: (p) => commit(p.start) },
      { id: 'end', label: 'Window end', value: (p) => p.end?.timestamp, cell: (p) => commit(p.end) },
      { id: 'complete', label: 'Window filled', numeric: true, value: (p) => p.complete, cell: (p) => percent(p.complete) },
    ],
  });
  const chart = new LagChart(chartBox, chartNote);
  const el = h(
    'div',
    { class: 'group-page' },
    h(
      'nav',
      { 'aria-label': 'Breadcrumb', class: 'crumbs' },
      h(
        'ol',
        {},
        h('li', {}, h('a', { href: '#/', text: 'Overview' })),
        h('li', {}, h('a', { href: href(cluster), text: cluster })),
        h('li', {}, h('a', { href: href(cluster, group), 'aria-current': 'page', text: group })),
      ),
    ),
    heading,
    missing,
    stats,
    section('evaluation-panel', 'Evaluation', evaluation),
    section('chart-panel', 'Lag over the window', chartBox, chartNote),
    section('partitions-panel', 'Partitions', h('div', { class: 'scroll' }, partitions.el)),
  );

  async function refresh() {
    let status;
    let windows;
    try {
      [status, windows] = await Promise.all([api.lag(cluster, group), api.windows(cluster, group)]);
    } catch (e) {
      if (e.status === 503) {
        missing.hidden = false;
        missing.textContent = `No verdict yet: ${e.detail}.`;
        return;
      }
      if (e.status === 404) {
        missing.hidden = false;
        missing.textContent = `Warren does not know group “${group}” in cluster “${cluster}” (any more): it may have expired or been deleted.`;
        heading.replaceChildren(h('span', { class: 'name', text: group }), ' ', badge('NOTFOUND'));
        return;
      }
      throw e;
    }
    missing.hidden = true;
    heading.replaceChildren(h('span', { class: 'name', text: group }), ' ', badge(status.status));
    const parts = Array.isArray(status.partitions) ? status.partitions : [];
    stats.replaceChildren(
      stat('Total lag', count(status.totallag)),
      stat('Lag (time)', duration(status.max_time_lag_ms)),
      stat('Catch-up ETA', duration(status.catchup_eta_ms)),
      stat('Partitions', count(status.partition_count)),
      stat('Full windows', percent(status.complete)),
      stat(
        'Worst partition',
        status.maxlag
          ? `${status.maxlag.topic}:${status.maxlag.partition} (lag ${count(status.maxlag.current_lag)})`
          : '—',
      ),
    );
    evaluation.replaceChildren(...explain(status, parts));
    partitions.setRows(parts);
    chart.draw(windows, parts);
  }

  return { el, refresh, title: `${group} · ${cluster} · Warren`, leave: () => chart.destroy() };
}

/** One term of the stats list (a div may group a dt with its dd). */
function stat(label, value) {
  return h('div', {}, h('dt', { text: label }), h('dd', {}, value));
}

function commit(c) {
  if (!c || typeof c !== 'object') return '—';
  return h(
    'span',
    { title: `observed ${when(c.observedAt)}` },
    `${count(c.offset)} · lag ${count(c.lag)} · `,
    h('time', { title: when(c.timestamp), text: ago(c.timestamp) }),
  );
}

/** Who judged the group, the group rule, and each partition that is not OK with its rule. */
function explain(status, parts) {
  const out = [];
  const note = status.evaluator;
  if (note && typeof note === 'object') {
    out.push(
      note.fallback
        ? h(
            'p',
            { class: 'failed' },
            'Judged by Burrow’s rules because the evaluator plugin ',
            h('code', { text: text(note.plugin) }),
            ` failed: ${note.fallback}`,
          )
        : h('p', {}, 'Judged by the evaluator plugin ', h('code', { text: text(note.plugin) }), '.'),
    );
  } else {
    out.push(h('p', { text: 'Judged by Burrow’s rules.' }));
  }
  const bad = parts.filter((p) => p.status !== 'OK').sort((a, b) => rank(b.status) - rank(a.status));
  let summary;
  switch (status.status) {
    case 'OK':
      summary = `OK: every partition (${count(parts.length)}) is keeping up.`;
      break;
    case 'WARN':
      summary = 'WARN: at least one partition’s lag is not decreasing.';
      break;
    case 'ERR':
      summary = 'ERR: at least one partition is stopped, stalled or rewound.';
      break;
    default:
      summary = `${text(status.status)}.`;
  }
  out.push(h('p', { class: `reason status-${severity(status.status)}`, id: 'reason', text: summary }));
  const full = parts.filter((p) => known(p.complete) && p.complete >= 1).length;
  if (parts.length > 0 && full < parts.length) {
    out.push(
      h('p', {
        class: 'hint',
        text: `${count(full)} of ${count(parts.length)} partitions have a full window; the rules judge the others on the commits stored so far.`,
      }),
    );
  }
  if (bad.length > 0) {
    const shown = bad.slice(0, 20);
    out.push(
      h(
        'ul',
        { class: 'reasons' },
        shown.map((p) =>
          h(
            'li',
            {},
            badge(p.status),
            ` ${p.topic}:${p.partition}: ${RULES[p.status] ?? 'see Burrow’s rules'}`,
            detail(p),
          ),
        ),
        bad.length > shown.length ? h('li', { text: `and ${bad.length - shown.length} more` }) : null,
      ),
    );
  }
  return out;
}

function detail(p) {
  const start = p.start;
  const end = p.end;
  switch (p.status) {
    case 'STOP':
      return end ? ` (last commit ${ago(end.timestamp)}, lag ${count(p.current_lag)})` : '';
    case 'STALL':
      return end ? ` (offset ${count(end.offset)}, lag ${count(p.current_lag)})` : '';
    case 'WARN':
      return start && end ? ` (lag ${count(start.lag)} → ${count(end.lag)})` : '';
    case 'REWIND':
      return start && end ? ` (window ${count(start.offset)} → ${count(end.offset)})` : '';
    default:
      return '';
  }
}

/** The chart: one line per partition, x = commit time, y = lag at that commit. */
class LagChart {
  constructor(box, note) {
    this.box = box;
    this.note = note;
    this.plot = null;
    this.labels = '';
    this.onResize = () => this.plot?.setSize(this.size());
    window.addEventListener('resize', this.onResize);
  }

  size() {
    return { width: Math.max(320, this.box.clientWidth || 800), height: 280 };
  }

  draw(windows, parts) {
    const series = [];
    for (const [topic, list] of Object.entries(windows ?? {})) {
      if (!Array.isArray(list)) continue;
      list.forEach((p, partition) => {
        const points = (Array.isArray(p?.offsets) ? p.offsets : [])
          .filter((c) => c && known(c.timestamp))
          .map((c) => [c.timestamp, known(c.lag) ? c.lag : null]);
        if (points.length > 0) {
          series.push({ label: `${topic}:${partition}`, lag: p['current-lag'] ?? 0, points });
        }
      });
    }
    const total = series.length;
    series.sort((a, b) => b.lag - a.lag || a.label.localeCompare(b.label, 'en', { numeric: true }));
    const drawn = series.slice(0, MAX_SERIES).sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }));
    if (drawn.length === 0) {
      this.destroy();
      this.box.replaceChildren(h('p', { class: 'hint', text: 'No commit stored yet.' }));
      this.note.textContent = '';
      return;
    }
    // uPlot wants one shared x array: every commit time of every drawn partition, with a gap
    // (null) where a partition has no commit at that time.
    const xs = [...new Set(drawn.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
    const index = new Map(xs.map((t, i) => [t, i]));
    const data = [xs.map((t) => t / 1000)];
    for (const s of drawn) {
      const ys = new Array(xs.length).fill(null);
      for (const [t, lag] of s.points) ys[index.get(t)] = lag;
      data.push(ys);
    }
    const labels = drawn.map((s) => s.label).join('\u0000');
    if (this.plot && labels === this.labels) {
      this.plot.setData(data);
    } else {
      this.destroy();
      this.box.replaceChildren();
      this.labels = labels;
      this.plot = new uPlot(options(drawn, this.size()), data, this.box);
    }
    const statuses = new Map(parts.map((p) => [`${p.topic}:${p.partition}`, p.status]));
    const worst = drawn.filter((s) => statuses.get(s.label) && statuses.get(s.label) !== 'OK').length;
    this.note.textContent =
      (total > drawn.length ? `Showing the ${drawn.length} partitions with the most lag of ${total}. ` : '') +
      `Each point is a stored commit: when it was made and how far behind it was. ` +
      (worst ? `${worst} drawn partition${worst === 1 ? ' is' : 's are'} not OK.` : '');
  }

  destroy() {
    if (this.plot) {
      this.plot.destroy();
      this.plot = null;
      this.labels = '';
    }
  }
}

function options(drawn, size) {
  const fg = getComputedStyle(document.body).color || '#333';
  return {
    ...size,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(10, max * 1.1)] } },
    series: [
      { label: 'time', value: (u, v) => (v == null ? '—' : when(v * 1000)) },
      ...drawn.map((s, i) => ({
        label: s.label,
        stroke: colour(i, drawn.length),
        width: 2,
        spanGaps: true,
        points: { show: true, size: 6 },
        value: (u, v) => (v == null ? '—' : count(v)),
      })),
    ],
    axes: [
      { stroke: fg, grid: { stroke: 'rgba(128,128,128,0.2)' } },
      {
        label: 'lag (messages)',
        stroke: fg,
        grid: { stroke: 'rgba(128,128,128,0.2)' },
        size: 60,
        values: (u, vals) => vals.map(compact),
      },
    ],
    legend: { show: true, live: true },
  };
}

/** Distinct hues around the wheel, readable on light and dark backgrounds. */
function colour(i, n) {
  const hue = Math.round((i * 360) / Math.max(n, 1) + 210) % 360;
  return `hsl(${hue} 70% 45%)`;
}

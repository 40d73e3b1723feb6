// The JSON API the dashboard reads: Burrow's v3 routes, the admin routes and
// /v3/kafka/:cluster/consumer-status. Nothing else: the dashboard shows what the API serves.

const seg = encodeURIComponent;

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
    res = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(path, 0, `cannot reach Warren (${e.message})`);
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON: reported below by the status.
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

// Formatting of API values. Anything absent, null or not a finite number prints as "—":
// fields such as time lag are not always there (older daemons, partitions without commits),
// and the dashboard must never show NaN or "undefined".

export const DASH = '—';

/** True for a finite number (0 included). */
export function known(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

/** 12,345 */
export function count(v) {
  return known(v) ? Math.round(v).toLocaleString('en-US') : DASH;
}

/** 12.3k, 4.5M: for chart axes. */
export function compact(v) {
  if (!known(v)) return DASH;
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  return String(Math.round(v));
}

/** A duration in milliseconds: "850 ms", "42 s", "3 m 05 s", "2 h 10 m", "3 d 4 h". */
export function duration(ms) {
  if (!known(ms) || ms < 0) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(s % 60).padStart(2, '0')} s`;
  const hours = Math.floor(m / 60);
  if (hours < 24) return `${hours} h ${String(m % 60).padStart(2, '0')} m`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A partition's time lag with how it was estimated (`time_lag_estimate`). */
export function timeLag(ms, estimate) {
  if (estimate === 'caught_up') return known(ms) ? duration(ms) : '0 s';
  if (!known(ms)) return DASH;
  if (estimate === 'at_least') return `≥ ${duration(ms)}`;
  if (estimate === 'extrapolated') return `~${duration(ms)}`;
  return duration(ms);
}

/** What each estimate means, for a tooltip. */
export const ESTIMATES = {
  caught_up: 'caught up with the newest offset',
  interpolated: 'interpolated between two offset samples',
  extrapolated: 'extrapolated from the produce rate',
  at_least: 'at least this long: older than the offset history',
};

/** "12 s ago" for an epoch-milliseconds timestamp. */
export function ago(ms, now = Date.now()) {
  if (!known(ms) || ms <= 0) return DASH;
  const d = now - ms;
  return d < 1000 ? 'just now' : `${duration(d)} ago`;
}

/** A local date and time, for titles and tables. */
export function when(ms) {
  if (!known(ms) || ms <= 0) return DASH;
  return new Date(ms).toLocaleString('en-GB', { hour12: false });
}

/** 0.4 → "40%" */
export function percent(f) {
  return known(f) ? `${Math.round(f * 100)}%` : DASH;
}

/** A string as is, "—" when empty or absent. */
export function text(v) {
  return typeof v === 'string' && v !== '' ? v : known(v) ? String(v) : DASH;
}

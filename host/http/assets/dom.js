// DOM building without markup strings: every name shown (cluster, group, topic, owner, plugin,
// error text) comes from the network and is untrusted, so it only ever reaches the page as a
// text node or an attribute value, never through innerHTML.

/**
 * Creates an element. `attrs`: `class`, `text` (textContent), `on<event>` handlers, `dataset`
 * (an object), `hidden`/boolean attributes (true/false) and plain attributes (strings).
 * Children may be nodes, strings, numbers, arrays of those, or null/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** The dashboard's address of a cluster, or of one of its groups. */
export function href(cluster, group) {
  const base = `#/cluster/${encodeURIComponent(cluster)}`;
  return group === undefined ? base : `${base}/group/${encodeURIComponent(group)}`;
}

/** A status badge: the text says the status, the colour only repeats it. */
export function badge(status) {
  const s = typeof status === 'string' && status ? status : '—';
  return h('span', { class: `badge status-${severity(s)}`, text: s });
}

/** ok | warn | err | unknown, for colouring (STOP, STALL and REWIND count as ERR). */
export function severity(status) {
  switch (status) {
    case 'OK':
      return 'ok';
    case 'WARN':
      return 'warn';
    case 'ERR':
    case 'STOP':
    case 'STALL':
    case 'REWIND':
      return 'err';
    default:
      return 'unknown';
  }
}

/** Sort rank of a status: worst first when sorting descending. */
export function rank(status) {
  return { OK: 1, WARN: 2, STALL: 3, STOP: 3, REWIND: 3, ERR: 4 }[status] ?? 0;
}

/** A section with a heading; `id` names it for aria-labelledby. */
export function section(id, title, ...children) {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': `${id}-title`, id },
    h('h2', { id: `${id}-title`, text: title }),
    ...children,
  );
}

// A sortable table: the header cells are buttons (keyboard and screen-reader friendly, with
// aria-sort on the sorted column), rows are rebuilt from data on every refresh while the sort
// column and direction stay where the user put them.

import { h } from './dom.js';

/**
 * columns: [{ id, label, value(row) → sort key (number | string | null), cell(row) → Node |
 * string, numeric?, worstFirst?, title? }]. `key(row)` identifies a row (kept as data-key).
 * `sort` ({ column, descending }) is updated in place, so a caller that keeps the object keeps
 * the user's sort when it builds the table again.
 */
export class SortableTable {
  constructor({ id, caption, columns, key, sort, empty, rowAttrs }) {
    this.columns = columns;
    this.key = key;
    this.empty = empty ?? 'Nothing to show.';
    this.rowAttrs = rowAttrs ?? (() => ({}));
    this.sort = sort ?? { column: columns[0].id, descending: false };
    this.rows = [];
    this.headers = new Map();
    const headRow = h('tr');
    for (const c of columns) {
      const button = h('button', {
        type: 'button',
        class: 'sort',
        text: c.label,
        title: c.title,
        onclick: () => this.sortBy(c.id),
      });
      const th = h('th', { scope: 'col', class: c.numeric ? 'num' : null }, button);
      this.headers.set(c.id, th);
      headRow.append(th);
    }
    this.body = h('tbody');
    this.el = h(
      'table',
      { id, class: 'data' },
      caption ? h('caption', { class: 'sr-only', text: caption }) : null,
      h('thead', {}, headRow),
      this.body,
    );
    this.showSort();
  }

  sortBy(column) {
    if (this.sort.column === column) this.sort.descending = !this.sort.descending;
    else {
      // Numbers and statuses start with the biggest (the worst) first.
      const c = this.columns.find((x) => x.id === column);
      Object.assign(this.sort, { column, descending: Boolean(c?.numeric || c?.worstFirst) });
    }
    this.showSort();
    this.render();
  }

  showSort() {
    for (const [id, th] of this.headers) {
      if (id === this.sort.column) {
        th.setAttribute('aria-sort', this.sort.descending ? 'descending' : 'ascending');
      } else th.removeAttribute('aria-sort');
    }
  }

  /** Replaces the data (already filtered) and redraws. */
  setRows(rows) {
    this.rows = rows;
    this.render();
  }

  render() {
    const column = this.columns.find((c) => c.id === this.sort.column) ?? this.columns[0];
    const sign = this.sort.descending ? -1 : 1;
    const sorted = this.rows
      .map((row, i) => ({ row, i, v: column.value(row) }))
      .sort((a, b) => compare(a.v, b.v, sign) || a.i - b.i)
      .map((x) => x.row);
    if (sorted.length === 0) {
      this.body.replaceChildren(
        h('tr', {}, h('td', { colspan: this.columns.length, class: 'empty', text: this.empty })),
      );
      return;
    }
    this.body.replaceChildren(
      ...sorted.map((row) =>
        h(
          'tr',
          { dataset: { key: this.key(row) }, ...this.rowAttrs(row) },
          this.columns.map((c) => h('td', { class: c.numeric ? 'num' : c.className }, c.cell(row))),
        ),
      ),
    );
  }
}

/** Missing values (null, undefined, NaN) sort last in either direction. */
function compare(a, b, sign) {
  const missingA = a === null || a === undefined || Number.isNaN(a);
  const missingB = b === null || b === undefined || Number.isNaN(b);
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * sign;
  return String(a).localeCompare(String(b), 'en', { numeric: true }) * sign;
}

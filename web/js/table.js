// A keyed, sortable table that updates in place. Rows are created once per
// key and then only the cells whose text changed are written, so a table of
// 1,000 hosts refreshed every second costs a few hundred text writes, not a
// rebuild. Sorting moves only the rows that are out of place.
//
// column = {
//   id, label, numeric?, title?, sortable? (default true), width?,
//   sortValue(rec)            -> number | string | null (nulls sort last)
//   text(rec)                 -> string, for plain cells
//   create(td) -> state       optional, for cells with their own structure
//   update(td, rec, state)    optional, paired with create
// }

import { h, setText, setAttr } from './dom.js';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export class DataTable {
  constructor(table, { columns, key, sort, onActivate, decorateRow, label }) {
    this.table = table;
    this.tbody = table.tBodies[0] || table.appendChild(document.createElement('tbody'));
    this.columns = columns;
    this.key = key;
    this.sort = sort || { col: columns[0].id, dir: 'asc' };
    this.onActivate = onActivate;
    this.decorateRow = decorateRow;
    this.label = label || (k => k);
    this.rows = new Map();   // key -> {tr, cells, states, cache, rec}
    this.order = [];         // keys in the order they stand in the DOM
    this.records = [];
    this.onRowAdded = null;
    this.onRowRemoved = null;
    this.buildHead();
    this.tbody.addEventListener('click', e => this.onClick(e));
    this.tbody.addEventListener('keydown', e => this.onKey(e));
  }

  buildHead() {
    const headRow = this.table.tHead.rows[0];
    headRow.replaceChildren();
    this.headCells = new Map();
    for (const col of this.columns) {
      const th = h('th', { scope: 'col', class: col.numeric ? 'num' : null, style: col.width ? `width:${col.width}` : null });
      if (col.sortable === false) {
        th.append(h('span', { title: col.title }, col.label));
      } else {
        const btn = h('button', { type: 'button', class: 'sort', title: col.title ? `${col.title}. Sort` : `Sort by ${col.label}` },
          h('span', {}, col.label), h('span', { class: 'sort-arrow', 'aria-hidden': 'true' }));
        btn.addEventListener('click', () => this.sortBy(col.id));
        th.append(btn);
      }
      this.headCells.set(col.id, th);
      headRow.append(th);
    }
    this.markSort();
  }

  sortBy(colId) {
    const col = this.columns.find(c => c.id === colId);
    if (!col) return;
    if (this.sort.col === colId) this.sort = { col: colId, dir: this.sort.dir === 'asc' ? 'desc' : 'asc' };
    else this.sort = { col: colId, dir: col.numeric ? 'desc' : 'asc' };
    this.markSort();
    this.render();
    this.onSort?.(this.sort);
  }

  markSort() {
    for (const [id, th] of this.headCells) {
      const on = id === this.sort.col;
      setAttr(th, 'aria-sort', on ? (this.sort.dir === 'asc' ? 'ascending' : 'descending') : null);
      const arrow = th.querySelector('.sort-arrow');
      if (arrow) arrow.textContent = on ? (this.sort.dir === 'asc' ? '▲' : '▼') : '';
    }
  }

  // The records to show; takes effect at the next render().
  setRecords(records) {
    this.records = records;
  }

  sorted() {
    const col = this.columns.find(c => c.id === this.sort.col) || this.columns[0];
    const sign = this.sort.dir === 'asc' ? 1 : -1;
    const keyed = this.records.map(rec => ({ rec, k: this.key(rec), v: col.sortValue ? col.sortValue(rec) : col.text(rec) }));
    keyed.sort((a, b) => {
      const an = a.v == null || Number.isNaN(a.v), bn = b.v == null || Number.isNaN(b.v);
      if (an || bn) return an === bn ? collator.compare(a.k, b.k) : an ? 1 : -1;
      let c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : collator.compare(String(a.v), String(b.v));
      if (c === 0) return collator.compare(a.k, b.k);
      return c * sign;
    });
    return keyed;
  }

  render() {
    const keyed = this.sorted();
    const seen = new Set();
    for (const { rec, k } of keyed) {
      seen.add(k);
      let row = this.rows.get(k);
      if (!row) row = this.createRow(k);
      row.rec = rec;
      this.updateRow(row, rec);
    }
    for (const [k, row] of this.rows) {
      if (!seen.has(k)) {
        row.tr.remove();
        this.rows.delete(k);
        this.onRowRemoved?.(k, row);
      }
    }
    this.reorder(keyed.map(x => x.k));
  }

  createRow(k) {
    const tr = h('tr', { tabindex: this.onActivate ? '0' : null, dataset: { key: k } });
    const row = { tr, key: k, cells: [], states: [], cache: [] };
    for (const col of this.columns) {
      const td = h('td', { class: col.numeric ? 'num' : null, dataset: { col: col.id } });
      row.cells.push(td);
      row.states.push(col.create ? col.create(td, row) : null);
      row.cache.push(undefined);
      tr.append(td);
    }
    this.rows.set(k, row);
    this.onRowAdded?.(k, row);
    return row;
  }

  updateRow(row, rec) {
    for (let i = 0; i < this.columns.length; i++) {
      const col = this.columns[i];
      if (col.update) {
        col.update(row.cells[i], rec, row.states[i], row);
      } else {
        const t = col.text(rec);
        if (row.cache[i] !== t) {
          row.cache[i] = t;
          row.cells[i].textContent = t;
        }
      }
    }
    setAttr(row.tr, 'aria-label', this.label(rec));
    this.decorateRow?.(row.tr, rec, row);
  }

  // Moves only rows that are not already where they belong, and gives focus
  // back to a focused row that had to move (a detached node loses focus).
  reorder(keys) {
    const same = keys.length === this.order.length && keys.every((k, i) => k === this.order[i]);
    if (same && this.tbody.childElementCount === keys.length) return;
    const active = document.activeElement;
    const hadFocus = active && this.tbody.contains(active) ? active : null;
    let cursor = this.tbody.firstElementChild;
    for (const k of keys) {
      const tr = this.rows.get(k).tr;
      if (tr === cursor) {
        cursor = cursor.nextElementSibling;
      } else if (this.tbody.moveBefore && tr.isConnected) {
        this.tbody.moveBefore(tr, cursor);
      } else {
        this.tbody.insertBefore(tr, cursor);
      }
    }
    this.order = keys;
    if (hadFocus && document.activeElement !== hadFocus && hadFocus.isConnected) hadFocus.focus({ preventScroll: true });
  }

  rowFor(k) {
    return this.rows.get(k)?.tr || null;
  }

  onClick(e) {
    if (e.target.closest('a, button, input')) return;
    const tr = e.target.closest('tr[data-key]');
    if (tr && this.onActivate) this.onActivate(tr.dataset.key, e);
  }

  onKey(e) {
    const tr = e.target.closest('tr[data-key]');
    if (!tr || e.target !== tr) return;
    let next = null;
    switch (e.key) {
      case 'Enter':
      case ' ':
        if (this.onActivate) { e.preventDefault(); this.onActivate(tr.dataset.key, e); }
        return;
      case 'ArrowDown': next = tr.nextElementSibling; break;
      case 'ArrowUp': next = tr.previousElementSibling; break;
      case 'Home': next = this.tbody.firstElementChild; break;
      case 'End': next = this.tbody.lastElementChild; break;
      default: return;
    }
    e.preventDefault();
    if (next) next.focus();
  }
}

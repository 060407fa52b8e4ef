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
  // rowHeight: every row is this many CSS pixels high, so which rows are on
  // screen follows from the scroll position alone; rows far off screen are
  // not written until they scroll near the viewport. With 1,000 rows most
  // updates then cost nothing.
  constructor(table, { columns, key, sort, onActivate, decorateRow, label, rowHeight = 0 }) {
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
    this.rowHeight = rowHeight;
    if (rowHeight) {
      // Rows scrolled into view get their pending writes on the next frame.
      let pending = false;
      window.addEventListener('scroll', () => {
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => { pending = false; this.updateWindow(); });
      }, { passive: true });
    }
    // Explicit roles: CSS may lay these tables out as grids, which would
    // otherwise drop their table semantics in some browsers.
    table.setAttribute('role', 'table');
    for (const part of [table.tHead, this.tbody]) part?.setAttribute('role', 'rowgroup');
    table.tHead?.rows[0]?.setAttribute('role', 'row');
    this.buildHead();
    this.tbody.addEventListener('click', e => this.onClick(e));
    // While the pointer rests on the rows, their order holds still, so the
    // row under it does not slide away just before a click. Values still
    // update; the order catches up when the pointer leaves. Likewise while a
    // row has keyboard focus, so arrow keys walk a list that stays put.
    this.holdOrder = false;
    const hold = () => {
      this.holdOrder = this.tbody.matches(':hover') || this.tbody.contains(document.activeElement);
    };
    this.tbody.addEventListener('pointerenter', () => { this.holdOrder = true; });
    this.tbody.addEventListener('pointerleave', () => { hold(); if (!this.holdOrder) this.render(); });
    this.tbody.addEventListener('focusin', () => { this.holdOrder = true; });
    this.tbody.addEventListener('focusout', () => setTimeout(() => { hold(); if (!this.holdOrder) this.render(); }));
    this.tbody.addEventListener('keydown', e => this.onKey(e));
  }

  buildHead() {
    const headRow = this.table.tHead.rows[0];
    headRow.replaceChildren();
    this.headCells = new Map();
    for (const col of this.columns) {
      const th = h('th', { scope: 'col', role: 'columnheader', class: col.numeric ? 'num' : null, dataset: { col: col.id }, style: col.width ? `width:${col.width}` : null });
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
    this.render({ force: true });
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

  render({ force = false } = {}) {
    const keyed = this.sorted();
    const seen = new Set();
    for (const { rec, k } of keyed) {
      seen.add(k);
      let row = this.rows.get(k);
      const fresh = !row;
      if (fresh) row = this.createRow(k);
      row.rec = rec;
      row.dirty = true;
      if (fresh) this.updateRow(row, rec);
    }
    for (const [k, row] of this.rows) {
      if (!seen.has(k)) {
        row.tr.remove();
        this.rows.delete(k);
        this.onRowRemoved?.(k, row);
      }
    }
    let keys = keyed.map(x => x.k);
    if (this.holdOrder && !force) {
      // Rows already shown keep their places; new ones go at the end.
      const known = new Set(this.order);
      keys = [...this.order.filter(k => seen.has(k)), ...keys.filter(k => !known.has(k))];
    }
    this.reorder(keys);
    this.table.classList.toggle('is-empty', keys.length === 0);
    this.updateWindow();
  }

  // Writes the dirty rows on or near the screen (all of them without rowHeight).
  updateWindow() {
    let first = 0, last = this.order.length - 1;
    if (this.rowHeight) {
      const top = this.tbody.getBoundingClientRect().top;
      const margin = 10 * this.rowHeight;
      first = Math.max(0, Math.floor((-top - margin) / this.rowHeight));
      last = Math.min(this.order.length - 1, Math.ceil((window.innerHeight - top + margin) / this.rowHeight));
    }
    for (let i = 0; i < this.order.length; i++) {
      const row = this.rows.get(this.order[i]);
      row.visible = i >= first && i <= last;
      if (row.visible && row.dirty) this.updateRow(row, row.rec);
    }
    this.onRowsShown?.();
  }

  createRow(k) {
    const tr = h('tr', { role: 'row', tabindex: this.onActivate ? '0' : null, dataset: { key: k } });
    const row = { tr, key: k, cells: [], states: [], cache: [], visible: false, dirty: false };
    for (const col of this.columns) {
      const td = h('td', { role: 'cell', class: col.numeric ? 'num' : null, dataset: { col: col.id } });
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
    row.dirty = false;
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

  // Moves as few rows as possible: the rows whose current positions form
  // the longest increasing run in the new order stay, the rest are moved.
  // Sorted by CPU, most of 1,000 rows only swap with a neighbour each second;
  // a naive pass would move nearly all of them. A focused row that had to
  // move gets its focus back (a detached node loses focus).
  reorder(keys) {
    const same = keys.length === this.order.length && keys.every((k, i) => k === this.order[i]);
    if (same && this.tbody.childElementCount === keys.length) return;
    const active = document.activeElement;
    const hadFocus = active && this.tbody.contains(active) ? active : null;
    const pos = new Map();
    let i = 0;
    for (const tr of this.tbody.children) pos.set(tr, i++);
    const trs = keys.map(k => this.rows.get(k).tr);
    const stay = longestIncreasing(trs.map(tr => pos.get(tr) ?? -1));
    let anchor = null;
    for (let j = trs.length - 1; j >= 0; j--) {
      const tr = trs[j];
      if (!stay.has(j)) {
        if (this.tbody.moveBefore && tr.parentNode === this.tbody) this.tbody.moveBefore(tr, anchor);
        else this.tbody.insertBefore(tr, anchor);
      }
      anchor = tr;
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

// Indexes j of the longest strictly increasing subsequence of seq (entries
// of -1, rows not yet in the DOM, never belong to it). O(n log n).
function longestIncreasing(seq) {
  const tails = [];   // tails[len-1] = index j ending the best run of that length
  const prev = new Array(seq.length).fill(-1);
  for (let j = 0; j < seq.length; j++) {
    const v = seq[j];
    if (v < 0) continue;
    let lo = 0, hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]] < v) lo = mid + 1; else hi = mid;
    }
    if (lo > 0) prev[j] = tails[lo - 1];
    tails[lo] = j;
  }
  const out = new Set();
  for (let j = tails.length ? tails[tails.length - 1] : -1; j >= 0; j = prev[j]) out.add(j);
  return out;
}

// A table whose headers sort (by the API's sort keys or locally) and a pager.

import { h } from './format.js';

// columns: [{ label, sort?: key, num?: bool, cell: (row) => Node|string }]
// state: { sort, order } (mutated on header clicks); onChange() re-fetches.
export function sortableTable(columns, state, onChange, rowAttrs = () => ({})) {
  const heads = columns.map((c) => {
    const th = h('th', { class: [c.num ? 'num' : '', c.sort ? 'sortable' : ''].join(' ').trim(), scope: 'col' }, c.label);
    if (c.sort) {
      th.dataset.sort = c.sort;
      th.addEventListener('click', () => {
        if (state.sort === c.sort) state.order = state.order === 'desc' ? 'asc' : 'desc';
        else { state.sort = c.sort; state.order = c.firstOrder ?? 'desc'; }
        state.page = 1;
        mark();
        onChange();
      });
    }
    return th;
  });
  const tbody = h('tbody');
  const table = h('table', {}, h('thead', {}, h('tr', {}, heads)), tbody);
  function mark() {
    heads.forEach((th, i) => {
      if (columns[i].sort && columns[i].sort === state.sort) {
        th.setAttribute('aria-sort', state.order === 'asc' ? 'ascending' : 'descending');
      } else th.removeAttribute('aria-sort');
    });
  }
  mark();
  function render(rows) {
    const trs = rows.map((r) => h('tr', rowAttrs(r), columns.map((c) => h('td', { class: c.num ? 'num' : c.wrap ? 'wrap' : '' }, c.cell(r)))));
    if (trs.length === 0) trs.push(h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, 'nothing to show')));
    tbody.replaceChildren(...trs);
  }
  return { table, render };
}

// Sorts rows locally for views whose API has no sort parameter.
export function sortLocal(rows, key, order) {
  const dir = order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
}

export function pager(state, onChange) {
  const info = h('span');
  const prev = h('button', { type: 'button' }, '‹ Prev');
  const next = h('button', { type: 'button' }, 'Next ›');
  prev.addEventListener('click', () => { if (state.page > 1) { state.page--; onChange(); } });
  next.addEventListener('click', () => { if (state.page < state.pages) { state.page++; onChange(); } });
  const el = h('div', { class: 'pager' }, prev, info, next);
  function update(total, perPage) {
    state.pages = Math.max(1, Math.ceil(total / perPage));
    if (state.page > state.pages) state.page = state.pages;
    info.textContent = `page ${state.page} of ${state.pages} (${total.toLocaleString('en')} in all)`;
    prev.disabled = state.page <= 1;
    next.disabled = state.page >= state.pages;
  }
  return { el, update };
}

// A search box that calls onInput after typing pauses.
export function filterBox(placeholder, state, onChange) {
  const input = h('input', { type: 'search', placeholder, value: state.q ?? '' });
  let timer = null;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = input.value.trim(); state.page = 1; onChange(); }, 250);
  });
  return input;
}

// Element building without innerHTML: every value from the API goes in as text, never as markup.

/** h('a', {href: '#/x', class: 'y'}, 'text', child, [children]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

let ids = 0;
/** A labelled form control: returns [label, control] wired by id. */
export function field(labelText, control) {
  if (!control.id) control.id = 'f' + (++ids);
  return h('div', {class: 'field'}, h('label', {for: control.id}, labelText), control);
}

export function select(name, options, current) {
  return h('select', {name}, options.map(([value, text]) =>
    h('option', {value, selected: String(current ?? '') === String(value)}, text)));
}

/** A data table with a caption and column headers; rows are arrays of cells (text or nodes). */
export function table(caption, columns, rows, attrs) {
  return h('table', attrs || {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map(c => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, rows.length
      ? rows.map(r => h('tr', r.attrs || {}, (r.cells || r).map(c => h('td', {}, c))))
      : h('tr', {}, h('td', {colspan: columns.length, class: 'empty'}, 'Nothing matches.'))));
}

/** A horizontal bar for used/total, with its numbers as text for everyone. */
export function bar(used, total, unit) {
  const pct = total > 0 ? Math.min(100, Math.round(100 * used / total)) : 0;
  const fill = h('span', {class: 'fill' + (pct >= 90 ? ' hot' : '')});
  fill.style.width = pct + '%'; // CSSOM, allowed by the CSP (no inline style attribute)
  return h('span', {class: 'barwrap'},
    h('span', {class: 'bar', role: 'img', 'aria-label': `${pct}% allocated`}, fill),
    h('span', {class: 'barlabel'}, `${num(used)} / ${num(total)} ${unit} (${num(total - used)} free)`));
}

export function num(v, digits = 0) {
  if (v === null || v === undefined) return '–';
  return Number(v).toLocaleString('en-US', {maximumFractionDigits: digits});
}

export function pct(v) {
  return v === null || v === undefined ? '–' : Number(v).toFixed(1) + ' %';
}

export function bytesPerSecond(v) {
  if (v === null || v === undefined) return '–';
  const units = ['B/s', 'kB/s', 'MB/s', 'GB/s'];
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return v.toFixed(i ? 1 : 0) + ' ' + units[i];
}

export function time(ts) {
  if (!ts) return '–';
  const d = new Date(ts);
  return h('time', {datetime: d.toISOString()}, d.toISOString().replace('T', ' ').slice(0, 19) + 'Z');
}

/** The parts every view shares: a title, an optional form, a results area and an error line. */
export function frame(ctx, title, ...top) {
  const results = h('div', {class: 'results'});
  const error = h('p', {class: 'error', role: 'alert'});
  ctx.el.append(h('h1', {id: 'view-title'}, title), ...top, error, results);
  return {
    results,
    show(...nodes) { error.textContent = ''; results.replaceChildren(...nodes); },
    fail(e) { error.textContent = e.status === 0 ? '' : 'Error: ' + e.message + (e.code ? ' (' + e.code + ')' : ''); },
  };
}

/** A form whose submit navigates to the same view with its fields as parameters. */
export function filterForm(ctx, view, label, controls, extra) {
  const form = h('form', {class: 'filters', 'aria-label': label}, controls, h('button', {type: 'submit'}, 'Apply'));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    const params = {};
    for (const [k, v] of new FormData(form)) {
      if (v === '') continue;
      (params[k] ||= []).push(v);
    }
    Object.assign(params, extra ? extra(params) : {});
    ctx.go(view, params);
  });
  return form;
}

/** Next/first page links for a cursor-paged list; Back in the browser returns to earlier pages. */
export function pager(ctx, view, body, label) {
  const here = Object.fromEntries([...new Set(ctx.params.keys())].map(k => [k, ctx.params.getAll(k)]));
  const first = {...here};
  delete first.cursor;
  const shown = body.items.length;
  return h('nav', {class: 'pager', 'aria-label': label + ' pages'},
    // An estimated total (planner statistics) can lag a small, fresh table: then only the page's count.
    h('span', {}, body.total_is_estimate && body.total < shown ? `${shown} shown`
      : `${shown} shown of ${body.total_is_estimate ? 'about ' : ''}${num(body.total)}`),
    ctx.params.get('cursor') ? h('button', {type: 'button', onclick: () => ctx.go(view, first)}, 'First page') : null,
    body.next_cursor ? h('button', {type: 'button', class: 'next', onclick: () => ctx.go(view, {...here, cursor: body.next_cursor})}, 'Next page') : null);
}

// Small DOM helpers shared by every page. Nothing here uses innerHTML: every text goes in as text,
// and no element gets a style attribute (the page's CSP has no 'unsafe-inline' for styles).

/** h('button', {id: 'x', class: 'primary', onclick: fn, 'data-testid': 'x'}, 'text', child, ...) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'style') throw new Error('no style attributes: the CSP forbids them; use a class or el.style');
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = value;
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'for' || key.startsWith('data-') || key.startsWith('aria-') || key === 'role') el.setAttribute(key, value);
      else if (value === true) el.setAttribute(key, '');
      else if (key in el && typeof el[key] !== 'object') el[key] = value;
      else el.setAttribute(key, value);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Writes only when the text changed: polls update hundreds of cells, most of them unchanged. */
export function setText(el, text) {
  const t = text === null || text === undefined ? '' : String(text);
  if (el.textContent !== t) el.textContent = t;
}

export function setClass(el, className) {
  if (el.className !== className) el.className = className;
}

export function setAttr(el, name, value) {
  const v = String(value);
  if (el.getAttribute(name) !== v) el.setAttribute(name, v);
}

/** A table in its own horizontally scrolling, keyboard-focusable region (so narrow screens scroll it, not the page). */
export function tableWrap(label, table) {
  // Its label differs from the section heading's, which axe wants of two landmarks.
  return h('div', {class: 'table-wrap', role: 'region', 'aria-label': `${label} (table)`, tabindex: '0'}, table);
}

/**
 * A table with column headers; rows are added by the caller into the returned tbody.
 * columns: strings, or {label, class}.
 */
export function table({id, testid, caption, columns, className}) {
  const tbody = h('tbody');
  const t = h('table', {id, 'data-testid': testid, class: className},
    caption ? h('caption', {text: caption}) : null,
    h('thead', null, h('tr', null, columns.map(c => typeof c === 'string'
      ? h('th', {scope: 'col', text: c})
      : h('th', {scope: 'col', class: c.class, text: c.label})))),
    tbody);
  return {table: t, tbody, wrap: tableWrap(caption || id || 'table', t)};
}

/** A row: first cell a row header, the rest data cells; a cell may be a node, text or {text, class}. */
export function row(cells, props) {
  return h('tr', props, cells.map((c, i) => cell(i === 0 ? 'th' : 'td', c, i === 0 ? {scope: 'row'} : null)));
}

function cell(tag, c, props) {
  if (c instanceof Node) return h(tag, props, c);
  if (c && typeof c === 'object' && !Array.isArray(c)) return h(tag, {...props, class: c.class, 'data-testid': c.testid}, c.node ?? c.text);
  return h(tag, props, c);
}

/**
 * Keeps a tbody's rows keyed (agents, coordinators, observers): rows of keys still present are updated
 * in place, new ones appended, gone ones removed. cells(item) returns one value per column.
 */
export function keyedRows(tbody, items, key, cells, rowProps) {
  const old = new Map();
  for (const tr of tbody.rows) old.set(tr.dataset.key, tr);
  let at = 0;
  for (const item of items) {
    const k = String(key(item));
    const values = cells(item);
    let tr = old.get(k);
    if (!tr) {
      tr = row(values.map(() => ''), rowProps ? rowProps(item) : null);
      tr.dataset.key = k;
    }
    old.delete(k);
    values.forEach((v, i) => {
      const c = tr.cells[i];
      if (v && typeof v === 'object' && !(v instanceof Node)) {
        setText(c, v.text);
        setClass(c, v.class || '');
      } else setText(c, v);
    });
    if (tbody.rows[at] !== tr) tbody.insertBefore(tr, tbody.rows[at] || null);
    at++;
  }
  for (const tr of old.values()) tr.remove();
}

let ids = 0;
export function uid(prefix) {
  return `${prefix}-${++ids}`;
}

/** A labelled form field: <div><label for>...</label><input|select|textarea></div>. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('field');
  const hintEl = hint ? h('p', {class: 'hint', id: control.id + '-hint', text: hint}) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', {class: 'field'}, h('label', {for: control.id, text: label}), control, hintEl);
}

export function select(props, options, selected) {
  const el = h('select', props);
  setOptions(el, options, selected);
  return el;
}

/** Replaces a select's options ([value, label] or value); selects `selected`, else the first. */
export function setOptions(el, options, selected) {
  el.replaceChildren(...options.map(o => {
    const [value, label] = Array.isArray(o) ? o : [o, o];
    return h('option', {value, text: label});
  }));
  if (selected !== undefined && options.some(o => (Array.isArray(o) ? o[0] : o) === selected)) el.value = selected;
  else el.selectedIndex = options.length ? 0 : -1;
}

/** Replaces an element's children, skipping null/false (replaceChildren would write "null"). */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The API's error (code, message, problems, leader) for people; role=alert so it is announced. */
export function errorBox(err, testid = 'error') {
  const body = err && err.body ? err.body : {};
  const message = err && err.message ? err.message : String(err);
  return h('div', {class: 'alert error', role: 'alert', 'data-testid': testid, 'data-code': body.code || ''},
    h('p', null, message),
    body.leader ? h('p', null, 'The leading coordinator is ', h('code', {text: body.leader}), ': ask it instead.') : null,
    body.catchingUp ? h('p', {text: 'Only candidates still catching up: the same request may succeed in a few seconds.'}) : null,
    Array.isArray(body.problems) && body.problems.length
      ? h('ul', {class: 'problems'}, body.problems.map(p => h('li', {text: p}))) : null,
    body.retryAfterSeconds ? h('p', {text: `Try again in ${body.retryAfterSeconds} s.`}) : null);
}

/** Shows an error in a slot (replacing what was there), or clears the slot with null. */
export function showError(slot, err, testid) {
  slot.replaceChildren(err ? errorBox(err, testid) : '');
}

export function badge(text, kind) {
  return h('span', {class: `badge badge-${String(kind || text).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, text});
}

/** Sets a badge's text and colour class in place. */
export function setBadge(el, text, kind) {
  setText(el, text);
  setClass(el, `badge badge-${String(kind || text).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
}

/** The page's one h1; focused after navigation so screen readers announce the new page. */
export function heading(text, testid = 'page-title') {
  return h('h1', {tabindex: '-1', id: 'page-title', 'data-testid': testid, text});
}

export function section(title, id, ...children) {
  const hid = id + '-heading';
  return h('section', {id, 'aria-labelledby': hid}, h('h2', {id: hid, text: title}), children);
}

export function link(href, text, props) {
  return h('a', {href, ...props}, text);
}

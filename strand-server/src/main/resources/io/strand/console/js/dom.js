// Small DOM helpers: elements are built with h(), never from HTML strings, so that topic names,
// keys and values from the cluster are always text.

/** An element: h('a', {href: '#/', class: 'x', onclick: fn}, 'text', child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'value') {
      el.value = value;
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table: columns [{label, num?}], rows of cells (nodes or text); empty text when no rows. */
export function table(columns, rows, emptyText = 'Nothing here yet.', attrs = {}) {
  if (rows.length === 0) return h('div', {class: 'empty'}, emptyText);
  return h('table', attrs,
    h('thead', {}, h('tr', {}, columns.map(c => h('th', {class: c.num ? 'num' : null}, c.label)))),
    h('tbody', {}, rows.map(row => h('tr', row.attrs || {},
      (row.cells || row).map((cell, i) => h('td', {class: columns[i]?.num ? 'num' : null}, cell))))));
}

let toastTimer;
/** Shows a short message at the bottom right; bad = an error. */
export function toast(message, bad = false) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = bad ? 'bad' : '';
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, bad ? 8000 : 4000);
}

/**
 * Asks to confirm a destructive action: resolves true only when the user types `expected` and
 * presses the button.
 */
export function confirmTyped(title, text, expected, action = 'Delete') {
  return new Promise(resolve => {
    const input = h('input', {name: 'confirm', autocomplete: 'off', placeholder: expected, 'aria-label': 'Type to confirm'});
    const ok = h('button', {class: 'danger primary', type: 'submit', disabled: true, 'data-testid': 'confirm'}, action);
    input.addEventListener('input', () => { ok.disabled = input.value !== expected; });
    const dialog = h('dialog', {},
      h('form', {method: 'dialog', class: 'stack'},
        h('h2', {}, title),
        h('p', {}, text),
        h('label', {}, h('span', {}, 'Type ', h('code', {}, expected), ' to confirm'), input),
        h('div', {class: 'row'}, h('span', {class: 'spacer'}),
          h('button', {type: 'button', onclick: () => dialog.close('cancel')}, 'Cancel'), ok)));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue !== 'cancel' && input.value === expected);
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}

/** Reads a form's named fields as an object of strings. */
export function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

/** fn over items with at most `limit` calls running at once; answers the results in order. */
export async function mapLimited(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker));
  return results;
}

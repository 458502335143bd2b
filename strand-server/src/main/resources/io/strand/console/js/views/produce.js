// Produce one record through the API: key and value as JSON, text or base64 bytes, headers as
// name=value lines; answers the partition and offset written, linked to the message browser.
import {h, replace, toast, formValues} from '../dom.js';
import * as api from '../api.js';

const TYPES = [['JSON', 'JSON'], ['STRING', 'Text'], ['BINARY', 'Bytes (base64)']];

export async function render(root, {query}) {
  const topics = (await api.topics()).filter(t => !t.internal);
  const chosen = query.get('topic') || topics[0]?.name || '';
  if (!chosen) {
    replace(root, h('h1', {}, 'Produce'), h('div', {class: 'panel empty'}, 'No topics yet. ', h('a', {href: '#/topics'}, 'Create one'), '.'));
    return;
  }
  const topicSelect = h('select', {name: 'topic', 'aria-label': 'Topic'},
    topics.map(t => h('option', {value: t.name, selected: t.name === chosen}, t.name)));
  const partitionSelect = h('select', {name: 'partition', 'aria-label': 'Partition'});
  const fillPartitions = async () => {
    const t = topics.find(x => x.name === topicSelect.value);
    replace(partitionSelect, h('option', {value: ''}, 'by key (default partitioner)'),
      Array.from({length: t?.partitions ?? 0}, (_, i) => h('option', {value: String(i)}, String(i))));
  };
  const typeSelect = (name, selected) => h('select', {name, 'aria-label': name},
    TYPES.map(([v, label]) => h('option', {value: v, selected: v === selected}, label)));
  const result = h('div', {'data-testid': 'produce-result'});
  const form = h('form', {class: 'stack', 'data-testid': 'produce-form'},
    h('div', {class: 'row'}, h('label', {}, 'Topic', topicSelect), h('label', {}, 'Partition', partitionSelect)),
    h('div', {class: 'row'},
      h('label', {style: 'flex:1'}, 'Key (empty: no key)', h('input', {name: 'key', placeholder: 'order-42', autocomplete: 'off'})),
      h('label', {}, 'Key as', typeSelect('keyType', 'STRING'))),
    h('div', {class: 'row'}, h('label', {style: 'flex:1'}, 'Value (empty: null)',
      h('textarea', {name: 'value', rows: 6, placeholder: '{"id": 42, "status": "paid"}'})),
    h('label', {}, 'Value as', typeSelect('valueType', 'JSON'))),
    h('label', {}, 'Headers (name=value, one a line)', h('textarea', {name: 'headers', rows: 2, placeholder: 'source=console', style: 'min-height:50px'})),
    h('div', {class: 'row'}, h('button', {class: 'primary', type: 'submit'}, 'Produce'), result));
  replace(root, h('h1', {}, 'Produce a message'), h('section', {class: 'panel'}, form));
  await fillPartitions();
  topicSelect.addEventListener('change', fillPartitions);

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const v = formValues(form);
    replace(result);
    let value;
    let key;
    let headers;
    try {
      value = v.value === '' ? null : data(v.value, v.valueType, 'value');
      key = v.key === '' ? null : data(v.key, v.keyType, 'key');
      headers = v.headers.split('\n').map(l => l.trim()).filter(Boolean).map(line => {
        const eq = line.indexOf('=');
        if (eq <= 0) throw new Error(`Header not name=value: ${line}`);
        return {name: line.slice(0, eq).trim(), value: line.slice(eq + 1)};
      });
    } catch (e) {
      replace(result, h('span', {class: 'error'}, e.message));
      return;
    }
    try {
      const written = await api.produce(v.topic, {partition: v.partition, key, value, headers});
      replace(result, h('span', {'data-testid': 'produced'}, `Written to partition ${written.partition} at offset ${written.offset}. `,
        h('a', {href: `#/messages?topic=${encodeURIComponent(v.topic)}&partition=${written.partition}&from=offset&offset=${written.offset}`}, 'See it')));
      toast(`Produced to ${v.topic}-${written.partition}@${written.offset}`);
    } catch (e) {
      replace(result, h('span', {class: 'error', 'data-testid': 'error'}, e.message));
    }
  });
}

/** The API's ProduceData for text typed as JSON, STRING or BINARY (base64). */
function data(text, type, what) {
  if (type === 'JSON') {
    try {
      return {type, data: JSON.parse(text)};
    } catch (e) {
      throw new Error(`The ${what} is not JSON (${e.message}); choose Text to send it as it is.`);
    }
  }
  if (type === 'BINARY') {
    const clean = text.replace(/\s+/g, '');
    try { atob(clean); } catch { throw new Error(`The ${what} is not base64.`); }
    return {type, data: clean};
  }
  return {type, data: text};
}

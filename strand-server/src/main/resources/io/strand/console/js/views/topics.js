// Topics: the list (filter, internal topics on demand) and the form that creates one.
import {h, replace, table, toast, formValues} from '../dom.js';
import * as api from '../api.js';
import * as fmt from '../format.js';
import {sampler} from '../metrics.js';

export async function render(root, {navigate}) {
  const listBox = h('div', {'data-testid': 'topic-list'});
  const filter = h('input', {type: 'search', placeholder: 'Filter topics', 'aria-label': 'Filter topics'});
  const showInternal = h('input', {type: 'checkbox'});
  const createError = h('p', {class: 'error'});
  const form = h('form', {class: 'inline', 'data-testid': 'create-topic'},
    h('label', {}, 'Name', h('input', {name: 'name', required: true, pattern: '[a-zA-Z0-9._\\-]+', maxlength: 249, size: 28})),
    h('label', {}, 'Partitions', h('input', {name: 'partitions', type: 'number', min: 1, value: '1', style: 'width:7em'})),
    h('label', {}, 'Replication factor', h('input', {name: 'replicationFactor', type: 'number', min: 1, placeholder: 'default', style: 'width:9em'})),
    h('label', {style: 'flex:1;min-width:240px'}, 'Configs (name=value, one a line)',
      h('textarea', {name: 'configs', rows: 1, placeholder: 'cleanup.policy=compact', style: 'min-height:34px'})),
    h('button', {class: 'primary', type: 'submit'}, 'Create topic'));
  replace(root,
    h('h1', {}, 'Topics'),
    h('section', {class: 'panel'}, h('h2', {}, 'Create a topic'), form, createError),
    h('section', {class: 'panel'},
      h('div', {class: 'row'}, filter, h('label', {class: 'check'}, showInternal, ' show internal topics')),
      listBox));

  let all = [];
  const draw = () => {
    const text = filter.value.trim().toLowerCase();
    const rates = sampler.latest()?.byTopic || new Map();
    const rows = all.filter(t => (showInternal.checked || !t.internal) && t.name.toLowerCase().includes(text))
      .map(t => ({attrs: {'data-topic': t.name}, cells: [
        h('a', {href: '#/topics/' + encodeURIComponent(t.name)}, t.name),
        t.internal ? h('span', {class: 'badge'}, 'internal') : '',
        fmt.count(t.partitions), fmt.count(t.replicationFactor), sampler.sizes.has(t.name) ? fmt.bytes(sampler.sizes.get(t.name)) : '–',
        fmt.byteRate(rates.get(t.name)?.bytesIn ?? 0), fmt.byteRate(rates.get(t.name)?.bytesOut ?? 0),
        h('span', {class: 'row'},
          h('a', {href: '#/messages?topic=' + encodeURIComponent(t.name)}, 'messages'),
          h('a', {href: '#/produce?topic=' + encodeURIComponent(t.name)}, 'produce')),
      ]}));
    replace(listBox, table([{label: 'Name'}, {label: ''}, {label: 'Partitions', num: true},
      {label: 'Replication', num: true}, {label: 'Size on this node', num: true}, {label: 'In', num: true}, {label: 'Out', num: true}, {label: ''}],
      rows, all.length ? 'No topic matches.' : 'No topics yet: create one above.'));
  };
  const load = async () => { all = await api.topics(); draw(); };
  filter.addEventListener('input', draw);
  showInternal.addEventListener('change', draw);

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const v = formValues(form);
    createError.textContent = '';
    const configs = [];
    for (const line of v.configs.split('\n').map(l => l.trim()).filter(Boolean)) {
      const eq = line.indexOf('=');
      if (eq <= 0) { createError.textContent = `Not name=value: ${line}`; return; }
      configs.push({name: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim()});
    }
    try {
      await api.createTopic(v.name.trim(), Number(v.partitions) || undefined, Number(v.replicationFactor) || undefined, configs);
      toast(`Topic ${v.name} created`);
      navigate('/topics/' + encodeURIComponent(v.name.trim()));
    } catch (e) {
      createError.textContent = e.message;
    }
  });

  await load();
  const timer = setInterval(() => load().catch(() => {}), 5000);
  return () => clearInterval(timer);
}

// One topic: its partitions (leader, replicas, ISR, offsets), its configs (set and reset), and
// deletion after typing its name.
import {h, replace, table, toast, confirmTyped} from '../dom.js';
import * as api from '../api.js';
import * as fmt from '../format.js';

export async function render(root, {params, navigate}) {
  const name = params[0];
  const summary = h('dl', {class: 'kv'});
  const partitionsBox = h('div', {'data-testid': 'partitions'});
  const configsBox = h('div', {'data-testid': 'configs'});
  const showDefaults = h('input', {type: 'checkbox'});
  const del = h('button', {class: 'danger', type: 'button', 'data-testid': 'delete-topic'}, 'Delete topic');
  replace(root,
    h('div', {class: 'row'}, h('h1', {}, h('a', {href: '#/topics'}, 'Topics'), ' / ', h('span', {'data-testid': 'topic-name'}, name)),
      h('span', {class: 'spacer'}),
      h('a', {href: '#/messages?topic=' + encodeURIComponent(name)}, 'Browse messages'),
      h('a', {href: '#/produce?topic=' + encodeURIComponent(name)}, 'Produce'), del),
    h('section', {class: 'panel'}, summary),
    h('section', {class: 'panel'}, h('h2', {}, 'Partitions'), partitionsBox),
    h('section', {class: 'panel'}, h('div', {class: 'row'}, h('h2', {}, 'Configs'), h('span', {class: 'spacer'}),
      h('label', {class: 'check'}, showDefaults, ' show defaults')), configsBox));

  const loadPartitions = async () => {
    const parts = await api.partitions(name);
    const isr = p => p.replicas.map(r => h('span', {class: 'badge ' + (p.isr.includes(r) ? 'ok' : 'bad'),
      title: p.isr.includes(r) ? 'in sync' : 'out of sync'}, String(r)));
    replace(partitionsBox, table([{label: 'Partition', num: true}, {label: 'Leader', num: true}, {label: 'Replicas (ISR green)'},
      {label: 'State'}, {label: 'Earliest offset', num: true}, {label: 'Latest offset', num: true}, {label: 'Records', num: true}, {label: ''}],
      parts.map(p => [String(p.partition), p.leader >= 0 ? String(p.leader) : 'none', h('span', {class: 'row'}, isr(p)),
        p.leader < 0 ? h('span', {class: 'badge bad'}, 'offline')
          : p.isr.length < p.replicas.length ? h('span', {class: 'badge warn'}, 'under-replicated') : h('span', {class: 'badge ok'}, 'ok'),
        fmt.count(p.earliest), fmt.count(p.latest), p.latest >= 0 && p.earliest >= 0 ? fmt.count(p.latest - p.earliest) : '–',
        h('a', {href: `#/messages?topic=${encodeURIComponent(name)}&partition=${p.partition}`}, 'messages')])));
    return parts;
  };

  const loadConfigs = async () => {
    const all = await api.configs(name);
    const shown = all.filter(c => showDefaults.checked || !c.isDefault);
    replace(configsBox, table([{label: 'Name'}, {label: 'Value'}, {label: 'Source'}, {label: ''}],
      shown.map(c => ({attrs: {'data-config': c.name}, cells: configRow(c)})),
      'Every config has its default value (tick "show defaults" to see them).'));
  };

  const configRow = c => {
    const input = h('input', {value: c.sensitive ? '' : (c.value ?? ''), placeholder: c.sensitive ? '(sensitive)' : '',
      disabled: c.readOnly, size: 24, 'aria-label': c.name});
    const save = h('button', {type: 'button', disabled: c.readOnly, onclick: async () => {
      try {
        await api.setConfig(name, c.name, input.value);
        toast(`${c.name} set to ${input.value}`);
        await loadConfigs();
      } catch (e) { toast(e.message, true); }
    }}, 'Set');
    const reset = c.isDefault || c.readOnly ? '' : h('button', {type: 'button', onclick: async () => {
      try {
        await api.resetConfig(name, c.name);
        toast(`${c.name} reset to its default`);
        await loadConfigs();
      } catch (e) { toast(e.message, true); }
    }}, 'Reset');
    return [h('code', {}, c.name), input, h('span', {class: 'muted'}, c.source ?? ''), h('span', {class: 'row'}, save, reset)];
  };

  const t = await api.topic(name);
  replace(summary,
    h('dt', {}, 'Partitions'), h('dd', {}, fmt.count(t.partitions)),
    h('dt', {}, 'Replication factor'), h('dd', {}, fmt.count(t.replicationFactor)),
    h('dt', {}, 'Topic id'), h('dd', {}, h('code', {}, t.id ?? '–')),
    h('dt', {}, 'Internal'), h('dd', {}, t.internal ? 'yes' : 'no'));
  showDefaults.addEventListener('change', () => loadConfigs().catch(e => toast(e.message, true)));
  del.addEventListener('click', async () => {
    if (!await confirmTyped(`Delete topic ${name}?`, 'Its records are deleted on every broker; this cannot be undone.', name)) return;
    try {
      await api.deleteTopic(name);
      toast(`Topic ${name} deleted`);
      navigate('/topics');
    } catch (e) { toast(e.message, true); }
  });
  await Promise.all([loadPartitions(), loadConfigs()]);
  const timer = setInterval(() => loadPartitions().catch(() => {}), 5000);
  return () => clearInterval(timer);
}

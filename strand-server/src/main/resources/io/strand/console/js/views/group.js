// One consumer group: members and their assignments, lag per partition now and as a chart over
// the time this page has been watching, and resetting the offsets of an empty group.
import {h, replace, table, toast, confirmTyped, formValues} from '../dom.js';
import * as api from '../api.js';
import * as fmt from '../format.js';
import {timeChart} from '../chart.js';
import {stateBadge} from './groups.js';

const POLL_MS = 2000;
const HISTORY = 300; // 10 minutes of samples
const CHART_PARTITIONS = 8;

/** Lag samples per group, kept while the console is open: [{t (s), byPartition: Map 'topic-p' -> lag}]. */
const history = new Map();

export async function render(root, {params}) {
  const id = params[0];
  const summary = h('dl', {class: 'kv'});
  const membersBox = h('div', {'data-testid': 'members'});
  const lagsBox = h('div', {'data-testid': 'lags'});
  const totalLag = h('span', {class: 'badge', 'data-testid': 'total-lag'});
  const chartEl = h('div', {class: 'chart', 'data-testid': 'lag-chart'});
  const resetBox = h('div', {'data-testid': 'reset'});
  replace(root,
    h('h1', {}, h('a', {href: '#/groups'}, 'Consumer groups'), ' / ', h('span', {'data-testid': 'group-id'}, id)),
    h('section', {class: 'panel'}, summary),
    h('div', {class: 'grid two'},
      h('section', {class: 'panel'}, h('div', {class: 'row'}, h('h2', {}, 'Lag over time'), h('span', {class: 'spacer'}), 'total ', totalLag), chartEl),
      h('section', {class: 'panel'}, h('h2', {}, 'Members'), membersBox)),
    h('section', {class: 'panel'}, h('h2', {}, 'Lag per partition'), lagsBox),
    h('section', {class: 'panel'}, h('h2', {}, 'Reset offsets'), resetBox));

  if (!history.has(id)) history.set(id, []);
  const samples = history.get(id);
  let chart = null;
  let chartKeys = '';
  let lastState = null;
  let lastLags = [];

  const drawChart = keys => {
    // One partition: its line is the total's.
    const shown = keys.length > 1 ? keys.slice(0, CHART_PARTITIONS) : [];
    const signature = shown.join(',');
    if (!chart || signature !== chartKeys) {
      chart?.destroy();
      chart = timeChart(chartEl, [{label: 'total'}, ...shown.map(k => ({label: k}))], v => fmt.count(v));
      chartKeys = signature;
    }
    chart.update([samples.map(s => s.t), samples.map(s => s.total),
      ...shown.map(k => samples.map(s => s.byPartition.get(k) ?? null))]);
  };

  const load = async () => {
    const [group, members, lags] = await Promise.all([api.consumerGroup(id), api.members(id), api.lags(id)]);
    lastLags = lags;
    const total = lags.reduce((sum, l) => sum + Math.max(l.lag, 0), 0);
    samples.push({t: Date.now() / 1000, total, byPartition: new Map(lags.map(l => [`${l.topic}-${l.partition}`, l.lag]))});
    if (samples.length > HISTORY) samples.shift();
    totalLag.textContent = fmt.count(total);
    replace(summary,
      h('dt', {}, 'State'), h('dd', {}, stateBadge(group.state)),
      h('dt', {}, 'Protocol'), h('dd', {}, group.simple ? 'simple (offsets only)' : [group.protocolType, group.assignor].filter(Boolean).join(' / ') || '–'),
      h('dt', {}, 'Coordinator'), h('dd', {}, group.coordinator ?? '–'),
      h('dt', {}, 'Members'), h('dd', {}, fmt.count(members.length)));
    replace(membersBox, table([{label: 'Member'}, {label: 'Client'}, {label: 'Host'}, {label: 'Assigned'}],
      members.map(m => [h('code', {}, m.instanceId ? `${m.instanceId} (static)` : m.consumerId), m.clientId ?? '', (m.host ?? '').replace(/^\//, ''),
        m.assignments.map(a => `${a.topic}-${a.partition}`).join(', ') || '–']),
      'No members: the group is empty.'));
    const clients = new Map(members.map(m => [m.consumerId, m.clientId]));
    replace(lagsBox, table([{label: 'Topic'}, {label: 'Partition', num: true}, {label: 'Committed', num: true},
      {label: 'End', num: true}, {label: 'Lag', num: true}, {label: 'Member'}],
    lags.map(l => ({attrs: {'data-partition': `${l.topic}-${l.partition}`}, cells: [
      h('a', {href: '#/topics/' + encodeURIComponent(l.topic)}, l.topic), String(l.partition), fmt.count(l.committed),
      fmt.count(l.end), h('span', {class: 'lag'}, fmt.count(l.lag)), l.consumerId ? (clients.get(l.consumerId) ?? l.clientId ?? l.consumerId) : '–']})),
    'No committed offsets yet.'));
    drawChart(lags.map(l => `${l.topic}-${l.partition}`));
    if (group.state !== lastState) {
      lastState = group.state;
      drawReset(group.state);
    }
  };

  const drawReset = state => {
    if (state !== 'EMPTY') {
      replace(resetBox, h('p', {class: 'muted'}, `Offsets can be reset only while the group is empty (it is ${state}): stop its consumers first.`));
      return;
    }
    const topics = [...new Set(lastLags.map(l => l.topic))];
    const to = h('select', {name: 'to', 'aria-label': 'Reset to'},
      [['EARLIEST', 'earliest'], ['LATEST', 'latest'], ['OFFSET', 'offset'], ['TIMESTAMP', 'time']].map(([v, l]) => h('option', {value: v}, l)));
    const offset = h('input', {name: 'offset', type: 'number', min: 0, style: 'width:9em'});
    const time = h('input', {name: 'time', type: 'datetime-local', step: 1});
    const preview = h('div');
    const form = h('form', {class: 'inline'},
      h('label', {}, 'Topic', h('select', {name: 'topic'}, h('option', {value: ''}, 'every topic'), topics.map(t => h('option', {value: t}, t)))),
      h('label', {}, 'Reset to', to), h('label', {}, 'Offset', offset), h('label', {}, 'Time', time),
      h('button', {type: 'button', onclick: () => run(true)}, 'Preview'),
      h('button', {class: 'danger', type: 'submit'}, 'Reset offsets'));
    const showFields = () => {
      offset.parentElement.hidden = to.value !== 'OFFSET';
      time.parentElement.hidden = to.value !== 'TIMESTAMP';
    };
    to.addEventListener('change', showFields);
    showFields();
    const spec = validateOnly => {
      const v = formValues(form);
      const s = {to: v.to, validate_only: validateOnly};
      if (v.topic) s.topic_name = v.topic;
      if (v.to === 'OFFSET') s.offset = Number(v.offset || 0);
      if (v.to === 'TIMESTAMP') s.timestamp = new Date(v.time).getTime();
      return s;
    };
    const run = async validateOnly => {
      try {
        if (!validateOnly && !await confirmTyped(`Reset offsets of ${id}?`, 'The group will start reading from the new offsets.', id, 'Reset')) return;
        const done = await api.resetOffsets(id, spec(validateOnly));
        replace(preview, h('p', {class: 'muted'}, validateOnly ? 'Would commit:' : 'Committed:'),
          table([{label: 'Topic'}, {label: 'Partition', num: true}, {label: 'Offset', num: true}],
            done.map(x => [x.topic, String(x.partition), fmt.count(x.offset)])));
        if (!validateOnly) toast(`Offsets of ${id} reset`);
      } catch (e) { toast(e.message, true); }
    };
    form.addEventListener('submit', event => { event.preventDefault(); run(false); });
    replace(resetBox, form, preview);
  };

  await load();
  let stopped = false;
  let timer = null;
  const poll = async () => {
    try { await load(); } catch (e) { toast(e.message, true); }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  };
  timer = setTimeout(poll, POLL_MS);
  return () => { stopped = true; clearTimeout(timer); chart?.destroy(); };
}

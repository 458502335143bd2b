// Cluster overview: brokers and the controller, partition health over every topic, and throughput
// in and out over the last minutes from /metrics.
import {h, replace, table, mapLimited} from '../dom.js';
import * as api from '../api.js';
import * as fmt from '../format.js';
import {sampler, SAMPLE_MS} from '../metrics.js';
import {timeChart} from '../chart.js';

const REFRESH_MS = 5000;

export async function render(root) {
  const tiles = h('div', {class: 'tiles', 'data-testid': 'tiles'});
  const brokersBox = h('div');
  const topTopics = h('div');
  const bytesEl = h('div', {class: 'chart', 'data-testid': 'chart-bytes'});
  const recordsEl = h('div', {class: 'chart', 'data-testid': 'chart-records'});
  const metricsNote = h('div', {class: 'legend-note'});
  replace(root,
    h('h1', {}, 'Cluster overview'),
    tiles,
    h('div', {class: 'grid two'},
      h('section', {class: 'panel'}, h('h2', {}, 'Bytes in and out per second'), bytesEl),
      h('section', {class: 'panel'}, h('h2', {}, 'Records produced per second'), recordsEl)),
    metricsNote,
    h('div', {class: 'grid two'},
      h('section', {class: 'panel'}, h('h2', {}, 'Brokers'), brokersBox),
      h('section', {class: 'panel'}, h('h2', {}, 'Busiest topics now'), topTopics)));

  let knownTopics = null;
  const bytesChart = timeChart(bytesEl, [{label: 'in'}, {label: 'out'}], fmt.byteRate);
  const recordsChart = timeChart(recordsEl, [{label: 'records in'}], v => fmt.rate(v));
  const onSample = s => {
    bytesChart.update(s.columns(['bytesIn', 'bytesOut']));
    recordsChart.update(s.columns(['recordsIn']));
    metricsNote.textContent = s.error ? s.error
      : `From this node's /metrics, sampled every ${SAMPLE_MS / 1000} s since this page was opened: the last ${span(s.history.length * SAMPLE_MS / 1000)}.`;
    const latest = s.latest();
    if (latest) {
      // A deleted topic's counters stay until the node restarts: only the topics that exist are listed.
      const rows = [...latest.byTopic.entries()].filter(([name]) => knownTopics === null || knownTopics.has(name))
        .sort((a, b) => (b[1].bytesIn + b[1].bytesOut) - (a[1].bytesIn + a[1].bytesOut)).slice(0, 8)
        .map(([name, r]) => [h('a', {href: '#/topics/' + encodeURIComponent(name)}, name),
          fmt.byteRate(r.bytesIn), fmt.rate(r.recordsIn), fmt.byteRate(r.bytesOut)]);
      replace(topTopics, table([{label: 'Topic'}, {label: 'In', num: true}, {label: 'Records in', num: true},
        {label: 'Out', num: true}], rows, 'No traffic measured yet.'));
    }
  };
  const unsubscribe = sampler.subscribe(onSample);

  let timer = null;
  let stopped = false;
  const refresh = async () => {
    try {
      const [cluster, brokers, topics, groups] = await Promise.all([api.cluster(), api.brokers(), api.topics(),
        api.groups().catch(() => null)]);
      knownTopics = new Set(topics.map(t => t.name));
      // The API has no cluster-wide partition list: one request per topic, a few at a time.
      const partitionLists = await mapLimited(topics, 6, t => api.partitions(t.name).catch(() => []));
      const all = partitionLists.flat();
      const underReplicated = all.filter(p => p.leader >= 0 && p.isr.length < p.replicas.length).length;
      const offline = all.filter(p => p.leader < 0).length;
      if (stopped) return;
      replace(tiles,
        tile('Brokers', fmt.count(brokers.length), 'brokers'),
        tile('Controller', cluster.controllerId >= 0 ? String(cluster.controllerId) : 'none', 'controller'),
        tile('Topics', fmt.count(topics.filter(t => !t.internal).length), 'topics',
          null, `+ ${fmt.count(topics.filter(t => t.internal).length)} internal`),
        tile('Partitions', fmt.count(all.length), 'partitions', null, 'internal topics included'),
        tile('Under-replicated', fmt.count(underReplicated), 'under-replicated', underReplicated > 0 ? 'bad' : 'ok'),
        tile('Offline', fmt.count(offline), 'offline', offline > 0 ? 'bad' : 'ok'),
        tile('Consumer groups', groups ? fmt.count(groups.length) : '–', 'groups'));
      replace(brokersBox, table([{label: 'Id', num: true}, {label: 'Host'}, {label: 'Port', num: true}, {label: 'Rack'}, {label: ''}],
        brokers.map(b => [String(b.id), b.host, String(b.port), b.rack ?? '–',
          b.id === cluster.controllerId ? h('span', {class: 'badge ok'}, 'controller') : '']), 'No brokers registered.'));
    } catch (e) {
      if (!stopped) replace(tiles, h('div', {class: 'panel error', 'data-testid': 'error'}, e.message));
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  };
  await refresh();
  onSample(sampler);

  return () => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe();
    bytesChart.destroy();
    recordsChart.destroy();
  };
}

function tile(label, value, id, state, note) {
  return h('div', {class: 'tile' + (state ? ' ' + state : ''), 'data-testid': 'tile-' + id},
    h('div', {class: 'label'}, label), h('div', {class: 'value'}, value), note ? h('div', {class: 'note'}, note) : null);
}

function span(seconds) {
  return seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

// Consumer groups: each with its state, protocol and total lag.
import {h, replace, table, mapLimited} from '../dom.js';
import * as api from '../api.js';
import * as fmt from '../format.js';

export async function render(root) {
  const box = h('div', {'data-testid': 'group-list'});
  replace(root, h('h1', {}, 'Consumer groups'), h('section', {class: 'panel'}, box));
  const load = async () => {
    const groups = await api.groups();
    const lags = await mapLimited(groups, 6, g => api.lags(g.id).catch(() => null));
    replace(box, table([{label: 'Group'}, {label: 'State'}, {label: 'Protocol'}, {label: 'Coordinator', num: true},
      {label: 'Partitions', num: true}, {label: 'Total lag', num: true}],
    groups.map((g, i) => ({attrs: {'data-group': g.id}, cells: [
      h('a', {href: '#/groups/' + encodeURIComponent(g.id)}, g.id), stateBadge(g.state),
      g.simple ? 'simple (offsets only)' : [g.protocolType, g.assignor].filter(Boolean).join(' / '),
      g.coordinator ?? '–', lags[i] ? fmt.count(lags[i].length) : '–',
      lags[i] ? fmt.count(lags[i].reduce((sum, l) => sum + Math.max(l.lag, 0), 0)) : '–']})),
    'No consumer groups yet.'));
  };
  await load();
  const timer = setInterval(() => load().catch(() => {}), 5000);
  return () => clearInterval(timer);
}

export function stateBadge(state) {
  const kind = state === 'STABLE' ? 'ok' : state === 'EMPTY' ? '' : state === 'DEAD' ? 'bad' : 'warn';
  return h('span', {class: 'badge ' + kind, 'data-testid': 'group-state'}, state ?? 'UNKNOWN');
}

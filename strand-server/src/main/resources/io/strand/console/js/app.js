// The console's shell: hash routes (#/topics/orders?tab=configs) to views, the navigation's
// highlight, and the cluster's id in the header. A view is render(root, route) answering a
// function that stops whatever it polls (or nothing); it runs again on each navigation.
import {h, replace} from './dom.js';
import * as api from './api.js';
import {sampler} from './metrics.js';
import * as overview from './views/overview.js';
import * as topics from './views/topics.js';
import * as topic from './views/topic.js';
import * as messages from './views/messages.js';
import * as produce from './views/produce.js';
import * as groups from './views/groups.js';
import * as group from './views/group.js';

const ROUTES = [
  {pattern: /^\/?$/, view: overview, nav: 'overview'},
  {pattern: /^\/topics$/, view: topics, nav: 'topics'},
  {pattern: /^\/topics\/([^/]+)$/, view: topic, nav: 'topics'},
  {pattern: /^\/messages$/, view: messages, nav: 'messages'},
  {pattern: /^\/produce$/, view: produce, nav: 'produce'},
  {pattern: /^\/groups$/, view: groups, nav: 'groups'},
  {pattern: /^\/groups\/([^/]+)$/, view: group, nav: 'groups'},
];

const root = document.getElementById('view');
let stop = null;
let generation = 0;

/** The current route: {path, params (decoded path parts), query (URLSearchParams)}. */
function currentRoute() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = hash.split('?');
  return {path, query: new URLSearchParams(search)};
}

/** Goes to a hash route, e.g. navigate('/messages', {topic: 'orders'}). */
export function navigate(path, query = {}) {
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const hash = '#' + path + (search.toString() ? '?' + search : '');
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function render() {
  const mine = ++generation;
  if (stop) {
    try { stop(); } catch { /* a view's cleanup must not keep the next one from showing */ }
    stop = null;
  }
  const route = currentRoute();
  const match = ROUTES.map(r => ({r, m: r.pattern.exec(route.path)})).find(x => x.m);
  document.querySelectorAll('#nav a').forEach(a => a.classList.toggle('active', match && a.dataset.nav === match.r.nav));
  if (!match) {
    replace(root, h('div', {class: 'panel'}, h('h1', {}, 'Not found'), h('p', {}, 'No page at ', h('code', {}, route.path), '.')));
    return;
  }
  root.dataset.view = match.r.nav;
  const context = {params: match.m.slice(1).map(decodeURIComponent), query: route.query, navigate,
    isCurrent: () => mine === generation};
  try {
    const cleanup = await match.r.view.render(root, context);
    if (mine !== generation) {
      cleanup?.();
    } else {
      stop = cleanup || null;
    }
  } catch (e) {
    if (mine === generation) {
      replace(root, h('div', {class: 'panel'}, h('h1', {}, 'Something went wrong'),
        h('p', {class: 'error', 'data-testid': 'error'}, e.message)));
    }
  }
}

async function showCluster() {
  try {
    const id = await api.clusterId();
    replace(document.getElementById('cluster'), 'cluster ', h('code', {}, id));
  } catch (e) {
    replace(document.getElementById('cluster'), h('span', {class: 'error'}, 'API unreachable'));
  }
}

window.addEventListener('hashchange', render);
sampler.start();
showCluster();
render();

// Message browser: a partition read from an offset, from a time, or its newest records; keys,
// headers and values as JSON, text or hex; and a live tail of new records over Server-Sent Events.
import {h, replace, table, toast} from '../dom.js';
import * as api from '../api.js';
import * as fmt from '../format.js';
import {show, short, FORMATS} from '../bytes.js';

const PAGE = 50;
const TAIL_KEEP = 200;

export async function render(root, {query, navigate}) {
  const topics = (await api.topics()).filter(t => !t.internal || t.name === query.get('topic'));
  const topicName = query.get('topic') || topics[0]?.name || '';
  if (!topicName) {
    replace(root, h('h1', {}, 'Messages'), h('div', {class: 'panel empty'}, 'No topics yet. ',
      h('a', {href: '#/topics'}, 'Create one'), '.'));
    return;
  }
  const partitions = await api.partitions(topicName);
  const partition = Number(query.get('partition') ?? partitions[0]?.partition ?? 0);
  const from = query.get('from') || 'newest';
  let format = query.get('format') || 'auto';

  const topicSelect = h('select', {name: 'topic', 'aria-label': 'Topic'},
    topics.map(t => h('option', {value: t.name, selected: t.name === topicName}, t.name)));
  const partitionSelect = h('select', {name: 'partition', 'aria-label': 'Partition'},
    partitions.map(p => h('option', {value: String(p.partition), selected: p.partition === partition},
      `${p.partition}  (${fmt.count(p.earliest)} – ${fmt.count(p.latest)})`)));
  const fromSelect = h('select', {name: 'from', 'aria-label': 'Start at'},
    [['newest', 'newest'], ['offset', 'offset'], ['time', 'time'], ['earliest', 'earliest']]
      .map(([v, label]) => h('option', {value: v, selected: v === from}, label)));
  const offsetInput = h('input', {name: 'offset', type: 'number', min: 0, value: query.get('offset') ?? '', style: 'width:9em', 'aria-label': 'Offset'});
  const timeInput = h('input', {name: 'time', type: 'datetime-local', step: 1, value: query.get('time') ?? '', 'aria-label': 'Time'});
  const showFields = () => {
    offsetInput.parentElement.hidden = fromSelect.value !== 'offset';
    timeInput.parentElement.hidden = fromSelect.value !== 'time';
  };
  const formatButtons = h('span', {class: 'segmented', role: 'group', 'aria-label': 'Show values as'},
    FORMATS.map(f => h('button', {type: 'button', class: f === format ? 'active' : null, 'data-format': f,
      onclick: () => { format = f; formatButtons.querySelectorAll('button').forEach(b => b.classList.toggle('active', b.dataset.format === f)); draw(); }},
    f === 'auto' ? 'Auto' : f.toUpperCase())));
  const tailButton = h('button', {type: 'button', 'data-testid': 'tail'}, 'Live tail');
  const status = h('span', {class: 'muted', 'data-testid': 'status'});
  const recordsBox = h('div', {'data-testid': 'records'});
  const more = h('button', {type: 'button', hidden: true}, 'Next page');
  const form = h('form', {class: 'inline'},
    h('label', {}, 'Topic', topicSelect), h('label', {}, 'Partition', partitionSelect),
    h('label', {}, 'Start at', fromSelect), h('label', {}, 'Offset', offsetInput), h('label', {}, 'Time', timeInput),
    h('button', {class: 'primary', type: 'submit'}, 'Read'), tailButton);
  replace(root,
    h('div', {class: 'row'}, h('h1', {}, 'Messages'), h('span', {class: 'spacer'}),
      h('a', {href: '#/produce?topic=' + encodeURIComponent(topicName)}, 'Produce to ' + topicName)),
    h('section', {class: 'panel'}, form),
    h('section', {class: 'panel'}, h('div', {class: 'row'}, status, h('span', {class: 'spacer'}), 'Values as ', formatButtons),
      recordsBox, h('div', {class: 'row'}, more)));
  showFields();

  let records = [];
  let next = null;
  let tail = null;

  const draw = () => {
    replace(recordsBox, table([{label: 'Partition', num: true}, {label: 'Offset', num: true}, {label: 'Timestamp'},
      {label: 'Key'}, {label: 'Headers'}, {label: 'Value'}],
    records.map(r => {
      const value = show(r.value, format);
      return {attrs: {'data-offset': String(r.offset)}, cells: [String(r.partition), String(r.offset),
        h('span', {title: r.timestampType}, fmt.time(r.timestamp)),
        h('code', {class: 'record-key'}, short(r.key)),
        h('div', {class: 'headers'}, r.headers.map(x => h('div', {}, x.name + ': ' + short(x.value)))),
        h('div', {}, h('pre', {class: 'record-value'}, value.text),
          format === 'auto' && value.as !== 'null' ? h('span', {class: 'badge'}, value.as) : null)]};
    }), tail ? 'Waiting for new records…' : 'No records here.'));
    more.hidden = tail !== null || next === null;
  };

  const read = async (append = false) => {
    const p = Number(partitionSelect.value);
    const info = partitions.find(x => x.partition === p);
    let spec;
    if (append) spec = {offset: next};
    else if (fromSelect.value === 'offset') spec = {offset: offsetInput.value || 0};
    else if (fromSelect.value === 'time') {
      if (!timeInput.value) { toast('Choose a time first', true); return; }
      spec = {timestamp: new Date(timeInput.value).getTime()};
    } else if (fromSelect.value === 'earliest') spec = {offset: info?.earliest >= 0 ? info.earliest : 0};
    else spec = {offset: Math.max(info?.earliest ?? 0, (info?.latest ?? 0) - PAGE, 0)};
    try {
      const page = await api.readRecords(topicName, p, {...spec, maxCount: PAGE});
      records = append ? records.concat(page.records) : page.records;
      next = page.records.length > 0 && page.next < page.latest ? page.next : null;
      status.textContent = `Partition ${p}: offsets ${fmt.count(page.earliest)} to ${fmt.count(page.latest)}; showing ${records.length}.`;
      draw();
    } catch (e) {
      status.textContent = '';
      replace(recordsBox, h('p', {class: 'error', 'data-testid': 'error'}, e.message));
    }
  };

  const stopTail = () => {
    if (tail) { tail.close(); tail = null; }
    tailButton.textContent = 'Live tail';
    tailButton.classList.remove('primary');
  };

  tailButton.addEventListener('click', async () => {
    if (tail) { stopTail(); draw(); return; }
    records = [];
    tailButton.textContent = 'Stop tail';
    tailButton.classList.add('primary');
    status.textContent = `Connecting to the live tail of ${topicName}…`;
    tail = await api.tail(topicName, r => {
      records.unshift(r);
      if (records.length > TAIL_KEEP) records.pop();
      draw();
    }, message => { toast(message, true); stopTail(); },
    () => { status.textContent = `Live: new records of every partition of ${topicName}, newest first.`; });
    draw();
  });

  fromSelect.addEventListener('change', showFields);
  topicSelect.addEventListener('change', () => navigate('/messages', {topic: topicSelect.value}));
  form.addEventListener('submit', event => {
    event.preventDefault();
    stopTail();
    navigate('/messages', {topic: topicName, partition: partitionSelect.value, from: fromSelect.value,
      offset: fromSelect.value === 'offset' ? offsetInput.value : '', time: fromSelect.value === 'time' ? timeInput.value : '',
      format: format === 'auto' ? '' : format});
  });
  more.addEventListener('click', () => read(true));

  await read();
  return stopTail;
}

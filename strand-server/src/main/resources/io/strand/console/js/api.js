// The node's HTTP API (docs/openapi.yaml), as the console uses it: REST Proxy v3 shapes under
// /v3/clusters/{cluster_id}/..., with Strand's extensions (partition ids and offsets, reading
// records, the live tail, resetting an empty group's offsets). Every call answers plain objects;
// an error answer rejects with an ApiError carrying the status and the API's message.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** One request: JSON in and out; 204 answers null. */
export async function call(method, path, body) {
  const init = {method, headers: {'Accept': 'application/json'}};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'The node does not answer: ' + e.message);
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch { json = null; }
  }
  if (!response.ok) {
    const message = json && json.message ? json.message : `HTTP ${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  return json;
}

const enc = encodeURIComponent;
let clusterIdOnce;

/** The id of the node's cluster (the one entry of GET /v3/clusters), asked once. */
export function clusterId() {
  if (!clusterIdOnce) {
    clusterIdOnce = call('GET', '/v3/clusters').then(list => list.data[0].cluster_id)
      .catch(e => { clusterIdOnce = undefined; throw e; });
  }
  return clusterIdOnce;
}

async function c(path) {
  return `/v3/clusters/${enc(await clusterId())}${path}`;
}

/** {id, controllerId} */
export async function cluster() {
  const cl = await call('GET', await c(''));
  return {id: cl.cluster_id, controllerId: cl.controller_id ?? idFromLink(cl.controller)};
}

/** [{id, host, port, rack}] by id. */
export async function brokers() {
  const list = await call('GET', await c('/brokers'));
  return list.data.map(b => ({id: b.broker_id, host: b.host, port: b.port, rack: b.rack ?? null}))
    .sort((a, b) => a.id - b.id);
}

/** [{name, internal, partitions, replicationFactor}] by name. */
export async function topics() {
  const list = await call('GET', await c('/topics'));
  return list.data.map(t => ({name: t.topic_name, id: t.topic_id, internal: !!t.is_internal,
    partitions: t.partitions_count, replicationFactor: t.replication_factor}))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function topic(name) {
  const t = await call('GET', await c(`/topics/${enc(name)}`));
  return {name: t.topic_name, id: t.topic_id, internal: !!t.is_internal,
    partitions: t.partitions_count, replicationFactor: t.replication_factor};
}

export async function createTopic(name, partitions, replicationFactor, configs = []) {
  const body = {topic_name: name, configs};
  if (partitions) body.partitions_count = partitions;
  if (replicationFactor) body.replication_factor = replicationFactor;
  return call('POST', await c('/topics'), body);
}

export async function deleteTopic(name) {
  return call('DELETE', await c(`/topics/${enc(name)}`));
}

/** [{partition, leader, replicas, isr, earliest, latest}] by partition; leader -1 when offline. */
export async function partitions(topicName) {
  const list = await call('GET', await c(`/topics/${enc(topicName)}/partitions`));
  return list.data.map(p => ({
    partition: p.partition_id,
    leader: p.leader_id ?? idFromLink(p.leader) ?? -1,
    replicas: p.replica_ids ?? [],
    isr: p.isr_ids ?? [],
    earliest: p.earliest_offset ?? -1,
    latest: p.latest_offset ?? -1,
  })).sort((a, b) => a.partition - b.partition);
}

/** [{name, value, isDefault, readOnly, sensitive, source}] by name. */
export async function configs(topicName) {
  const list = await call('GET', await c(`/topics/${enc(topicName)}/configs`));
  return list.data.map(x => ({name: x.name, value: x.value, isDefault: !!x.is_default,
    readOnly: !!x.is_read_only, sensitive: !!x.is_sensitive, source: x.source}))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function setConfig(topicName, name, value) {
  return call('PUT', await c(`/topics/${enc(topicName)}/configs/${enc(name)}`), {value});
}

export async function resetConfig(topicName, name) {
  return call('DELETE', await c(`/topics/${enc(topicName)}/configs/${enc(name)}`));
}

/**
 * Produces one record. key/value: {type: 'JSON'|'STRING'|'BINARY', data} or null; headers: [{name,
 * value (text)}]. Answers {partition, offset} or rejects with the record's error.
 */
export async function produce(topicName, {partition, key, value, headers}) {
  const body = {
    headers: (headers || []).map(x => ({name: x.name, value: x.value === null ? null : toBase64(x.value)})),
    key, value,
  };
  if (partition !== undefined && partition !== null && partition !== '') body.partition_id = Number(partition);
  const answer = await call('POST', await c(`/topics/${enc(topicName)}/records`), body);
  if (answer.error_code && answer.error_code !== 200) throw new ApiError(answer.error_code, answer.message);
  return {partition: answer.partition_id, offset: answer.offset};
}

/**
 * Reads records from one partition from an offset or a timestamp (ms): {records: [{partition,
 * offset, timestamp, timestampType, key, value, headers: [{name, value}]}], earliest, latest, next};
 * key and value are Uint8Array or null.
 */
export async function readRecords(topicName, partition, {offset, timestamp, maxCount = 50}) {
  const query = new URLSearchParams({max_count: String(maxCount)});
  if (timestamp !== undefined && timestamp !== null && timestamp !== '') query.set('timestamp', String(timestamp));
  else if (offset !== undefined && offset !== null && offset !== '') query.set('offset', String(offset));
  const list = await call('GET', await c(`/topics/${enc(topicName)}/partitions/${enc(partition)}/records?${query}`));
  return {records: list.data.map(record), earliest: list.earliest_offset, latest: list.latest_offset, next: list.next_offset};
}

/** A Record of the API with its bytes decoded. */
export function record(r) {
  return {partition: r.partition_id, offset: r.offset, timestamp: r.timestamp, timestampType: r.timestamp_type,
    key: bytesOf(r.key), value: bytesOf(r.value),
    headers: (r.headers || []).map(x => ({name: x.name, value: bytesOf(x.value)}))};
}

/**
 * An EventSource on the topic's live tail; onOpen is called once the node has answered (every record
 * produced after that is sent), onRecord with each decoded record. Close it when done.
 */
export async function tail(topicName, onRecord, onError, onOpen) {
  const source = new EventSource(await c(`/topics/${enc(topicName)}/tail`));
  source.addEventListener('open', () => onOpen?.());
  source.addEventListener('record', event => onRecord(record(JSON.parse(event.data))));
  source.addEventListener('error', event => {
    if (event.data) onError?.(JSON.parse(event.data).message);
  });
  return source;
}

/** [{id, state, simple, assignor, protocolType, coordinator}] by id. */
export async function groups() {
  const list = await call('GET', await c('/consumer-groups'));
  return list.data.map(group).sort((a, b) => a.id.localeCompare(b.id));
}

export async function consumerGroup(id) {
  return group(await call('GET', await c(`/consumer-groups/${enc(id)}`)));
}

function group(g) {
  return {id: g.consumer_group_id, state: g.state, simple: !!g.is_simple, assignor: g.partition_assignor,
    protocolType: g.protocol_type, coordinator: g.coordinator_id ?? idFromLink(g.coordinator)};
}

/** [{consumerId, instanceId, clientId, host, assignments: [{topic, partition}]}] */
export async function members(id) {
  const list = await call('GET', await c(`/consumer-groups/${enc(id)}/consumers`));
  return list.data.map(m => ({consumerId: m.consumer_id, instanceId: m.instance_id, clientId: m.client_id,
    host: m.host, assignments: (m.assignments?.data || []).map(a => ({topic: a.topic_name, partition: a.partition_id}))}));
}

/** [{topic, partition, committed, end, lag, consumerId, clientId}] by topic and partition. */
export async function lags(id) {
  const list = await call('GET', await c(`/consumer-groups/${enc(id)}/lags`));
  return list.data.map(l => ({topic: l.topic_name, partition: l.partition_id, committed: l.current_offset,
    end: l.log_end_offset, lag: l.lag, consumerId: l.consumer_id, clientId: l.client_id}))
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** Resets an empty group's offsets: spec {to, offset?, timestamp?, topic_name?, partitions?, validate_only?}. */
export async function resetOffsets(id, spec) {
  const answer = await call('POST', await c(`/consumer-groups/${enc(id)}/offsets:reset`), spec);
  return answer.data.map(x => ({topic: x.topic_name, partition: x.partition_id, offset: x.offset}));
}

/** The broker id at the end of a REST Proxy `related` link (…/brokers/1 or …/replicas/1), else undefined. */
function idFromLink(link) {
  const match = link && link.related && /\/(\d+)$/.exec(link.related);
  return match ? Number(match[1]) : undefined;
}

/** The API's Bytes object ({size, text?, base64}) as a Uint8Array, or null. */
function bytesOf(b) {
  if (b === null || b === undefined) return null;
  if (b.base64 !== undefined) return fromBase64(b.base64);
  if (b.text !== undefined) return new TextEncoder().encode(b.text);
  return new Uint8Array(0);
}

export function fromBase64(text) {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** UTF-8 text as base64. */
export function toBase64(text) {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

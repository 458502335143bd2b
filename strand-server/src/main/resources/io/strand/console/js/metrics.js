// Throughput from the node's /metrics (Prometheus text format, docs/METRICS.md): a sampler scrapes
// every SAMPLE_MS while the console is open and keeps the last HISTORY_SAMPLES rates, computed here
// from the counters' differences, so that the charts have the last minutes when a page opens.

export const SAMPLE_MS = 2000;
const HISTORY_SAMPLES = 150; // 5 minutes

const COUNTERS = {
  bytesIn: 'strand_topic_bytes_in_total',
  recordsIn: 'strand_topic_records_in_total',
  bytesOut: 'strand_topic_bytes_out_total',
};

/** Parses Prometheus text into [{name, labels, value}]; comments and malformed lines are skipped. */
export function parsePrometheus(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[2]) {
      for (const l of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
      }
    }
    samples.push({name: m[1], labels, value: Number(m[3])});
  }
  return samples;
}

/** Per counter key, per topic, the counter's value in one scrape. */
function totals(samples) {
  const out = {};
  for (const key of Object.keys(COUNTERS)) out[key] = new Map();
  for (const s of samples) {
    for (const [key, name] of Object.entries(COUNTERS)) {
      if (s.name === name) {
        const topic = s.labels.topic ?? '';
        out[key].set(topic, (out[key].get(topic) || 0) + s.value);
      }
    }
  }
  return out;
}

/** Per topic, the bytes of its partitions' logs on this node (strand_partition_log_size_bytes). */
function logSizes(samples) {
  const sizes = new Map();
  for (const s of samples) {
    if (s.name === 'strand_partition_log_size_bytes') {
      sizes.set(s.labels.topic, (sizes.get(s.labels.topic) || 0) + s.value);
    }
  }
  return sizes;
}

class Sampler {
  constructor() {
    /** [{t (seconds), rates: {bytesIn, recordsIn, bytesOut}, byTopic: Map topic -> rates}] */
    this.history = [];
    this.listeners = new Set();
    this.previous = null;
    /** Per topic, its logs' bytes on this node at the last scrape. */
    this.sizes = new Map();
    this.error = null;
    this.timer = null;
  }

  start() {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  /** Calls fn after each sample; answers a function that stops calling it. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async sample() {
    let text;
    try {
      const response = await fetch('/metrics', {headers: {'Accept': 'text/plain'}});
      if (!response.ok) throw new Error('HTTP ' + response.status);
      text = await response.text();
      this.error = null;
    } catch (e) {
      this.error = 'Cannot read /metrics: ' + e.message;
      this.listeners.forEach(fn => fn(this));
      return;
    }
    const now = performance.now() / 1000;
    const samples = parsePrometheus(text);
    const current = {t: now, totals: totals(samples)};
    this.sizes = logSizes(samples);
    if (this.previous) {
      const dt = now - this.previous.t;
      const rates = {};
      const byTopic = new Map();
      for (const key of Object.keys(COUNTERS)) {
        let sum = 0;
        for (const [topic, value] of current.totals[key]) {
          const before = this.previous.totals[key].get(topic) ?? 0;
          // A counter that went down was reset (a restarted node): no rate for that step.
          const r = value >= before ? (value - before) / dt : 0;
          sum += r;
          if (!byTopic.has(topic)) byTopic.set(topic, {bytesIn: 0, recordsIn: 0, bytesOut: 0});
          byTopic.get(topic)[key] = r;
        }
        rates[key] = sum;
      }
      this.history.push({t: Date.now() / 1000, rates, byTopic});
      if (this.history.length > HISTORY_SAMPLES) this.history.shift();
    }
    this.previous = current;
    this.listeners.forEach(fn => fn(this));
  }

  /** Columns for a chart: [times, ...one array per key]. */
  columns(keys) {
    return [this.history.map(s => s.t), ...keys.map(k => this.history.map(s => s.rates[k]))];
  }

  latest() {
    return this.history[this.history.length - 1];
  }
}

/** The console's one sampler. */
export const sampler = new Sampler();

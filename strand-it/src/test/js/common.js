'use strict'
// Shared by the scripts here: a kafkajs client whose log goes to stderr (stdout carries only the
// one JSON result), and a main() wrapper with a deadline, so a hung client exits instead of hanging.

const { Kafka, logLevel } = require('kafkajs')

const DEADLINE_MS = 20000

const stderrLogCreator = () => ({ namespace, label, log }) => {
  process.stderr.write(JSON.stringify({ level: label, namespace, ...log }) + '\n')
}

// STRAND_IT_KAFKAJS_SASL, when set, is kafkajs' sasl option as JSON, for example
// {"mechanism":"scram-sha-256","username":"alice","password":"secret"}; for OAUTHBEARER
// {"mechanism":"oauthbearer","token":"<JWT>"} becomes an oauthBearerProvider giving that token.
function sasl() {
  const json = process.env.STRAND_IT_KAFKAJS_SASL
  const option = json ? JSON.parse(json) : undefined
  if (option && option.mechanism === 'oauthbearer' && option.token) {
    const value = option.token
    return { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value }) }
  }
  return option
}

function client(bootstrap) {
  return new Kafka({
    sasl: sasl(),
    clientId: 'strand-it',
    brokers: [bootstrap],
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 5, initialRetryTime: 100 },
    logLevel: logLevel.WARN,
    logCreator: stderrLogCreator,
  })
}

function run(body) {
  const deadline = setTimeout(() => {
    process.stderr.write(`deadline of ${DEADLINE_MS} ms passed\n`)
    process.exit(2)
  }, DEADLINE_MS)
  body()
    .then(result => {
      clearTimeout(deadline)
      process.stdout.write(JSON.stringify(result) + '\n')
    })
    .catch(error => {
      process.stderr.write(`${error.name}: ${error.message}\n${error.stack}\n`)
      process.exit(1)
    })
}

// kafkajs gives Buffers for keys, values and headers; the tests compare text.
function text(buffer) {
  return buffer == null ? null : buffer.toString('utf8')
}

function record(message) {
  return {
    offset: Number(message.offset),
    key: text(message.key),
    value: text(message.value),
    headers: Object.fromEntries(Object.entries(message.headers || {}).map(([k, v]) => [k, text(v)])),
    timestamp: Number(message.timestamp),
  }
}

module.exports = { client, run, record, stderrLogCreator, DEADLINE_MS }

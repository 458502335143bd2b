'use strict'
// kafkajs over TLS: produces COUNT records to partition 0 of TOPIC, then reads them back.
//   tls-roundtrip.js BOOTSTRAP TOPIC COUNT CA_PEM [CERT_PEM KEY_PEM]
// The broker's certificate is checked against CA_PEM (and its host name); with CERT_PEM and KEY_PEM
// the client presents that certificate (mutual TLS). Record i has value "tls-i" padded to 1 KiB.
// Prints {"delivered": n, "values": [first 20 characters of each value read, in offset order]}.

const fs = require('fs')
const { Kafka, logLevel } = require('kafkajs')
const { run, stderrLogCreator } = require('./common')

const [bootstrap, topic, count, caFile, certFile, keyFile] = process.argv.slice(2)

run(async () => {
  const ssl = { ca: [fs.readFileSync(caFile, 'utf8')], rejectUnauthorized: true }
  if (certFile) {
    ssl.cert = fs.readFileSync(certFile, 'utf8')
    ssl.key = fs.readFileSync(keyFile, 'utf8')
  }
  const kafka = new Kafka({
    clientId: 'strand-it-tls',
    brokers: [bootstrap],
    ssl,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 5, initialRetryTime: 100 },
    logLevel: logLevel.WARN,
    logCreator: stderrLogCreator,
  })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const messages = []
  for (let i = 0; i < Number(count); i++) {
    messages.push({ partition: 0, value: `tls-${i} `.padEnd(1024, 'x') })
  }
  const sent = await producer.send({ topic, acks: -1, messages })
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: 'tls-roundtrip-js' })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const values = []
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value.toString('utf8').slice(0, 20).replace(/x+$/, '').trim())
        if (values.length >= Number(count)) resolve()
      },
    }).catch(reject)
  })
  await consumer.disconnect()
  return { delivered: sent.length === 0 ? 0 : Number(count), values }
})

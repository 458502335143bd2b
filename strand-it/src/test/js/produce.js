'use strict'
// kafkajs producer: sends COUNT records to one partition in one send() call.
//   produce.js BOOTSTRAP TOPIC PARTITION COUNT CODEC(none|gzip)
// Record i has key "key-i", value "value-i", header seq=i. Prints send()'s record metadata.

const { CompressionTypes, Partitioners } = require('kafkajs')
const { client, run } = require('./common')

const [bootstrap, topic, partition, count, codec] = process.argv.slice(2)
const compression = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }[codec]

run(async () => {
  if (compression === undefined) {
    throw new Error(`codec ${codec} needs a kafkajs codec package; use none or gzip`)
  }
  const producer = client(bootstrap).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  })
  await producer.connect()
  try {
    const messages = []
    for (let i = 0; i < Number(count); i++) {
      messages.push({ partition: Number(partition), key: `key-${i}`, value: `value-${i}`, headers: { seq: `${i}` } })
    }
    const metadata = await producer.send({ topic, acks: -1, compression, messages })
    return { metadata }
  } finally {
    await producer.disconnect()
  }
})

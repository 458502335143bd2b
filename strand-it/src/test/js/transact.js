'use strict'
// kafkajs transactional producer: one transaction of COUNT records to one partition, committed or aborted.
//   transact.js BOOTSTRAP TOPIC PARTITION TRANSACTIONAL_ID commit|abort PREFIX COUNT
// Record i has value "PREFIX-i". Prints {"outcome", "sent"} once commit() or abort() returned.

const { client, run } = require('./common')

const [bootstrap, topic, partition, transactionalId, outcome, prefix, count] = process.argv.slice(2)

run(async () => {
  if (outcome !== 'commit' && outcome !== 'abort') {
    throw new Error(`outcome must be commit or abort, not ${outcome}`)
  }
  const producer = client(bootstrap).producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  })
  await producer.connect()
  try {
    const transaction = await producer.transaction()
    const messages = []
    for (let i = 0; i < Number(count); i++) {
      messages.push({ partition: Number(partition), value: `${prefix}-${i}` })
    }
    try {
      await transaction.send({ topic, acks: -1, messages })
    } catch (error) {
      await transaction.abort()
      throw error
    }
    if (outcome === 'commit') {
      await transaction.commit()
    } else {
      await transaction.abort()
    }
    return { outcome, sent: Number(count) }
  } finally {
    await producer.disconnect()
  }
})

'use strict'
// A kafkajs group member that reads COUNT records of a one-partition TOPIC, commits the offset after
// the last one it kept (records past COUNT in the same batch are not kept), and leaves the group.
//   consume-group-commit.js BOOTSTRAP TOPIC GROUP COUNT

const { client, run, record } = require('./common')

const [bootstrap, topic, groupId, countArg] = process.argv.slice(2)
const count = Number(countArg)

run(async () => {
  const consumer = client(bootstrap).consumer({ groupId, allowAutoTopicCreation: false })
  await consumer.connect()
  const records = []
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await new Promise((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (records.length < count) {
              records.push({ partition, ...record(message) })
              if (records.length === count) {
                const next = (BigInt(message.offset) + 1n).toString()
                await consumer.commitOffsets([{ topic, partition, offset: next }])
                resolve()
              }
            }
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return { records }
})

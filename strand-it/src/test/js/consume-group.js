'use strict'
// kafkajs' public consumer, which always joins a consumer group: subscribes to TOPIC from the
// beginning and collects COUNT records.
//   consume-group.js BOOTSTRAP TOPIC GROUP COUNT

const { client, run, record } = require('./common')

const [bootstrap, topic, groupId, countArg] = process.argv.slice(2)
const count = Number(countArg)

run(async () => {
  const consumer = client(bootstrap).consumer({ groupId, allowAutoTopicCreation: false })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    const records = []
    await new Promise((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            records.push({ partition, ...record(message) })
            if (records.length >= count) {
              resolve()
            }
          },
        })
        .catch(reject)
    })
    return { records }
  } finally {
    await consumer.disconnect()
  }
})

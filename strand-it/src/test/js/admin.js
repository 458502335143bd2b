'use strict'
// kafkajs admin client.
//   admin.js BOOTSTRAP create TOPIC PARTITIONS [NAME=VALUE ...]  -> {"created": true|false}
//   admin.js BOOTSTRAP metadata TOPIC                           -> fetchTopicMetadata of TOPIC
//   admin.js BOOTSTRAP offsets TOPIC                            -> fetchTopicOffsets of TOPIC
//   admin.js BOOTSTRAP list                                     -> listTopics

const { client, run } = require('./common')

const [bootstrap, command, topic, ...rest] = process.argv.slice(2)

run(async () => {
  const admin = client(bootstrap).admin()
  await admin.connect()
  try {
    switch (command) {
      case 'create': {
        const configEntries = rest.slice(1).map(arg => {
          const [name, ...value] = arg.split('=')
          return { name, value: value.join('=') }
        })
        const created = await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: Number(rest[0]), replicationFactor: 1, configEntries }],
        })
        return { created }
      }
      case 'metadata':
        return await admin.fetchTopicMetadata({ topics: [topic] })
      case 'offsets':
        return { partitions: await admin.fetchTopicOffsets(topic) }
      case 'list':
        return { topics: await admin.listTopics() }
      default:
        throw new Error(`unknown command ${command}`)
    }
  } finally {
    await admin.disconnect()
  }
})

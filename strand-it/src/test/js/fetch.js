'use strict'
// Reads one partition without a consumer group, the way kafkajs' own consumer fetches once it
// owns a partition: kafkajs' cluster and broker objects, Fetch requests to the partition leader.
// kafkajs' public consumer always joins a group, which this avoids.
//   fetch.js BOOTSTRAP TOPIC PARTITION OFFSET COUNT
// Prints {"records": [...], "highWatermark": ...} once COUNT records from OFFSET are read.

const { logLevel } = require('kafkajs')
const Cluster = require('kafkajs/src/cluster')
const { createLogger } = require('kafkajs/src/loggers')
const socketFactory = require('kafkajs/src/network/socketFactory')
const { run, record, stderrLogCreator, DEADLINE_MS } = require('./common')

const [bootstrap, topic, partitionArg, offsetArg, countArg] = process.argv.slice(2)
const partition = Number(partitionArg)
const count = Number(countArg)
const READ_UNCOMMITTED = 0
const CONSUMER_REPLICA_ID = -1

run(async () => {
  const cluster = new Cluster({
    logger: createLogger({ level: logLevel.WARN, logCreator: stderrLogCreator }),
    socketFactory: socketFactory(),
    brokers: [bootstrap],
    clientId: 'strand-it-fetch',
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 5, initialRetryTime: 100 },
    allowAutoTopicCreation: false,
  })
  await cluster.connect()
  try {
    await cluster.addTargetTopic(topic)
    const leaders = cluster.findLeaderForPartitions(topic, [partition])
    const [leaderId] = Object.keys(leaders)
    const leader = await cluster.findBroker({ nodeId: leaderId })

    const records = []
    let fetchOffset = Number(offsetArg)
    let highWatermark = null
    const giveUpAt = Date.now() + DEADLINE_MS - 2000
    while (records.length < count && Date.now() < giveUpAt) {
      const response = await leader.fetch({
        replicaId: CONSUMER_REPLICA_ID,
        isolationLevel: READ_UNCOMMITTED,
        maxWaitTime: 200,
        minBytes: 1,
        maxBytes: 1048576,
        topics: [{ topic, partitions: [{ partition, fetchOffset: String(fetchOffset), maxBytes: 1048576 }] }],
      })
      const [partitionData] = response.responses[0].partitions
      if (partitionData.errorCode !== 0) {
        throw new Error(`fetch error code ${partitionData.errorCode} at offset ${fetchOffset}`)
      }
      highWatermark = Number(partitionData.highWatermark)
      // a fetch answers whole batches, which may start before the requested offset
      for (const message of partitionData.messages) {
        if (Number(message.offset) >= fetchOffset && records.length < count) {
          records.push(record(message))
          fetchOffset = Number(message.offset) + 1
        }
      }
    }
    return { records, highWatermark }
  } finally {
    await cluster.disconnect()
  }
})

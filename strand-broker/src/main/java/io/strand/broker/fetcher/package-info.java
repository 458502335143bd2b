/**
 * The follower side of replication: copying the partitions this broker follows from their leaders.
 * {@link io.strand.broker.fetcher.ReplicaFetcherManager} is the entry point (follow a partition from a
 * leader at an epoch, stop following, close); it runs one
 * {@link io.strand.broker.fetcher.ReplicaFetcher} per leader broker, which fetches, appends and
 * truncates with Kafka's rules ({@code TruncationRules}, {@code FetchAnswerApplier}).
 *
 * <p>What the package needs of the rest of the broker it declares itself:
 * {@link io.strand.broker.fetcher.FollowerReplica} (a followed partition and its log), a broker id →
 * inter-broker address lookup, and this broker's epoch. Leaders are reached through
 * {@link io.strand.broker.fetcher.LeaderEndpoint}: over the network
 * {@link io.strand.broker.fetcher.NettyLeaderEndpoint}, a small Kafka-protocol client
 * ({@code BrokerConnection}) on Netty; in tests, in memory.
 *
 * <p>Depends on no other broker package (LayeringTest); of storage it uses only
 * {@link io.strand.storage.checkpoint.EpochEndOffset}.
 */
package io.strand.broker.fetcher;

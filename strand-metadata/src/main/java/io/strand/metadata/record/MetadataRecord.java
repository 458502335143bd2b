package io.strand.metadata.record;

/**
 * One change to the cluster metadata. Every change (a topic created, partitions added, a config
 * altered, a broker registered, a block of producer ids handed out) is written to the metadata
 * quorum as one of these records and applied, in log order, by
 * {@link io.strand.metadata.image.MetadataDelta#replay}.
 *
 * <p>Records are immutable values. Their binary form is defined by {@link MetadataRecordSerde};
 * a record's meaning never changes once written, so a new meaning needs a new record version.
 */
public sealed interface MetadataRecord permits TopicRecord, PartitionRecord, RemoveTopicRecord,
        ConfigRecord, RegisterBrokerRecord, ProducerIdsRecord, ClusterIdRecord, BrokerRegistrationChangeRecord,
        UnregisterBrokerRecord, FeatureLevelRecord, AccessControlEntryRecord,
        RemoveAccessControlEntryRecord, UserScramCredentialRecord, RemoveUserScramCredentialRecord,
        ClientQuotaRecord {
}

package io.strand.metadata.record;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The binary form of {@link MetadataRecord}s and of batches of them. Stateless and thread-safe.
 *
 * <p>All integers are big-endian. A <i>string</i> is an int32 byte length ({@code -1} = null)
 * followed by that many UTF-8 bytes; a <i>uuid</i> is its two int64 halves, most significant
 * first; an <i>int list</i> is an int32 count followed by that many int32s; a <i>uuid list</i> an
 * int32 count followed by that many uuids; <i>bytes</i> are an int32 length followed by that many bytes.
 *
 * <p><b>Record</b> — every record starts with a type id and a version, so a reader can refuse
 * what it does not know instead of misreading it:
 * <pre>
 * | offset            | size | field                                  |
 * |-------------------|------|----------------------------------------|
 * | TYPE_OFFSET = 0   | 1    | type id (table below)                  |
 * | VERSION_OFFSET = 1| 1    | body version (per type, table below)   |
 * | BODY_OFFSET = 2   | ...  | body                                   |
 * </pre>
 * <pre>
 * | type id | record               | body, in order (version 0 unless stated)                       |
 * |---------|----------------------|----------------------------------------------------------------|
 * | 1       | TopicRecord          | uuid topicId, string name                                      |
 * | 2       | PartitionRecord      | uuid topicId, int32 partitionId, int32 leader, int32           |
 * |         |                      | leaderEpoch, int32 partitionEpoch, int list replicas, int list |
 * |         |                      | isr; version 1 (written only while a reassignment is under     |
 * |         |                      | way) adds: int list addingReplicas, int list removingReplicas. |
 * |         |                      | Version 0 reads as no reassignment. Version 2 (written only    |
 * |         |                      | when some replica's directory is known) adds to version 1:     |
 * |         |                      | uuid list directories, one per replica. Versions 0 and 1 read  |
 * |         |                      | as no directory known.                                         |
 * | 3       | RemoveTopicRecord    | uuid topicId                                                   |
 * | 4       | ConfigRecord         | int8 ConfigResource.Type id, string resourceName, string name, |
 * |         |                      | string value (null = remove the override)                      |
 * | 5       | RegisterBrokerRecord | int32 brokerId, uuid incarnationId, string rack (nullable),    |
 * |         |                      | int32 endpoint count, then per endpoint: string listenerName,  |
 * |         |                      | string host, int32 port, string securityProtocol;              |
 * |         |                      | version 1 adds: int64 brokerEpoch, int8 fenced (0/1), int8     |
 * |         |                      | inControlledShutdown (0/1). Version 0 reads as epoch 0,        |
 * |         |                      | unfenced, not shutting down. Version 2 (written only when the  |
 * |         |                      | registration names log directories) adds: uuid list logDirs.   |
 * |         |                      | Versions 0 and 1 read as no log directory named.               |
 * | 6       | ProducerIdsRecord    | int32 brokerId, int64 nextProducerId                           |
 * | 7       | ClusterIdRecord      | string clusterId                                               |
 * | 8       | BrokerRegistration-  | int32 brokerId, int64 brokerEpoch, int8 fenced (0/1), int8     |
 * |         | ChangeRecord         | inControlledShutdown (0/1); version 1 (written only when the   |
 * |         |                      | online log directories change) adds: uuid list logDirs.        |
 * | 9       | UnregisterBroker-    | int32 brokerId, int64 brokerEpoch                              |
 * |         | Record               |                                                                |
 * | 10      | FeatureLevelRecord   | string name, int16 featureLevel                                |
 * | 13      | AccessControl-       | uuid id, int8 resourceType, string resourceName, int8          |
 * |         | EntryRecord          | patternType, string principal, string host, int8 operation,    |
 * |         |                      | int8 permissionType (the codes of Kafka's ACL enums)           |
 * | 14      | RemoveAccessControl- | uuid id                                                        |
 * |         | EntryRecord          |                                                                |
 * | 11      | UserScramCredential- | string name, int8 mechanism (1 = SCRAM-SHA-256, 2 =            |
 * |         | Record               | SCRAM-SHA-512), bytes salt, bytes storedKey, bytes serverKey,  |
 * |         |                      | int32 iterations                                               |
 * | 12      | RemoveUserScram-     | string name, int8 mechanism                                    |
 * |         | CredentialRecord     |                                                                |
 * | 15      | ClientQuotaRecord    | int32 entity count, per entity part in type order: string type,|
 * |         |                      | string name (null = the default); string key, int8 remove      |
 * |         |                      | (0/1), float64 value (0 when remove)                           |
 * </pre>
 *
 * <p><b>Batch</b> — the payload of one metadata log entry, applied atomically:
 * <pre>
 * | offset                  | size | field                                          |
 * |-------------------------|------|------------------------------------------------|
 * | BATCH_VERSION_OFFSET = 0| 1    | batch format version, currently 0              |
 * | BATCH_COUNT_OFFSET = 1  | 4    | record count                                   |
 * | BATCH_RECORDS_OFFSET = 5| ...  | per record: int32 size, then the record bytes  |
 * </pre>
 * Example: a batch holding only {@code ClusterIdRecord("ab")} is the 17 bytes
 * {@code 00 | 00 00 00 01 | 00 00 00 08 | 07 00 | 00 00 00 02 | 61 62}.
 */
public final class MetadataRecordSerde {

    static final int TYPE_OFFSET = 0;
    static final int VERSION_OFFSET = 1;
    static final int BODY_OFFSET = 2;

    static final int BATCH_VERSION_OFFSET = 0;
    static final int BATCH_COUNT_OFFSET = 1;
    static final int BATCH_RECORDS_OFFSET = 5;

    static final byte TOPIC = 1;
    static final byte PARTITION = 2;
    static final byte REMOVE_TOPIC = 3;
    static final byte CONFIG = 4;
    static final byte REGISTER_BROKER = 5;
    static final byte PRODUCER_IDS = 6;
    static final byte CLUSTER_ID = 7;
    static final byte BROKER_REGISTRATION_CHANGE = 8;
    static final byte UNREGISTER_BROKER = 9;
    static final byte FEATURE_LEVEL = 10;
    static final byte ACCESS_CONTROL_ENTRY = 13;
    static final byte REMOVE_ACCESS_CONTROL_ENTRY = 14;
    static final byte USER_SCRAM_CREDENTIAL = 11;
    static final byte REMOVE_USER_SCRAM_CREDENTIAL = 12;
    static final byte CLIENT_QUOTA = 15;

    /** The body version of every record type but those below: the highest read and the one written. */
    static final byte CURRENT_VERSION = 0;
    /**
     * RegisterBrokerRecord's highest: version 1 added the broker epoch and the fencing state, version 2
     * the log directory ids. A registration naming no directory is written as version 1.
     */
    static final byte REGISTER_BROKER_VERSION = 2;
    static final byte REGISTER_BROKER_EPOCH_VERSION = 1;
    /**
     * PartitionRecord's highest: version 1 added the adding and removing replicas of a reassignment,
     * version 2 the replicas' directories. A partition with neither is written as version 0, one with
     * no directory as version 1 or 0, so logs of nodes that never reassigned nor assigned directories
     * read as before.
     */
    static final byte PARTITION_VERSION = 2;
    static final byte PARTITION_REASSIGNMENT_VERSION = 1;
    /** BrokerRegistrationChangeRecord's highest: version 1 added the online log directory ids. */
    static final byte BROKER_REGISTRATION_CHANGE_VERSION = 1;
    static final byte CURRENT_BATCH_VERSION = 0;

    private MetadataRecordSerde() {
    }

    /** The bytes of one record. */
    public static byte[] serialize(MetadataRecord record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads one record filling the whole of {@code buffer} from its position. */
    public static MetadataRecord deserialize(ByteBuffer buffer) {
        int start = buffer.position();
        try {
            MetadataRecord record = read(buffer);
            if (buffer.hasRemaining()) {
                throw new MetadataFormatException("Trailing bytes after record: position=" + start
                        + " remaining=" + buffer.remaining());
            }
            return record;
        } catch (BufferUnderflowException e) {
            throw new MetadataFormatException("Record runs past the end of its bytes: position=" + start, e);
        }
    }

    /** The bytes of a batch: the records in order, to be applied all or none. */
    public static byte[] serializeBatch(List<? extends MetadataRecord> records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * records.size() + BATCH_RECORDS_OFFSET);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(CURRENT_BATCH_VERSION);
            out.writeInt(records.size());
            for (MetadataRecord record : records) {
                byte[] one = serialize(record);
                out.writeInt(one.length);
                out.write(one);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads a batch written by {@link #serializeBatch}, consuming {@code buffer} to its limit. */
    public static List<MetadataRecord> deserializeBatch(ByteBuffer buffer) {
        int start = buffer.position();
        try {
            byte version = buffer.get();
            if (version != CURRENT_BATCH_VERSION) {
                throw new MetadataFormatException("Unknown batch version: version=" + version
                        + " position=" + start);
            }
            int count = buffer.getInt();
            if (count < 0 || count > buffer.remaining() / 4) {
                throw new MetadataFormatException("Bad record count: count=" + count + " position=" + start
                        + " remaining=" + buffer.remaining());
            }
            List<MetadataRecord> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int size = buffer.getInt();
                if (size < BODY_OFFSET || size > buffer.remaining()) {
                    throw new MetadataFormatException("Bad record size: size=" + size + " index=" + i
                            + " position=" + buffer.position() + " remaining=" + buffer.remaining());
                }
                ByteBuffer slice = buffer.slice();
                slice.limit(size);
                records.add(deserialize(slice));
                buffer.position(buffer.position() + size);
            }
            if (buffer.hasRemaining()) {
                throw new MetadataFormatException("Trailing bytes after batch: position=" + buffer.position()
                        + " remaining=" + buffer.remaining());
            }
            return records;
        } catch (BufferUnderflowException e) {
            throw new MetadataFormatException("Batch runs past the end of its bytes: position=" + start, e);
        }
    }

    private static void write(DataOutputStream out, MetadataRecord record) throws IOException {
        if (record instanceof TopicRecord r) {
            header(out, TOPIC);
            writeUuid(out, r.topicId());
            writeString(out, r.name());
        } else if (record instanceof PartitionRecord r) {
            boolean reassigning = !r.addingReplicas().isEmpty() || !r.removingReplicas().isEmpty();
            boolean assigned = !r.directories().isEmpty();
            header(out, PARTITION, assigned ? PARTITION_VERSION
                    : reassigning ? PARTITION_REASSIGNMENT_VERSION : CURRENT_VERSION);
            writeUuid(out, r.topicId());
            out.writeInt(r.partitionId());
            out.writeInt(r.leader());
            out.writeInt(r.leaderEpoch());
            out.writeInt(r.partitionEpoch());
            writeIntList(out, r.replicas());
            writeIntList(out, r.isr());
            if (reassigning || assigned) {
                writeIntList(out, r.addingReplicas());
                writeIntList(out, r.removingReplicas());
            }
            if (assigned) {
                writeUuidList(out, r.directories());
            }
        } else if (record instanceof RemoveTopicRecord r) {
            header(out, REMOVE_TOPIC);
            writeUuid(out, r.topicId());
        } else if (record instanceof ConfigRecord r) {
            header(out, CONFIG);
            out.writeByte(r.resourceType().id());
            writeString(out, r.resourceName());
            writeString(out, r.name());
            writeString(out, r.value());
        } else if (record instanceof RegisterBrokerRecord r) {
            header(out, REGISTER_BROKER, r.logDirs().isEmpty() ? REGISTER_BROKER_EPOCH_VERSION : REGISTER_BROKER_VERSION);
            out.writeInt(r.brokerId());
            writeUuid(out, r.incarnationId());
            writeString(out, r.rack());
            out.writeInt(r.endpoints().size());
            for (Endpoint e : r.endpoints()) {
                writeString(out, e.listenerName());
                writeString(out, e.host());
                out.writeInt(e.port());
                writeString(out, e.securityProtocol());
            }
            out.writeLong(r.brokerEpoch());
            out.writeBoolean(r.fenced());
            out.writeBoolean(r.inControlledShutdown());
            if (!r.logDirs().isEmpty()) {
                writeUuidList(out, r.logDirs());
            }
        } else if (record instanceof BrokerRegistrationChangeRecord r) {
            header(out, BROKER_REGISTRATION_CHANGE, r.logDirs().isEmpty() ? CURRENT_VERSION
                    : BROKER_REGISTRATION_CHANGE_VERSION);
            out.writeInt(r.brokerId());
            out.writeLong(r.brokerEpoch());
            out.writeBoolean(r.fenced());
            out.writeBoolean(r.inControlledShutdown());
            if (!r.logDirs().isEmpty()) {
                writeUuidList(out, r.logDirs());
            }
        } else if (record instanceof UnregisterBrokerRecord r) {
            header(out, UNREGISTER_BROKER);
            out.writeInt(r.brokerId());
            out.writeLong(r.brokerEpoch());
        } else if (record instanceof ProducerIdsRecord r) {
            header(out, PRODUCER_IDS);
            out.writeInt(r.brokerId());
            out.writeLong(r.nextProducerId());
        } else if (record instanceof ClusterIdRecord r) {
            header(out, CLUSTER_ID);
            writeString(out, r.clusterId());
        } else if (record instanceof FeatureLevelRecord r) {
            header(out, FEATURE_LEVEL);
            writeString(out, r.name());
            out.writeShort(r.featureLevel());
        } else if (record instanceof AccessControlEntryRecord r) {
            header(out, ACCESS_CONTROL_ENTRY);
            writeUuid(out, r.id());
            out.writeByte(r.resourceType().code());
            writeString(out, r.resourceName());
            out.writeByte(r.patternType().code());
            writeString(out, r.principal());
            writeString(out, r.host());
            out.writeByte(r.operation().code());
            out.writeByte(r.permissionType().code());
        } else if (record instanceof RemoveAccessControlEntryRecord r) {
            header(out, REMOVE_ACCESS_CONTROL_ENTRY);
            writeUuid(out, r.id());
        } else if (record instanceof UserScramCredentialRecord r) {
            header(out, USER_SCRAM_CREDENTIAL);
            writeString(out, r.name());
            out.writeByte(r.mechanism());
            writeBytes(out, r.salt());
            writeBytes(out, r.storedKey());
            writeBytes(out, r.serverKey());
            out.writeInt(r.iterations());
        } else if (record instanceof RemoveUserScramCredentialRecord r) {
            header(out, REMOVE_USER_SCRAM_CREDENTIAL);
            writeString(out, r.name());
            out.writeByte(r.mechanism());
        } else if (record instanceof ClientQuotaRecord r) {
            header(out, CLIENT_QUOTA);
            out.writeInt(r.entity().size());
            for (var part : r.entity().entrySet()) {
                writeString(out, part.getKey());
                writeString(out, part.getValue());
            }
            writeString(out, r.key());
            out.writeByte(r.remove() ? 1 : 0);
            out.writeDouble(r.value());
        } else {
            throw new IllegalArgumentException("Unknown record class: " + record.getClass().getName());
        }
    }

    private static MetadataRecord read(ByteBuffer in) {
        byte type = in.get();
        byte version = in.get();
        byte maxVersion = type == REGISTER_BROKER ? REGISTER_BROKER_VERSION
                : type == PARTITION ? PARTITION_VERSION
                : type == BROKER_REGISTRATION_CHANGE ? BROKER_REGISTRATION_CHANGE_VERSION : CURRENT_VERSION;
        if (version < 0 || version > maxVersion) {
            throw new MetadataFormatException("Unsupported record version: type=" + type + " version=" + version
                    + " maxVersion=" + maxVersion);
        }
        switch (type) {
            case TOPIC: {
                Uuid topicId = readUuid(in);
                return new TopicRecord(readNonNullString(in, "name"), topicId);
            }
            case PARTITION: {
                Uuid topicId = readUuid(in);
                int partitionId = in.getInt();
                int leader = in.getInt();
                int leaderEpoch = in.getInt();
                int partitionEpoch = in.getInt();
                List<Integer> replicas = readIntList(in);
                List<Integer> isr = readIntList(in);
                if (version == 0) {
                    return new PartitionRecord(topicId, partitionId, replicas, isr, leader, leaderEpoch,
                            partitionEpoch);
                }
                List<Integer> adding = readIntList(in);
                List<Integer> removing = readIntList(in);
                List<Uuid> directories = version >= 2 ? readUuidList(in) : List.of();
                if (!directories.isEmpty() && directories.size() != replicas.size()) {
                    throw new MetadataFormatException("One directory per replica expected: replicas=" + replicas.size()
                            + " directories=" + directories.size() + " position=" + in.position());
                }
                return new PartitionRecord(topicId, partitionId, replicas, isr, leader, leaderEpoch, partitionEpoch,
                        adding, removing, directories);
            }
            case REMOVE_TOPIC:
                return new RemoveTopicRecord(readUuid(in));
            case CONFIG: {
                byte typeId = in.get();
                ConfigResource.Type resourceType = ConfigResource.Type.forId(typeId);
                if (resourceType == ConfigResource.Type.UNKNOWN) {
                    throw new MetadataFormatException("Unknown config resource type: resourceType=" + typeId);
                }
                String resourceName = readNonNullString(in, "resourceName");
                String name = readNonNullString(in, "name");
                return new ConfigRecord(resourceType, resourceName, name, readString(in));
            }
            case REGISTER_BROKER: {
                int brokerId = in.getInt();
                Uuid incarnationId = readUuid(in);
                String rack = readString(in);
                int count = readCount(in);
                List<Endpoint> endpoints = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    String listener = readNonNullString(in, "listenerName");
                    String host = readNonNullString(in, "host");
                    int port = in.getInt();
                    endpoints.add(new Endpoint(listener, host, port, readNonNullString(in, "securityProtocol")));
                }
                if (version == 0) {
                    return new RegisterBrokerRecord(brokerId, incarnationId, endpoints, rack);
                }
                long brokerEpoch = in.getLong();
                boolean fenced = readBoolean(in);
                boolean inControlledShutdown = readBoolean(in);
                return new RegisterBrokerRecord(brokerId, incarnationId, endpoints, rack, brokerEpoch, fenced,
                        inControlledShutdown, version >= 2 ? readUuidList(in) : List.of());
            }
            case BROKER_REGISTRATION_CHANGE: {
                int brokerId = in.getInt();
                long brokerEpoch = in.getLong();
                boolean fenced = readBoolean(in);
                boolean inControlledShutdown = readBoolean(in);
                return new BrokerRegistrationChangeRecord(brokerId, brokerEpoch, fenced, inControlledShutdown,
                        version >= 1 ? readUuidList(in) : List.of());
            }
            case UNREGISTER_BROKER: {
                int brokerId = in.getInt();
                return new UnregisterBrokerRecord(brokerId, in.getLong());
            }
            case PRODUCER_IDS: {
                int brokerId = in.getInt();
                return new ProducerIdsRecord(brokerId, in.getLong());
            }
            case CLUSTER_ID:
                return new ClusterIdRecord(readNonNullString(in, "clusterId"));
            case FEATURE_LEVEL: {
                String name = readNonNullString(in, "name");
                short level = in.getShort();
                if (level < 0) {
                    throw new MetadataFormatException("Negative feature level: name=" + name + " featureLevel="
                            + level);
                }
                return new FeatureLevelRecord(name, level);
            }
            case ACCESS_CONTROL_ENTRY:
                return readAccessControlEntry(in);
            case REMOVE_ACCESS_CONTROL_ENTRY:
                return new RemoveAccessControlEntryRecord(readUuid(in));
            case USER_SCRAM_CREDENTIAL: {
                String name = readNonNullString(in, "name");
                byte mechanism = in.get();
                byte[] salt = readBytes(in);
                byte[] storedKey = readBytes(in);
                byte[] serverKey = readBytes(in);
                return new UserScramCredentialRecord(name, mechanism, salt, storedKey, serverKey, in.getInt());
            }
            case REMOVE_USER_SCRAM_CREDENTIAL: {
                String name = readNonNullString(in, "name");
                return new RemoveUserScramCredentialRecord(name, in.get());
            }
            case CLIENT_QUOTA:
                return readClientQuota(in);
            default:
                throw new MetadataFormatException("Unknown record type: type=" + type + " version=" + version);
        }
    }

    private static AccessControlEntryRecord readAccessControlEntry(ByteBuffer in) {
        Uuid id = readUuid(in);
        ResourceType resourceType = ResourceType.fromCode(in.get());
        String resourceName = readNonNullString(in, "resourceName");
        PatternType patternType = PatternType.fromCode(in.get());
        String principal = readNonNullString(in, "principal");
        String host = readNonNullString(in, "host");
        AclOperation operation = AclOperation.fromCode(in.get());
        AclPermissionType permissionType = AclPermissionType.fromCode(in.get());
        if (resourceType.isUnknown() || patternType.isUnknown() || operation.isUnknown() || permissionType.isUnknown()) {
            throw new MetadataFormatException("Unknown ACL enum code: id=" + id + " resourceType=" + resourceType
                    + " patternType=" + patternType + " operation=" + operation + " permissionType=" + permissionType);
        }
        return new AccessControlEntryRecord(id, resourceType, resourceName, patternType, principal, host, operation,
                permissionType);
    }

    private static ClientQuotaRecord readClientQuota(ByteBuffer in) {
        int count = readCount(in);
        if (count == 0) {
            throw new MetadataFormatException("Empty client quota entity: position=" + in.position());
        }
        Map<String, String> entity = new HashMap<>();
        for (int i = 0; i < count; i++) {
            String type = readNonNullString(in, "entityType");
            if (entity.containsKey(type)) {
                throw new MetadataFormatException("Duplicate client quota entity type: type=" + type
                        + " position=" + in.position());
            }
            entity.put(type, readString(in));
        }
        String key = readNonNullString(in, "key");
        boolean remove = readBoolean(in);
        double value = in.getDouble();
        return new ClientQuotaRecord(entity, key, value, remove);
    }

    private static void header(DataOutputStream out, byte type) throws IOException {
        header(out, type, CURRENT_VERSION);
    }

    private static void header(DataOutputStream out, byte type, byte version) throws IOException {
        out.writeByte(type);
        out.writeByte(version);
    }

    private static boolean readBoolean(ByteBuffer in) {
        byte b = in.get();
        if (b != 0 && b != 1) {
            throw new MetadataFormatException("Bad boolean: value=" + b + " position=" + (in.position() - 1));
        }
        return b == 1;
    }

    private static void writeUuid(DataOutputStream out, Uuid uuid) throws IOException {
        out.writeLong(uuid.getMostSignificantBits());
        out.writeLong(uuid.getLeastSignificantBits());
    }

    private static Uuid readUuid(ByteBuffer in) {
        long most = in.getLong();
        return new Uuid(most, in.getLong());
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(ByteBuffer in) {
        int length = in.getInt();
        if (length == -1) {
            return null;
        }
        if (length < -1 || length > in.remaining()) {
            throw new MetadataFormatException("Bad string length: length=" + length + " position=" + in.position()
                    + " remaining=" + in.remaining());
        }
        byte[] utf8 = new byte[length];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static String readNonNullString(ByteBuffer in, String field) {
        String s = readString(in);
        if (s == null) {
            throw new MetadataFormatException("Null in a non-null string field: field=" + field
                    + " position=" + in.position());
        }
        return s;
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new MetadataFormatException("Bad bytes length: length=" + length + " position=" + in.position()
                    + " remaining=" + in.remaining());
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static void writeIntList(DataOutputStream out, List<Integer> values) throws IOException {
        out.writeInt(values.size());
        for (int v : values) {
            out.writeInt(v);
        }
    }

    private static void writeUuidList(DataOutputStream out, List<Uuid> values) throws IOException {
        out.writeInt(values.size());
        for (Uuid v : values) {
            writeUuid(out, v);
        }
    }

    private static List<Uuid> readUuidList(ByteBuffer in) {
        int count = readCount(in);
        if (count > in.remaining() / 16) {
            throw new MetadataFormatException("Bad list length: count=" + count + " position=" + in.position());
        }
        List<Uuid> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(readUuid(in));
        }
        return values;
    }

    private static List<Integer> readIntList(ByteBuffer in) {
        int count = readCount(in);
        if (count > in.remaining() / 4) {
            throw new MetadataFormatException("Bad list length: count=" + count + " position=" + in.position());
        }
        List<Integer> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(in.getInt());
        }
        return values;
    }

    private static int readCount(ByteBuffer in) {
        int count = in.getInt();
        if (count < 0 || count > in.remaining()) {
            throw new MetadataFormatException("Bad element count: count=" + count + " position=" + in.position()
                    + " remaining=" + in.remaining());
        }
        return count;
    }
}

package io.strand.storage.record;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.config;
import static io.strand.storage.TestRecords.batch;
import static io.strand.storage.TestRecords.values;
import static io.strand.storage.record.HostileBatches.Layout;
import static io.strand.storage.record.HostileBatches.append;
import static io.strand.storage.record.HostileBatches.setVarint;
import static io.strand.storage.record.HostileBatches.splice;
import static io.strand.storage.record.HostileBatches.threeRecords;
import static io.strand.storage.record.HostileBatches.varintAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.LogFixture;
import io.strand.storage.TestRecords;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Records that lie about their own fields inside a batch whose CRC is valid: every one is refused with
 * INVALID_RECORD and nothing of it reaches the log, for an uncompressed batch and for every codec.
 */
class PoisonRecordTest {

    /** The record that lies: the middle one of three, so a length that reaches too far stays inside the batch. */
    private static final int LIAR = 1;

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    /** A lie told by record {@link #LIAR}, as a patch of the uncompressed records section. */
    record Lie(String name, UnaryOperator<byte[]> patch) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Lie> lies() {
        List<Lie> lies = new ArrayList<>();
        lies.add(field("key length past the key", Layout::keyLengthAt, +4));
        lies.add(field("key length short of the key", Layout::keyLengthAt, -1));
        lies.add(absolute("key length below -1", Layout::keyLengthAt, -2));
        lies.add(field("value length past the value", Layout::valueLengthAt, +4));
        lies.add(field("value length short of the value", Layout::valueLengthAt, -1));
        lies.add(absolute("value length below -1", Layout::valueLengthAt, -3));
        lies.add(field("header count past the headers", Layout::headerCountAt, +2));
        lies.add(absolute("header count negative", Layout::headerCountAt, -1));
        lies.add(absolute("header count zero before a header", Layout::headerCountAt, 0));
        lies.add(field("header key length past the key", Layout::headerKeyLengthAt, +3));
        lies.add(absolute("header key length null", Layout::headerKeyLengthAt, -1));
        lies.add(field("header value length past the value", Layout::headerValueLengthAt, +3));
        lies.add(absolute("header value length below -1", Layout::headerValueLengthAt, -2));
        lies.add(absolute("offset delta out of order", Layout::offsetDeltaAt, 2));
        lies.add(new Lie("trailing bytes inside a record", s -> {
            Layout layout = Layout.of(s, LIAR);
            return splice(s, LIAR, layout.bodyEnd(), 0, (byte) 0, (byte) 0);
        }));
        lies.add(new Lie("value length varint of six bytes", s -> splice(s, LIAR, Layout.of(s, LIAR).valueLengthAt(), 1,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x01)));
        lies.add(new Lie("value length varint past 32 bits", s -> splice(s, LIAR, Layout.of(s, LIAR).valueLengthAt(), 1,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x10)));
        lies.add(new Lie("bytes after the last record", s -> append(s, (byte) 0, (byte) 0, (byte) 0)));
        return lies;
    }

    private static Lie field(String name, ToIntFunction<Layout> at, int change) {
        return new Lie(name, s -> {
            int pos = at.applyAsInt(Layout.of(s, LIAR));
            return setVarint(s, pos, varintAt(s, pos) + change);
        });
    }

    private static Lie absolute(String name, ToIntFunction<Layout> at, int value) {
        return new Lie(name, s -> setVarint(s, at.applyAsInt(Layout.of(s, LIAR)), value));
    }

    static Stream<Arguments> everyLieInEveryCodec() {
        List<Arguments> cases = new ArrayList<>();
        for (CompressionType codec : CompressionType.values()) {
            for (Lie lie : lies()) {
                cases.add(Arguments.of(codec, lie));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("everyLieInEveryCodec")
    void refusesARecordThatLiesAndAppendsNothing(CompressionType codec, Lie lie) {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(batch(START_MS, "before"), 0);
        long size = log.sizeInBytes();
        MemoryRecords poison = HostileBatches.build(codec, lie.patch(), threeRecords(START_MS));
        poison.batches().iterator().next().ensureValid();

        assertThatThrownBy(() -> log.appendAsLeader(poison, 0))
                .isInstanceOf(InvalidRecordException.class)
                .satisfies(e -> assertThat(Errors.forException(e)).isEqualTo(Errors.INVALID_RECORD));
        assertThat(log.logEndOffset()).isEqualTo(1L);
        assertThat(log.sizeInBytes()).isEqualTo(size);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void acceptsTheSameBatchUnpatchedInEveryCodec(CompressionType codec) {
        PartitionLog log = fx.log(LogConfig.defaults());
        MemoryRecords honest = HostileBatches.build(codec, UnaryOperator.identity(), threeRecords(START_MS));

        log.appendAsLeader(honest, 0);

        RecordBatch stored = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records().batches().iterator().next();
        assertThat(stored.compressionType()).isEqualTo(codec);
        List<String> headers = new ArrayList<>();
        for (Record r : stored) {
            headers.add(r.headers()[0].key() + "=" + TestRecords.string(ByteBuffer.wrap(r.headers()[0].value())));
        }
        assertThat(headers).containsExactly("hk=hv", "hk=hv", "hk=hv");
        assertThat(values(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records())).containsExactly("a", "b", "c");
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "GZIP", "SNAPPY", "LZ4", "ZSTD"})
    void acceptsEveryCodecIntoATopicThatRecompresses(CompressionType codec) {
        String target = codec == CompressionType.ZSTD ? "gzip" : "zstd";
        PartitionLog log = fx.log(config(TopicConfig.COMPRESSION_TYPE_CONFIG, target));

        log.appendAsLeader(HostileBatches.build(codec, UnaryOperator.identity(), threeRecords(START_MS)), 0);

        assertThat(values(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records())).containsExactly("a", "b", "c");
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"GZIP", "ZSTD"})
    void refusesADecompressionBomb(CompressionType codec) {
        PartitionLog log = fx.log(LogConfig.defaults());
        byte[] zeros = new byte[1 << 20];
        int records = 66; // 66 MiB of zeros: past the bound of 64 x max.message.bytes (1 MiB by default)
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(64 * 1024), Compression.of(codec).build(),
                TimestampType.CREATE_TIME, 0L);
        for (int i = 0; i < records; i++) {
            builder.append(START_MS, "k".getBytes(StandardCharsets.UTF_8), zeros);
        }
        MemoryRecords bomb = builder.build();
        assertThat(bomb.sizeInBytes()).isLessThan(LogConfig.defaults().maxMessageBytes());

        assertThatThrownBy(() -> log.appendAsLeader(bomb, 0))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("limit");
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }

    /**
     * One record that declares a 2 GiB body in a batch of a few bytes: refused from its length alone,
     * also in a topic that re-compresses (where kafka-clients' reader would allocate the declared length).
     */
    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"GZIP", "SNAPPY", "LZ4", "ZSTD"})
    void refusesARecordDeclaringMoreThanTheBoundBeforeReadingIt(CompressionType codec) {
        String target = codec == CompressionType.ZSTD ? "gzip" : "zstd";
        PartitionLog log = fx.log(config(TopicConfig.COMPRESSION_TYPE_CONFIG, target));
        MemoryRecords liar = HostileBatches.build(codec,
                s -> HostileBatches.replace(s, 0, 1, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x0f),
                new SimpleRecord(START_MS, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(() -> log.appendAsLeader(liar, 0)).isInstanceOf(InvalidRecordException.class);
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void refusesCompressedBytesTheCodecCannotRead() {
        PartitionLog log = fx.log(LogConfig.defaults());
        MemoryRecords honest = HostileBatches.build(CompressionType.LZ4, UnaryOperator.identity(), threeRecords(START_MS));
        ByteBuffer buf = honest.buffer();
        for (int i = HostileBatches.RECORDS_OFFSET + 8; i < buf.limit(); i++) {
            buf.put(i, (byte) 0x5a);
        }
        HostileBatches.fixCrc(buf);

        assertThatThrownBy(() -> log.appendAsLeader(honest, 0)).isInstanceOf(InvalidRecordException.class);
        assertThat(log.logEndOffset()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 6, 7})
    void refusesABatchNamingNoKnownCodec(int codecId) {
        PartitionLog log = fx.log(LogConfig.defaults());
        MemoryRecords batch = HostileBatches.build(CompressionType.NONE, UnaryOperator.identity(), threeRecords(START_MS));
        ByteBuffer buf = batch.buffer();
        int attributesAt = buf.position() + BatchValidator.ATTRIBUTES_OFFSET;
        buf.putShort(attributesAt, (short) ((buf.getShort(attributesAt) & ~BatchValidator.COMPRESSION_CODEC_MASK) | codecId));
        HostileBatches.fixCrc(buf);

        assertThatThrownBy(() -> log.appendAsLeader(batch, 0))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("codec id=" + codecId);
        assertThat(log.logEndOffset()).isZero();
    }
}

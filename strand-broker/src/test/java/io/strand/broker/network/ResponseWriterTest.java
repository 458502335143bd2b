package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.File;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponseWriterTest {

    @TempDir
    Path dir;

    @Test
    void recordsFromASegmentFileGoOutAsAFileRegionNotThroughTheHeap() throws Exception {
        File file = dir.resolve("00000000000000000000.log").toFile();
        FileRecords segment = FileRecords.open(file);
        segment.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("a".getBytes()), new SimpleRecord("b".getBytes())));
        segment.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("c".getBytes())));
        segment.flush();
        FileRecords slice = segment.slice(0, segment.sizeInBytes());

        FetchResponseData response = new FetchResponseData();
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse().setTopic("t");
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setRecords(slice));
        response.responses().add(topic);
        short version = 12;
        EmbeddedChannel channel = new EmbeddedChannel();
        ResponseWriter.write(channel, new ResponseHeader(42, ApiKeys.FETCH.responseHeaderVersion(version)), response, version);
        channel.flush();

        List<Object> parts = new ArrayList<>();
        Object part;
        while ((part = channel.readOutbound()) != null) {
            parts.add(part);
        }
        assertThat(parts).hasSize(3);
        assertThat(parts.get(1)).isInstanceOf(FileRegion.class);
        FileRegion region = (FileRegion) parts.get(1);
        assertThat(region.count()).isEqualTo(segment.sizeInBytes());
        ByteBuf head = (ByteBuf) parts.get(0);
        ByteBuf tail = (ByteBuf) parts.get(2);
        int frameSize = head.getInt(0);
        assertThat(frameSize).isEqualTo(head.readableBytes() - 4 + (int) region.count() + tail.readableBytes());
        head.release();
        tail.release();
        region.release();
        assertThat(segment.channel().isOpen()).as("the segment keeps its channel").isTrue();
        segment.close();
        FileChannel.open(file.toPath()).close();
    }
}

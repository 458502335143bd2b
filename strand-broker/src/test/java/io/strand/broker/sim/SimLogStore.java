package io.strand.broker.sim;

import io.strand.storage.LogManager;
import io.strand.storage.ReplicaLogStore;
import io.strand.storage.log.LogConfig;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.utils.Time;

/**
 * One incarnation's view of a simulated broker's log directory, in place of its {@link LogManager}:
 * the logs ({@link SimLog}) it opened over the directory's {@link Disk}, which outlives the
 * incarnation. Opening a log loads it as a start after a crash does; {@link #abandon()} is the kill -9
 * (open logs refuse further writes, nothing is flushed or checkpointed). As the log manager does, a
 * truncation checkpoints the high watermark of every open log. A stray log is set aside, never
 * loaded again.
 *
 * <p>Not thread-safe: the simulation's event loop only.
 */
final class SimLogStore implements ReplicaLogStore {

    /** A broker's log directory: what every incarnation of it finds. */
    static final class Disk {
        private final Map<TopicPartition, SimLog.Stored> logs = new HashMap<>();
        private final Map<String, SimLog.Stored> strays = new HashMap<>();
    }

    private final Disk disk;
    private final Time time;
    private final Map<TopicPartition, SimLog> open = new HashMap<>();
    private final Set<TopicPartition> foundAtStartup;

    SimLogStore(Disk disk, Time time) {
        this.disk = disk;
        this.time = time;
        this.foundAtStartup = new HashSet<>(disk.logs.keySet());
    }

    @Override
    public Set<TopicPartition> partitionsOnDisk() {
        return Set.copyOf(foundAtStartup);
    }

    @Override
    public int openExistingLogs(Collection<LogManager.LogSpec> specs) {
        int opened = 0;
        for (LogManager.LogSpec spec : specs) {
            SimLog.Stored stored = disk.logs.get(spec.tp());
            if (stored != null && !open.containsKey(spec.tp()) && stored.topicId.equals(spec.topicId())) {
                open(spec.tp(), stored, spec.config());
                opened++;
            }
        }
        return opened;
    }

    @Override
    public SimLog getOrCreateLog(TopicPartition tp, Uuid topicId, LogConfig config) {
        SimLog existing = open.get(tp);
        SimLog.Stored stored = disk.logs.get(tp);
        if (stored != null && !stored.topicId.equals(topicId)) {
            throw new InconsistentTopicIdException("Log of " + tp + " has topic id " + stored.topicId + ", not "
                    + topicId);
        }
        if (existing != null) {
            return existing;
        }
        if (stored == null) {
            stored = new SimLog.Stored(topicId);
            disk.logs.put(tp, stored);
        }
        return open(tp, stored, config);
    }

    @Override
    public Optional<Path> renameStrayLog(TopicPartition tp) {
        foundAtStartup.remove(tp);
        SimLog log = open.remove(tp);
        if (log != null) {
            log.close();
        }
        SimLog.Stored stored = disk.logs.remove(tp);
        if (stored == null) {
            return Optional.empty();
        }
        String name = tp + "." + disk.strays.size() + "-stray";
        disk.strays.put(name, stored);
        return Optional.of(Path.of(name));
    }

    @Override
    public void deleteLog(TopicPartition tp) {
        foundAtStartup.remove(tp);
        SimLog log = open.remove(tp);
        if (log != null) {
            log.close();
        }
        disk.logs.remove(tp);
    }

    /** The process is killed: no open log writes again. */
    void abandon() {
        open.values().forEach(SimLog::close);
        open.clear();
    }

    private SimLog open(TopicPartition tp, SimLog.Stored stored, LogConfig config) {
        SimLog log = new SimLog(tp, stored, config, time, this::checkpointHighWatermarks);
        open.put(tp, log);
        return log;
    }

    private void checkpointHighWatermarks() {
        open.values().forEach(SimLog::checkpointHighWatermark);
    }
}

package io.strand.it;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The topics the golden request fixtures name, shared by {@link GoldenRequestCaptureIT} (which
 * creates them before capturing) and {@link RequestFuzzIT} (which creates them again before
 * replaying mutated fixtures). Each client produces to a topic of its own; admin requests that
 * change or delete topics only touch {@link #ADMIN} and {@link #DOOMED}, so that the produce topics
 * change only by appends.
 */
final class FuzzTopics {

    static final String JAVA = "golden-java";
    static final String KCAT = "golden-kcat";
    static final String KAFKAJS = "golden-kafkajs";
    /** Target of alter configs, create partitions and delete records. */
    static final String ADMIN = "golden-admin";
    /** Deleted by the captured DeleteTopics request. */
    static final String DOOMED = "golden-doomed";

    /** Every topic with its partition count at creation. */
    static final Map<String, Integer> ALL = topics();

    /** Topics whose logs change only by appends: the fuzzer checks these record for record. */
    static final List<String> PRODUCED = List.of(JAVA, KCAT, KAFKAJS);

    private FuzzTopics() {
    }

    private static Map<String, Integer> topics() {
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(JAVA, 2);
        topics.put(KCAT, 1);
        topics.put(KAFKAJS, 1);
        topics.put(ADMIN, 1);
        topics.put(DOOMED, 1);
        return topics;
    }
}

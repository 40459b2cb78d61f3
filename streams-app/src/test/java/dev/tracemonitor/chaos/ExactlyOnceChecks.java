package dev.tracemonitor.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.testing.TopicReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The exactly-once checks shared by the chaos and two-instance tests. */
final class ExactlyOnceChecks {

    private ExactlyOnceChecks() {
    }

    /** "trace_id/judge" for every judge the monitor samples for every trace (each gives one Assessment here). */
    static Set<String> expectedAssessments(MonitorConfig monitor, Collection<String> traceIds) {
        Set<String> expected = new HashSet<>();
        for (String id : traceIds) {
            Sampler.selectedJudges(monitor, id).forEach(j -> expected.add(id + "/" + j.name()));
        }
        return expected;
    }

    static void assertExactlyOncePerTraceAndJudge(String where, List<DeltaRows.AssessmentKey> found,
                                                  Set<String> expected) {
        Map<String, Integer> perTraceAndJudge = new HashMap<>();
        Set<String> assessmentIds = new HashSet<>();
        List<String> duplicateIds = new ArrayList<>();
        for (DeltaRows.AssessmentKey key : found) {
            perTraceAndJudge.merge(key.traceId() + "/" + key.name(), 1, Integer::sum);
            if (!assessmentIds.add(key.assessmentId())) {
                duplicateIds.add(key.assessmentId());
            }
            assertThat(key.assessmentId()).isEqualTo(Assessment.deterministicId(key.traceId(), key.name(), null));
        }
        List<String> duplicates = perTraceAndJudge.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey).limit(10).toList();
        assertThat(duplicates).as("%s: (trace, judge) with more than one assessment", where).isEmpty();
        assertThat(duplicateIds).as("%s: duplicate assessment_id", where).isEmpty();
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(perTraceAndJudge.keySet());
        Set<String> unexpected = new HashSet<>(perTraceAndJudge.keySet());
        unexpected.removeAll(expected);
        assertThat(missing).as("%s: sampled (trace, judge) without an assessment", where).isEmpty();
        assertThat(unexpected).as("%s: assessments for (trace, judge) not sampled", where).isEmpty();
        assertThat(found).as("%s: assessments", where).hasSize(expected.size());
    }

    /** The Assessments on the feedback topic, read_committed, as keys. */
    static List<DeltaRows.AssessmentKey> feedbackOnTopic(String bootstrap, String topic) {
        List<DeltaRows.AssessmentKey> keys = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted(bootstrap, topic)) {
            Assessment a = TraceJsonCodec.decodeAssessment(r.value());
            keys.add(new DeltaRows.AssessmentKey(a.traceId(), a.assessmentName(), a.assessmentId(), false));
        }
        return keys;
    }

    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrap, String topic) {
        return TopicReader.readToEnd(bootstrap, topic, 0);
    }
}

package dev.tracemonitor.sampling;

import dev.tracemonitor.model.MonitorConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The deterministic, nested sampling rule. {@code u(trace_id)} is the first 8 bytes of SHA-256(UTF-8 trace_id) read
 * as an unsigned 64-bit integer divided by 2^64; a judge runs on a trace iff {@code u < rate}, with the judge's own
 * {@code sample_rate} when given, else the monitor's {@code sample}. The same trace gets the same decision on every
 * instance and replay, and a judge at a lower rate sees a subset of the traces of a judge at a higher rate.
 */
public final class Sampler {

    private static final double TWO_TO_THE_64 = 18446744073709551616.0;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JVM specification", e);
        }
    });

    private Sampler() {
    }

    /** The trace's position in [0, 1). */
    public static double u(String traceId) {
        byte[] digest = SHA256.get().digest(traceId.getBytes(StandardCharsets.UTF_8));
        long first8 = ByteBuffer.wrap(digest, 0, 8).getLong();
        return unsignedToDouble(first8) / TWO_TO_THE_64;
    }

    public static boolean selected(String traceId, double rate) {
        return u(traceId) < rate;
    }

    /** The judges of a monitor that run on this trace, expanded so each named guideline is one judge. */
    public static List<JudgeSpec> selectedJudges(MonitorConfig config, String traceId) {
        double u = u(traceId);
        List<JudgeSpec> selected = new ArrayList<>();
        for (JudgeSpec spec : JudgeSpec.of(config)) {
            if (u < spec.sampleRate()) {
                selected.add(spec);
            }
        }
        return selected;
    }

    private static double unsignedToDouble(long value) {
        double d = (double) (value >>> 1) * 2.0;
        return d + (value & 1L);
    }

    /**
     * One judge of a monitor with its effective rate; a guidelines judge carries its texts, a template judge its
     * monitor entry ({@code template}: instructions and value type), a code scorer {@code scorer} true (its name is the
     * plugin scorer's). {@code model} is the judge model the monitor names for it, null for the backend's default.
     */
    public record JudgeSpec(String name, double sampleRate, List<String> guidelines, String model,
                            MonitorConfig.JudgeConfig template, boolean scorer) {
        public JudgeSpec {
            guidelines = guidelines == null ? null : List.copyOf(guidelines);
        }

        public JudgeSpec(String name, double sampleRate, List<String> guidelines, String model,
                         MonitorConfig.JudgeConfig template) {
            this(name, sampleRate, guidelines, model, template, false);
        }

        public JudgeSpec(String name, double sampleRate, List<String> guidelines, String model) {
            this(name, sampleRate, guidelines, model, null);
        }

        public JudgeSpec(String name, double sampleRate, List<String> guidelines) {
            this(name, sampleRate, guidelines, null);
        }

        /** A code scorer's spec: its name is the plugin scorer's name. */
        public static JudgeSpec scorer(String name, double sampleRate) {
            return new JudgeSpec(name, sampleRate, null, null, null, true);
        }

        public JudgeSpec withSampleRate(double rate) {
            return new JudgeSpec(name, rate, guidelines, model, template, scorer);
        }

        public boolean isTemplate() {
            return template != null;
        }

        public boolean isGuidelines() {
            return guidelines != null;
        }

        public static List<JudgeSpec> of(MonitorConfig config) {
            List<JudgeSpec> specs = new ArrayList<>();
            double sample = config.defaultSample();
            for (MonitorConfig.JudgeConfig judge : config.judges()) {
                double rate = judge.sampleRate() != null ? judge.sampleRate() : sample;
                if (judge.isScorer()) {
                    specs.add(JudgeSpec.scorer(judge.scorer(), rate));
                } else if (judge.isTemplate()) {
                    specs.add(new JudgeSpec(judge.name(), rate, null, judge.model(), judge));
                } else if (judge.isGuidelines()) {
                    for (Map.Entry<String, List<String>> g : judge.guidelines().entrySet()) {
                        specs.add(new JudgeSpec(g.getKey(), rate, g.getValue(), judge.model()));
                    }
                } else {
                    specs.add(new JudgeSpec(judge.name(), rate, null, judge.model()));
                }
            }
            return specs;
        }
    }
}

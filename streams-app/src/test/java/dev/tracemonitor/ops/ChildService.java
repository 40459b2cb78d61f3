package dev.tracemonitor.ops;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.ServiceProcess;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * A test-scope {@code main} that runs the service exactly as {@code trace-monitor run} does ({@link ServiceProcess},
 * signal handling included), with the {@link ScriptedJudgeBackend} made slow ({@code judge.delay.ms} milliseconds per
 * call) so that there is work in flight when it is stopped. Usage: {@code ChildService <properties file>}.
 */
public final class ChildService {

    private ChildService() {
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            props.load(in);
        }
        long delayMillis = Long.parseLong((String) props.remove("judge.delay.ms"));
        ServiceConfig config = ServiceConfig.of(props).validate();
        int status = ServiceProcess.runUntilSignalled(config, new SlowJudges(new ScriptedJudgeBackend(), delayMillis),
                new PrintWriter(System.out, true));
        System.exit(status);
    }

    /** Each judge call takes at least the given time, like a remote model. */
    static final class SlowJudges implements JudgeBackend {
        private final JudgeBackend backend;
        private final long delayMillis;

        SlowJudges(JudgeBackend backend, long delayMillis) {
            this.backend = backend;
            this.delayMillis = delayMillis;
        }

        @Override
        public Judge builtin(BuiltinJudge judge, String model) {
            return slow(backend.builtin(judge, model));
        }

        @Override
        public Judge guidelines(String name, List<String> guidelines, String model) {
            return slow(backend.guidelines(name, guidelines, model));
        }

        private Judge slow(Judge judge) {
            return new Judge() {
                @Override
                public String name() {
                    return judge.name();
                }

                @Override
                public AssessmentSource source() {
                    return judge.source();
                }

                @Override
                public JudgeOutcome evaluate(Trace trace) throws Exception {
                    Thread.sleep(delayMillis); // the simulated latency of a model call, not a wait for a condition
                    return judge.evaluate(trace);
                }
            };
        }
    }
}

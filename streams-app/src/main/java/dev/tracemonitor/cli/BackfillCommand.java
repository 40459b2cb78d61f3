package dev.tracemonitor.cli;

import dev.tracemonitor.backfill.Backfill;
import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.service.JudgeBackends;
import dev.tracemonitor.service.ServiceConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trace-monitor backfill}: judges the traces a monitor's table already holds for a time range, with the
 * monitor's filter and sampling, publishing the Assessments as the service does; each (trace, judge) pair once, also
 * across interrupted and repeated runs ({@link Backfill}).
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = "Judge a monitor's past traces (from its trace_logs table) and publish the Assessments.",
        footer = {"", "Exit codes: 0 done, 2 bad usage or configuration, 3 Kafka unreachable, 4 no such monitor,",
                "130 interrupted (what was committed is kept; run the same command again to resume)."})
final class BackfillCommand implements Callable<Integer> {

    static final int INTERRUPTED = 130;
    /** As Databricks' backfill_scorers: the last seven days when --from is not given. */
    static final Duration DEFAULT_RANGE = Duration.ofDays(7);

    @Mixin
    ServiceOptions options = new ServiceOptions();

    @Option(names = "--experiment-id", required = true, description = "The monitor's experiment.")
    String experimentId;

    @Option(names = "--from", description = "Start of the range of request times, ISO-8601, inclusive"
            + " (default: 7 days before --to).")
    Instant from;

    @Option(names = "--to", description = "End of the range of request times, ISO-8601, exclusive (default: now).")
    Instant to;

    @Option(names = "--judge", description = "A judge of the monitor or a builtin judge; repeatable"
            + " (default: all of the monitor's).")
    List<String> judges = new ArrayList<>();

    @Option(names = "--sample", description = "Sampling rate for every judge instead of the monitor's rates, 0..1.")
    Double sample;

    @Option(names = "--dry-run", description = "Print how many traces and judge calls the run would make, and the"
            + " estimated tokens and cost where prices are configured; judge nothing.")
    boolean dryRun;

    @Option(names = "--timeout", defaultValue = "PT30S", description = "How long to wait for Kafka"
            + " (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ServiceConfig config;
        Backfill.Request request;
        try {
            config = ServiceConfig.of(options.properties(Map.of())).validate();
            JudgeBackends.check(config.judging());
            Instant end = to != null ? to : Instant.now();
            request = new Backfill.Request(experimentId, from != null ? from : end.minus(DEFAULT_RANGE), end, judges,
                    sample, dryRun);
        } catch (ConfigException e) {
            err.println("trace-monitor: invalid configuration: " + e.getMessage());
            return MonitorCommand.USAGE;
        } catch (IllegalArgumentException e) {
            err.println("trace-monitor: " + e.getMessage());
            return MonitorCommand.USAGE;
        } catch (IOException e) {
            err.println("trace-monitor: cannot read the configuration file " + options.configFile + ": " + e);
            return MonitorCommand.USAGE;
        }
        Thread worker = Thread.currentThread();
        Thread onSignal = new Thread(() -> {
            worker.interrupt();
            try {
                worker.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "backfill-shutdown");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try (JudgeBackend backend = JudgeBackends.create(config)) {
            MonitorConfig monitor = monitor(config);
            if (monitor == null) {
                err.println("trace-monitor: no monitor for experiment " + experimentId);
                return MonitorCommand.NOT_FOUND;
            }
            Backfill.Summary summary = new Backfill(config, backend, err).run(monitor, request);
            print(out, request, summary);
            return summary.complete() ? 0 : INTERRUPTED;
        } catch (IllegalArgumentException e) {
            err.println("trace-monitor: " + e.getMessage());
            return MonitorCommand.USAGE;
        } catch (KafkaException e) {
            err.println("trace-monitor: Kafka: " + e.getMessage());
            return MonitorCommand.NO_ANSWER;
        } catch (InterruptedException e) {
            err.println("trace-monitor: interrupted; what was committed is kept");
            return INTERRUPTED;
        } catch (Exception e) {
            err.println("trace-monitor: " + e);
            return MonitorCommand.NO_ANSWER;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the JVM is exiting after it
            }
        }
    }

    private MonitorConfig monitor(ServiceConfig config) throws Exception {
        MonitorCommand.Connection connection = new MonitorCommand.Connection();
        connection.bootstrapServers = config.getString(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG);
        connection.configFile = options.configFile;
        connection.configTopic = config.topics().monitorConfig();
        connection.statusTopic = config.topics().monitorStatus();
        connection.timeout = timeout;
        try (MonitorCommand.ControlPlane plane = new MonitorCommand.ControlPlane(connection)) {
            MonitorStatus status = plane.inForce(experimentId);
            return status == null ? null : status.configInForce();
        }
    }

    private static void print(PrintWriter out, Backfill.Request request, Backfill.Summary summary) {
        out.printf("experiment %s, request times [%s, %s)%n", request.experimentId(), request.from(), request.to());
        out.printf("traces scanned %d, in range %d, matching the filter %d; sampled pairs already judged %d%n",
                summary.scanned(), summary.inRange(), summary.matched(), summary.alreadyJudged());
        out.printf("%s %d judge calls ((trace, judge) pairs) on %d traces%n", request.dryRun() ? "would make" : "to make",
                summary.plannedPairs(), summary.traces());
        summary.pairs().forEach((judge, pairs) -> out.printf("  %-24s %d%n", judge, pairs));
        out.printf("estimated input tokens %d (request and response characters / %d per call)%s%n",
                summary.estimatedInputTokens(), Backfill.CHARS_PER_TOKEN, summary.estimatedInputCost() == null
                        ? "" : ", estimated input cost $" + summary.estimatedInputCost().toPlainString());
        if (request.dryRun()) {
            return;
        }
        out.printf("judged %d pairs: %d assessments published (%d errors), tokens in %d / out %d%s%s%n",
                summary.judged(), summary.assessments(), summary.errors(), summary.inputTokens(),
                summary.outputTokens(), summary.cost() == null ? "" : ", cost $" + summary.cost().toPlainString(),
                summary.complete() ? "" : " — interrupted: run the same command again to resume");
    }
}

package dev.tracemonitor.cli;

import dev.tracemonitor.service.JudgeBackends;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.ServiceProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trace-monitor run}: the service against an existing Kafka cluster, until SIGTERM. An invalid setting ends
 * it at once with status 2 and a message naming the key; a clean stop ends it with status 0.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the service (Kafka Streams topology + Delta sink) against a Kafka cluster until SIGTERM.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    ServiceOptions options = new ServiceOptions();

    @Option(names = "--flush-interval", description = "Delta commit interval, ISO-8601 (trace-monitor.flush.interval).")
    String flushInterval;

    @Option(names = "--judge-backend", description = "local or llm (trace-monitor.judge.backend).")
    String judgeBackend;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ServiceConfig config;
        try {
            config = ServiceConfig.of(properties()).validate();
            JudgeBackends.check(config.judging());
        } catch (ConfigException e) {
            err.println("trace-monitor: invalid configuration: " + e.getMessage());
            err.flush();
            return 2;
        } catch (IOException e) {
            err.println("trace-monitor: cannot read the configuration file " + options.configFile + ": " + e);
            err.flush();
            return 2;
        }
        return ServiceProcess.runUntilSignalled(config, JudgeBackends.create(config), spec.commandLine().getOut());
    }

    Properties properties() throws IOException {
        Map<String, String> flags = new HashMap<>();
        flags.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, flushInterval);
        flags.put(ServiceConfig.JUDGE_BACKEND_CONFIG, judgeBackend);
        return options.properties(flags);
    }
}

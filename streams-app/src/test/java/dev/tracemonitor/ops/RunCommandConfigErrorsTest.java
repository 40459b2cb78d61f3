package dev.tracemonitor.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.cli.TraceMonitorCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code trace-monitor run} with an invalid setting exits at once with status 2 and a message naming the key, before
 * it connects to anything (the bootstrap address below is a closed loopback port).
 */
class RunCommandConfigErrorsTest {

    private static final String BROKER = "127.0.0.1:1";

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of(List.of("--flush-interval", "15 minutes"), "trace-monitor.flush.interval"),
                Arguments.of(List.of("-D", "trace-monitor.flush.interval=PT0S"), "trace-monitor.flush.interval"),
                Arguments.of(List.of("-D", "trace-monitor.http.port=70000"), "trace-monitor.http.port"),
                Arguments.of(List.of("-D", "trace-monitor.http.port=-2"), "trace-monitor.http.port"),
                Arguments.of(List.of("-D", "trace-monitor.shutdown.timeout=30s"), "trace-monitor.shutdown.timeout"),
                Arguments.of(List.of("-D", "trace-monitor.judge.max.in.flight=lots"), "trace-monitor.judge.max.in.flight"),
                Arguments.of(List.of("-D", "trace-monitor.flush.intervall=PT1M"), "trace-monitor.flush.intervall"),
                Arguments.of(List.of("--judge-backend", "gpt"), "trace-monitor.judge.backend"),
                Arguments.of(List.of("-D", "security.protocol=TLS"), "security.protocol"),
                Arguments.of(List.of("-D", "max.poll.records=many"), "max.poll.records"),
                Arguments.of(List.of("-D", "processing.guarantee=twice"), "processing.guarantee"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidSettings")
    void invalidSettingExitsWithStatus2NamingTheKey(List<String> flags, String key) {
        List<String> args = new ArrayList<>(List.of("run", "--bootstrap-servers", BROKER));
        args.addAll(flags);
        Result result = run(args);
        assertThat(result.status()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).startsWith("trace-monitor: invalid configuration:").contains(key);
        assertThat(result.out()).doesNotContain("running");
    }

    @Test
    void missingBootstrapServersExitsWithStatus2NamingTheKey() {
        Result result = run(List.of("run"));
        assertThat(result.status()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains("bootstrap.servers");
    }

    @Test
    void invalidValueInTheConfigFileExitsWithStatus2NamingTheKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trace-monitor.properties");
        Files.writeString(file, "bootstrap.servers=" + BROKER + "\ntrace-monitor.sink.max.rows.per.file=0\n");
        Result result = run(List.of("run", "--config", file.toString()));
        assertThat(result.status()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains("trace-monitor.sink.max.rows.per.file");
    }

    @Test
    void unreadableConfigFileExitsWithStatus2NamingTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.properties");
        Result result = run(List.of("run", "--config", missing.toString()));
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains(missing.toString());
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TraceMonitorCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int status = cli.execute(args.toArray(String[]::new));
        return new Result(status, out.toString(), err.toString());
    }
}

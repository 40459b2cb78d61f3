package dev.tracemonitor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trace-monitor quickstart} run as the launcher runs it (a JVM of its own, on the main classpath and so with
 * the main {@code logback.xml}): the terminal shows progress and ends with the summary, the log is in the file.
 */
class QuickstartCommandTest {

    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

    /** A line as {@code logback-levels.xml}'s pattern writes it: time, level, [thread], logger, " - ". */
    private static final Pattern LOGBACK_LINE =
            Pattern.compile("^\\d{2}:\\d{2}:\\d{2}\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR) +\\[[^]]*] \\S+ - .*");

    /** Any logging framework's line: a level word in capitals (logback, log4j, JUL) or SLF4J's own warnings. */
    private static final Pattern ANY_LOG_LINE =
            Pattern.compile(".*(\\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|SEVERE|FATAL)\\b|SLF4J).*");

    /** The summary's last line: the Spark SQL query over the table. */
    private static final Pattern SUMMARY_LAST_LINE = Pattern.compile("^ {4}SELECT a\\.assessment_name, .* ORDER BY 1, 2$");

    @TempDir
    Path dir;

    @Test
    void terminalShowsOnlyProgressAndEndsWithTheSummaryWhileTheLogGoesToTheFileItNames() throws Exception {
        Path logFile = dir.resolve("logs").resolve("quickstart.log");

        Run run = quickstart("--traces", "20", "--malformed", "2", "--log-file", logFile.toString());

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.stdout()).as(run.describe()).noneMatch(line -> ANY_LOG_LINE.matcher(line).matches());
        assertThat(run.stderr()).as(run.describe()).isEmpty();
        assertThat(run.stdout().get(1)).contains(logFile.toString());
        assertEndsWithTheSummary(run);

        List<String> log = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        assertThat(log).anyMatch(line -> LOGBACK_LINE.matcher(line).matches()
                && line.contains("dev.tracemonitor.sink.TableWriter - Committed"));
        assertThat(log).anyMatch(line -> LOGBACK_LINE.matcher(line).matches()
                && line.contains("DeadLetter - dead-lettering record"));
    }

    @Test
    void verboseKeepsTheLogOnTheTerminalAndWritesNoLogFile() throws Exception {
        Path logFile = dir.resolve("quickstart.log");

        Run run = quickstart("--traces", "5", "--malformed", "1", "--log-file", logFile.toString(), "--verbose");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.stderr()).as(run.describe()).anyMatch(line -> LOGBACK_LINE.matcher(line).matches()
                && line.contains("DeadLetter - dead-lettering record"));
        assertThat(run.stdout()).noneMatch(line -> line.contains(logFile.toString()));
        assertThat(logFile).doesNotExist();
        assertEndsWithTheSummary(run);
    }

    private static void assertEndsWithTheSummary(Run run) {
        List<String> lines = run.stdout().stream().filter(line -> !line.isBlank()).toList();
        assertThat(lines).as(run.describe()).anyMatch(line -> line.startsWith("Summary ("));
        assertThat(lines.get(lines.size() - 1)).as(run.describe()).matches(SUMMARY_LAST_LINE);
    }

    /** The exit code and the two terminal streams of one quickstart. */
    private record Run(int exitCode, List<String> stdout, List<String> stderr) {

        String describe() {
            return "--- stdout ---\n" + String.join("\n", stdout) + "\n--- stderr ---\n" + String.join("\n", stderr);
        }
    }

    @Test
    void serveKeepsTheDemoUpAndServesThePageAtTheUrlItPrintsUntilSigterm() throws Exception {
        Process process = start("--traces", "20", "--malformed", "2", "--serve", "--http-port", "0");
        try {
            Path stdout = dir.resolve("stdout.txt");
            Pattern urlLine = Pattern.compile("^ +monitoring page: (http://127\\.0\\.0\\.1:\\d+/)\\?experiment_id=42 .*");
            String url = await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(
                    () -> lines(stdout).stream().map(urlLine::matcher).filter(Matcher::matches).findFirst()
                            .map(m -> m.group(1)), java.util.Optional::isPresent).orElseThrow();

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<script src=\"/page.js\"");
            assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
            JsonNode summary = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(
                    URI.create(url + "api/summary?experiment_id=42")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(summary.path("counts").path("traces_requested").asLong()).isEqualTo(20);
            assertThat(summary.path("counts").path("dead_lettered").asLong()).isEqualTo(2);
            assertThat(summary.path("judges")).isNotEmpty();
        } finally {
            process.destroy();
            assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("stopped on SIGTERM").isTrue();
        }
        assertThat(process.exitValue()).as(String.join("\n", lines(dir.resolve("stdout.txt")))).isZero();
    }

    private Process start(String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", mainClasspath(), TraceMonitorCommand.class.getName(), "quickstart",
                "--warehouse", dir.resolve("warehouse").toString(), "--flush-interval", "PT1S"));
        command.addAll(List.of(options));
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        process.getOutputStream().close();
        return process;
    }

    private Run quickstart(String... options) throws IOException, InterruptedException {
        Process process = start(options);
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        if (!process.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the quickstart did not finish within " + RUN_TIMEOUT + "\n"
                    + new Run(-1, lines(stdout), lines(stderr)).describe());
        }
        return new Run(process.exitValue(), lines(stdout), lines(stderr));
    }

    /** This JVM's classpath without the test classes, whose logback-test.xml would take the place of logback.xml. */
    private static String mainClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static List<String> lines(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
    }
}

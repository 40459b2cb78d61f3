package dev.tracemonitor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.ServiceProcess;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.topology.Topics;
import io.delta.kernel.data.Row;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The monitoring page in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) against the
 * service as {@code trace-monitor run} runs it, after a known workload: traces whose response says BAD fail both
 * judges. The chart's points are the pass rates computed here from the trace_assessments table, the failing list
 * shows the table's failing Assessments, and a trace whose text holds markup shows it as text, running none of it.
 * Screenshots go to {@code target/screenshots/}.
 */
class MonitoringPageBrowserTest {

    /** Set (to {@code required}) by {@code .ci/run}: without a browser the test fails instead of being skipped. */
    static final String BROWSER_TESTS_ENV = "BROWSER_TESTS";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final int TRACES = 24;
    private static final int MALFORMED = 2;
    private static final String XSS_TRACE = "tr-markup";
    private static final String XSS_REQUEST = "<script>document.title='pwned';window.__xss=1</script> what is <b>2+2</b>?";
    private static final String XSS_RESPONSE = "BAD <img src=x onerror=\"window.__xss=2\"> <script>window.__xss=3</script>";
    private static final String MONITOR = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "ops",
             "assessments_config": {"sample": 1.0, "assessments": [{"name": "safety"}, {"name": "relevance_to_query"}]}}""";
    // the chart's geometry in page.js: y = TOP + (1 - rate) * (H - TOP - BOTTOM)
    private static final double CHART_TOP = 10;
    private static final double CHART_HEIGHT = 260 - 10 - 28;

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    static Path dir;

    /** One chart point: a judge's yes and yes-or-no counts in the flush window starting at {@code windowStart}. */
    private record Point(String judge, long windowStart, long passed, long total) {
    }

    /** One failing Assessment as the list shows it. */
    private record Failing(String traceId, String judge, String rationale) {
    }

    @Test
    void pageChartsTheTablesPassRatesListsTheFailingAssessmentsAndShowsMarkupInTracesAsText() throws Exception {
        requireBrowser();
        Topics topics = Topics.defaults();
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        Path warehouse = dir.resolve("warehouse");
        props.put(ServiceConfig.WAREHOUSE_CONFIG, warehouse.toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1S");
        OpsEndpoint endpoint = OpsEndpoint.onFreePort();
        props.putAll(endpoint.settings());
        ServiceConfig config = ServiceConfig.of(props);
        Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());

        StringWriter output = new StringWriter();
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> ServiceProcess.run(config, new ScriptedJudgeBackend(), new PrintWriter(output, true), stop));
        WebDriver browser = null;
        try {
            endpoint.awaitStarted(Duration.ofMinutes(1), exit::isDone, () -> "its output:\n" + output);
            OpsTestKit.publishMonitor(client, topics.monitorConfig(), topics.monitorStatus(), MONITOR, 1);
            Set<String> bad = produceWorkload(client, topics.traces());

            String assessmentsTable = warehouse.resolve("main/ops/trace_assessments_42").toString();
            String logsTable = warehouse.resolve("main/ops/trace_logs_42").toString();
            int traces = TRACES + 1;
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() ->
                    OpsTestKit.table(assessmentsTable).map(DeltaTableStats::rows).orElse(0L) == 2L * traces
                            && OpsTestKit.table(logsTable).map(DeltaTableStats::rows).orElse(0L) == traces
                            && endpoint.scrape().sum("trace_monitor_traces_dlq_total") == MALFORMED);

            // what the page must show, computed from the table
            Map<String, Point> expectedPoints = new HashMap<>();
            Set<Failing> expectedFailing = new HashSet<>();
            DeltaTableStats.read(io.delta.kernel.defaults.engine.DefaultEngine.create(
                    new org.apache.hadoop.conf.Configuration()), assessmentsTable).orElseThrow().forEachRow(row -> {
                String judge = row.getString(2);
                long windowStart = Math.floorDiv(row.getLong(5) / 1000, 1000L) * 1000;
                boolean passed = "yes".equals(feedbackValue(row));
                expectedPoints.merge(judge + "@" + windowStart, new Point(judge, windowStart, passed ? 1 : 0, 1),
                        (a, b) -> new Point(judge, windowStart, a.passed() + b.passed(), a.total() + b.total()));
                if (!passed) {
                    expectedFailing.add(new Failing(row.getString(0), judge, row.getString(9)));
                }
            });
            // the workload's known outcome: each BAD trace fails both judges, every other passes both
            assertThat(expectedFailing).extracting(Failing::traceId).containsOnlyElementsOf(bad);
            assertThat(expectedFailing).hasSize(2 * bad.size());

            browser = chromium();
            browser.get(endpoint.url("/?experiment_id=42"));
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.until(ExpectedConditions.textMatches(By.id("status"), java.util.regex.Pattern.compile("^updated ")));

            List<Point> shown = new ArrayList<>();
            for (WebElement circle : browser.findElements(By.cssSelector("#chart circle.point"))) {
                Point point = new Point(circle.getDomAttribute("data-judge"),
                        Long.parseLong(circle.getDomAttribute("data-window-start")),
                        Long.parseLong(circle.getDomAttribute("data-passed")),
                        Long.parseLong(circle.getDomAttribute("data-total")));
                double rate = Double.parseDouble(circle.getDomAttribute("data-rate"));
                assertThat(rate).isEqualTo((double) point.passed() / point.total());
                assertThat(Double.parseDouble(circle.getDomAttribute("cy")))
                        .isCloseTo(CHART_TOP + (1 - rate) * CHART_HEIGHT, org.assertj.core.data.Offset.offset(0.06));
                shown.add(point);
            }
            assertThat(shown).containsExactlyInAnyOrderElementsOf(expectedPoints.values());

            assertThat(browser.findElement(By.id("count-traces-requested")).getText()).isEqualTo(Integer.toString(traces));
            assertThat(browser.findElement(By.id("count-traces-sampled")).getText()).isEqualTo(Integer.toString(traces));
            assertThat(browser.findElement(By.id("count-dead-lettered")).getText()).isEqualTo(Integer.toString(MALFORMED));

            List<Failing> listed = new ArrayList<>();
            for (WebElement row : browser.findElements(By.cssSelector("#failing tr.failing-row"))) {
                listed.add(new Failing(row.getDomAttribute("data-trace-id"),
                        row.findElement(By.cssSelector("td.judge")).getText(),
                        row.findElement(By.cssSelector("td.rationale")).getText()));
            }
            assertThat(listed).containsExactlyInAnyOrderElementsOf(expectedFailing);
            WebElement markupRow = browser.findElement(By.cssSelector("#failing tr.failing-row[data-trace-id='"
                    + XSS_TRACE + "']"));
            assertThat(markupRow.findElement(By.cssSelector("td.response")).getText()).isEqualTo(XSS_RESPONSE);
            screenshot(browser, "monitoring-page.png");

            markupRow.findElement(By.cssSelector("button[data-trace-id]")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("trace")));
            wait.until(ExpectedConditions.textToBe(By.id("trace-id"), XSS_TRACE));
            assertThat(browser.findElement(By.id("trace-request")).getText()).isEqualTo(XSS_REQUEST);
            assertThat(browser.findElement(By.id("trace-response")).getText()).isEqualTo(XSS_RESPONSE);
            assertThat(browser.findElements(By.cssSelector("#trace-assessments tr.assessment-row"))).hasSize(2);
            assertThat(browser.findElements(By.cssSelector("#trace-spans tbody tr"))).hasSize(1);
            screenshot(browser, "monitoring-page-trace.png");

            // a chosen range without the workload shows none of it; the last hour shows it again
            new Select(browser.findElement(By.id("range"))).selectByValue("custom");
            setValue(browser, "from", "2025-01-01T00:00:00");
            setValue(browser, "to", "2025-01-02T00:00:00");
            browser.findElement(By.id("apply-range")).click();
            wait.until(ExpectedConditions.textToBe(By.id("count-traces-requested"), "0"));
            assertThat(browser.findElements(By.cssSelector("#chart circle.point"))).isEmpty();
            assertThat(browser.findElements(By.cssSelector("#failing tr.failing-row"))).isEmpty();
            new Select(browser.findElement(By.id("range"))).selectByValue("3600000");
            wait.until(ExpectedConditions.textToBe(By.id("count-traces-requested"), Integer.toString(traces)));
            assertThat(browser.findElements(By.cssSelector("#chart circle.point"))).hasSameSizeAs(shown);

            // none of the trace's markup became elements, and none of its script ran
            JavascriptExecutor js = (JavascriptExecutor) browser;
            assertThat(js.executeScript("return document.querySelectorAll('main script, main img, main b').length"))
                    .isEqualTo(0L);
            assertThat(js.executeScript("return typeof window.__xss")).isEqualTo("undefined");
            assertThat(browser.getTitle()).isEqualTo("trace-monitor");
            assertThat(endpoint.get("/").headers().firstValue("Content-Security-Policy").orElseThrow())
                    .contains("script-src 'self'").doesNotContain("unsafe-inline");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            stop.countDown();
            exit.get(1, TimeUnit.MINUTES);
        }
    }

    /** Produces the workload; returns the ids of the traces whose response says BAD. */
    private static Set<String> produceWorkload(Map<String, Object> client, String topic) {
        Set<String> bad = new HashSet<>();
        Instant now = Instant.now();
        try (KafkaProducer<byte[], byte[]> producer = OpsTestKit.producer(client)) {
            for (int i = 0; i < TRACES; i++) {
                String id = "tr-page-" + i;
                boolean isBad = i % 4 == 0;
                if (isBad) {
                    bad.add(id);
                }
                byte[] trace = TestTraces.trace(id).experiment("42").requestTime(now)
                        .request("question " + i).response(isBad ? "BAD answer " + i : "good answer " + i).json();
                producer.send(new ProducerRecord<>(topic, TestTraces.utf8(id), trace));
            }
            producer.send(new ProducerRecord<>(topic, TestTraces.utf8(XSS_TRACE), TestTraces.trace(XSS_TRACE)
                    .experiment("42").requestTime(now).request(XSS_REQUEST).response(XSS_RESPONSE).json()));
            bad.add(XSS_TRACE);
            for (int i = 0; i < MALFORMED; i++) {
                producer.send(new ProducerRecord<>(topic, TestTraces.utf8("bad-" + i), TestTraces.utf8("{not json")));
            }
            producer.flush();
        }
        return bad;
    }

    private static void setValue(WebDriver browser, String id, String value) {
        ((JavascriptExecutor) browser).executeScript("document.getElementById(arguments[0]).value = arguments[1]", id,
                value);
    }

    private static String feedbackValue(Row row) {
        Row feedback = row.isNullAt(8) ? null : row.getStruct(8);
        return feedback == null || feedback.isNullAt(0) ? null : feedback.getString(0);
    }

    private static void requireBrowser() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        String missing = "headless Chromium is not installed (" + CHROMIUM + ", " + CHROMEDRIVER
                + "): apt-get install -y chromium chromium-driver";
        if ("required".equals(System.getenv(BROWSER_TESTS_ENV))) {
            assertThat(present).as(missing).isTrue();
        }
        Assumptions.assumeTrue(present, missing);
    }

    /** Debian's Chromium with the flags a closed network needs: no background, component or sync traffic. */
    private static WebDriver chromium() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1400,2200",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static void screenshot(WebDriver browser, String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "screenshots");
        Files.createDirectories(target);
        Files.copy(shot.toPath(), target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}

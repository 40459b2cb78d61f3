package dev.tracemonitor.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.RetryableJudgeException;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.JudgeBudget;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitors' judging budgets, shared by every instance of the service through one single-partition topic
 * ({@code monitor-budget}), which each instance reads from the start of the current windows on. A call is granted by
 * the log, not by a process: an instance appends a reservation (monitor, window, limit) and waits until its reader
 * reaches it; every reader counts the reservations of a window in the same order, so the first {@code limit} are
 * granted and the rest refused on every instance alike, and no more than {@code max_calls_per_hour} evaluations run in
 * an hour however many instances ask. Tokens are known only after a call: each call's tokens are appended, and once a
 * day's sum reaches {@code max_tokens_per_day} no new call starts (calls in flight at that moment may pass it by their
 * own tokens). Skipped evaluations are appended too, so the count is the whole service's. The instance whose record
 * used up a window's budget (the last call granted, the tokens that reached the limit) appends a
 * {@code budget_exhausted} event, and the one whose record is the first of the next
 * window a {@code budget_resumed} event with the previous window's skipped count: operators read both with ordinary
 * Kafka tooling. Windows are aligned to the clock (the hour, the day; shorter in tests). The topic's records outlive
 * restarts for two token windows, so a restarted service goes on counting where the window is.
 */
public final class BudgetLedger implements JudgeBudgets, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BudgetLedger.class);

    /** Where the ledger is, whether to create it, the two windows, and how long a reservation may wait. */
    public record Settings(String topic, boolean createTopic, Duration callsWindow, Duration tokensWindow,
                           Duration timeout) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    }

    /** What a limit counts: evaluations per calls window, tokens per tokens window. */
    enum Kind {
        CALLS("max_calls_per_hour"),
        TOKENS("max_tokens_per_day");

        private final String field;

        Kind(String field) {
            this.field = field;
        }
    }

    static final String RESERVE = "reserve";
    static final String TOKENS = "tokens";
    static final String SKIPPED = "skipped";
    public static final String EXHAUSTED = "budget_exhausted";
    public static final String RESUMED = "budget_resumed";

    private record WindowKey(String experimentId, Kind kind, long start) {
    }

    /** What the log says about one monitor's window so far. */
    private static final class Usage {
        long used;
        long skipped;
        boolean exhausted;
        boolean started;
    }

    private final Settings settings;
    private final Clock clock;
    private final String instance = UUID.randomUUID().toString();
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final TopicPartition partition;
    private final Map<WindowKey, Usage> usage = new HashMap<>();
    private final Map<String, CompletableFuture<Boolean>> pending = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean closed;

    public BudgetLedger(Settings settings, Map<String, Object> kafka, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.partition = new TopicPartition(settings.topic(), 0);
        if (settings.createTopic()) {
            create(kafka);
        }
        Map<String, Object> producerProps = new HashMap<>(kafka);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        Map<String, Object> consumerProps = new HashMap<>(kafka);
        consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerProps.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        this.reader = new Thread(this::read, "budget-ledger-reader");
        this.reader.setDaemon(true);
    }

    /** Seeks to the start of the oldest window still counted (the previous one, for its skipped count) and follows. */
    public void start() throws InterruptedException {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        while (consumer.partitionsFor(settings.topic(), settings.timeout()).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new KafkaException("the budget topic " + settings.topic() + " does not exist (create it with one"
                        + " partition, or set trace-monitor.topic.create=true)");
            }
            Thread.sleep(100); // a topic just created reaches this client's metadata a moment later
        }
        consumer.assign(List.of(partition));
        long from = Math.min(windowStart(Kind.CALLS, clock.millis()) - settings.callsWindow().toMillis(),
                windowStart(Kind.TOKENS, clock.millis()) - settings.tokensWindow().toMillis());
        OffsetAndTimestamp offset = consumer.offsetsForTimes(Map.of(partition, Math.max(0, from)), settings.timeout())
                .get(partition);
        if (offset == null) {
            consumer.seekToEnd(List.of(partition));
        } else {
            consumer.seek(partition, offset.offset());
        }
        reader.start();
    }

    @Override
    public Judge guard(String experimentId, JudgeBudget budget, Judge judge) {
        return budget == null ? judge : new BudgetedJudge(this, experimentId, budget, judge);
    }

    /**
     * Whether the log grants one more evaluation of the monitor in the current calls window: false at once when this
     * instance already knows it is spent, else after its reservation is read back.
     */
    boolean reserveCall(String experimentId, long limit) throws RetryableJudgeException, InterruptedException {
        long start = windowStart(Kind.CALLS, clock.millis());
        synchronized (usage) {
            Usage known = usage.get(new WindowKey(experimentId, Kind.CALLS, start));
            if (known != null && known.used >= limit) {
                return false;
            }
        }
        String id = UUID.randomUUID().toString();
        CompletableFuture<Boolean> granted = new CompletableFuture<>();
        pending.put(id, granted);
        try {
            append(experimentId, record(RESERVE, experimentId, Kind.CALLS, start, limit).put("id", id));
            return granted.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new RetryableJudgeException("the budget ledger " + settings.topic() + " did not answer within "
                    + settings.timeout().toSeconds() + " s: " + e, null);
        } finally {
            pending.remove(id);
        }
    }

    /** Whether the monitor's tokens of the current tokens window, as read so far, are below {@code limit}. */
    boolean tokensLeft(String experimentId, long limit) {
        synchronized (usage) {
            Usage known = usage.get(new WindowKey(experimentId, Kind.TOKENS, windowStart(Kind.TOKENS, clock.millis())));
            return known == null || known.used < limit;
        }
    }

    void spendTokens(String experimentId, long tokens, long limit) {
        appendAsync(experimentId, record(TOKENS, experimentId, Kind.TOKENS, windowStart(Kind.TOKENS, clock.millis()),
                limit).put("tokens", tokens));
    }

    /** Records a skipped evaluation and returns the outcome that says why. */
    JudgeOutcome skip(String experimentId, String judge, Kind kind, long limit) {
        long start = windowStart(kind, clock.millis());
        appendAsync(experimentId, record(SKIPPED, experimentId, kind, start, limit).put("judge", judge));
        return JudgeOutcome.skippedOverBudget("over budget: " + kind.field + " " + limit + " reached in the window "
                + Instant.ofEpochMilli(start) + " to " + Instant.ofEpochMilli(start + window(kind).toMillis()));
    }

    private long windowStart(Kind kind, long millis) {
        long length = window(kind).toMillis();
        return millis - Math.floorMod(millis, length);
    }

    private Duration window(Kind kind) {
        return kind == Kind.CALLS ? settings.callsWindow() : settings.tokensWindow();
    }

    private ObjectNode record(String type, String experimentId, Kind kind, long start, long limit) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("type", type).put("experiment_id", experimentId).put("kind", kind.name())
                .put("window_start", start).put("limit", limit).put("instance", instance);
        return node;
    }

    private void append(String experimentId, ObjectNode record) throws InterruptedException, ExecutionException,
            TimeoutException {
        producer.send(new ProducerRecord<>(settings.topic(), 0, experimentId, bytes(record)))
                .get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void appendAsync(String experimentId, ObjectNode record) {
        producer.send(new ProducerRecord<>(settings.topic(), 0, experimentId, bytes(record)), (metadata, e) -> {
            if (e != null) {
                LOG.warn("could not record {} on the budget topic {}: {}", record.get("type").asText(),
                        settings.topic(), e.toString());
            }
        });
    }

    private static byte[] bytes(ObjectNode record) {
        try {
            return Json.MAPPER.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new IllegalStateException("a ledger record is plain JSON", e);
        }
    }

    private void read() {
        try {
            while (!closed) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    apply(record);
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("the budget ledger reader stopped; reservations time out until a restart", e);
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        JsonNode node = record.value() == null ? null : Json.parseOrNull(new String(record.value(),
                java.nio.charset.StandardCharsets.UTF_8));
        if (node == null || !node.path("type").isTextual() || !node.path("kind").isTextual()) {
            return;
        }
        String type = node.path("type").asText();
        Kind kind;
        try {
            kind = Kind.valueOf(node.path("kind").asText());
        } catch (IllegalArgumentException e) {
            return;
        }
        String experimentId = node.path("experiment_id").asText();
        long start = node.path("window_start").asLong();
        long limit = node.path("limit").asLong();
        boolean mine = instance.equals(node.path("instance").asText());
        Optional<ObjectNode> event = Optional.empty();
        Boolean granted = null;
        synchronized (usage) {
            Usage window = usage.computeIfAbsent(new WindowKey(experimentId, kind, start), k -> new Usage());
            Usage previous = usage.get(new WindowKey(experimentId, kind, start - window(kind).toMillis()));
            switch (type) {
                case RESERVE -> {
                    granted = window.used < limit;
                    if (granted) {
                        window.used++;
                    }
                    if (window.used >= limit && !window.exhausted) {
                        window.exhausted = true;
                        event = Optional.of(exhausted(experimentId, kind, start, limit, window));
                    }
                }
                case TOKENS -> {
                    window.used += Math.max(0, node.path("tokens").asLong());
                    if (window.used >= limit && !window.exhausted) {
                        window.exhausted = true;
                        event = Optional.of(exhausted(experimentId, kind, start, limit, window));
                    }
                }
                case SKIPPED -> window.skipped++;
                default -> {
                    return;
                }
            }
            if (!window.started && !type.equals(SKIPPED)) {
                window.started = true;
                if (previous != null && previous.exhausted && event.isEmpty()) {
                    event = Optional.of(record(RESUMED, experimentId, kind, start, limit)
                            .put("window_end", start + window(kind).toMillis())
                            .put("previous_window_start", start - window(kind).toMillis())
                            .put("previous_skipped", previous.skipped));
                }
            }
            pruneBefore(record.timestamp());
        }
        if (granted != null) {
            CompletableFuture<Boolean> waiting = pending.get(node.path("id").asText());
            if (waiting != null) {
                waiting.complete(granted);
            }
        }
        if (mine && event.isPresent()) {
            LOG.info("{} for monitor {}: {}", event.get().get("type").asText(), experimentId, event.get());
            appendAsync(experimentId, event.get());
        }
    }

    private ObjectNode exhausted(String experimentId, Kind kind, long start, long limit, Usage window) {
        return record(EXHAUSTED, experimentId, kind, start, limit).put("window_end", start + window(kind).toMillis())
                .put("used", window.used).put("reason", kind.field + " " + limit + " reached; sampled judges are"
                        + " skipped (skipped_budget) until " + Instant.ofEpochMilli(start + window(kind).toMillis()));
    }

    /** Forgets windows that ended more than one window before this record (the previous one is still needed). */
    private void pruneBefore(long now) {
        usage.keySet().removeIf(key -> key.start() + 2 * window(key.kind()).toMillis() < now);
    }

    private void create(Map<String, Object> kafka) {
        long retention = Math.max(Duration.ofDays(2).toMillis(), 2 * settings.tokensWindow().toMillis());
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(settings.topic(), Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention)))))
                    .all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KafkaException("cannot create the budget topic " + settings.topic(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted creating the budget topic " + settings.topic(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            reader.join(settings.timeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!reader.isAlive()) {
            consumer.close(Duration.ofSeconds(5));
        }
        producer.close(Duration.ofSeconds(5));
    }
}

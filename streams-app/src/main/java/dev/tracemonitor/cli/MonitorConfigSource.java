package dev.tracemonitor.cli;

import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.model.MonitorConfig.AssessmentsConfig;
import dev.tracemonitor.model.MonitorConfig.JudgeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The monitor config that {@code monitor create|update} publishes and {@code evaluate} runs: a JSON file, or flags. */
final class MonitorConfigSource {
    @Option(names = {"-f", "--file"}, description = "Monitor config JSON file ('-' for stdin).")
    String file;

    @Option(names = "--experiment-id", description = "Experiment id (when not using --file).")
    String experimentId;

    @Option(names = "--catalog", description = "catalog_name (when not using --file).")
    String catalog;

    @Option(names = "--schema", description = "schema_name (when not using --file).")
    String schema;

    @Option(names = "--sample", description = "Default sampling rate for judges without their own.")
    Double sample;

    @Option(names = "--judge", description = "A builtin judge, optionally with its rate: safety or chunk_relevance=0.2."
            + " Repeatable.")
    List<String> judges = new ArrayList<>();

    @Option(names = "--guideline", description = "A guidelines judge: name=text. Repeatable; repeat a name for more texts.")
    List<String> guidelines = new ArrayList<>();

    @Option(names = "--filter", description = "Which traces are judged, e.g. \"tags.env = 'prod' AND state = 'OK'\".")
    String filter;

    @Option(names = "--judge-model", paramLabel = "MODEL", description = "The model every --judge and --guideline"
            + " judge asks (default: the service's trace-monitor.llm.model).")
    String judgeModel;

    MonitorConfig read() throws IOException {
        if (file != null) {
            if (judgeModel != null) {
                throw new IllegalArgumentException("--judge-model applies to --judge and --guideline; with --file,"
                        + " give each judge its \"model\" in the JSON");
            }
            byte[] bytes = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
            return MonitorConfigCodec.decode(null, bytes);
        }
        if (experimentId == null || catalog == null || schema == null) {
            throw new IllegalArgumentException("give --file, or --experiment-id, --catalog and --schema");
        }
        List<JudgeConfig> judgeConfigs = new ArrayList<>();
        for (String judge : judges) {
            String[] parts = judge.split("=", 2);
            judgeConfigs.add(JudgeConfig.builtin(parts[0].trim(), parts.length == 2 ? parseRate(parts[1]) : null)
                    .withModel(judgeModel));
        }
        Map<String, List<String>> named = new LinkedHashMap<>();
        for (String g : guidelines) {
            String[] parts = g.split("=", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("--guideline needs name=text, got " + g);
            }
            named.computeIfAbsent(parts[0].trim(), k -> new ArrayList<>()).add(parts[1]);
        }
        if (!named.isEmpty()) {
            judgeConfigs.add(new JudgeConfig(null, named, null, judgeModel));
        }
        MonitorConfig config = new MonitorConfig(experimentId, catalog, schema,
                new AssessmentsConfig(sample, judgeConfigs), filter);
        MonitorConfigCodec.validate(null, config);
        return config;
    }

    private static Double parseRate(String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a rate: " + text);
        }
    }
}

package dev.tracemonitor.cli;

import com.fasterxml.jackson.core.JsonParser;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The records of {@code quickstart --trace-file}: each file holds one trace JSON document, or several one after the
 * other (JSON Lines). Every document is produced as it is; the quickstart decodes it once beforehand, with the
 * service's own decoder, only to know which experiments to publish monitors for and which records must end in the
 * dead-letter topic.
 */
record TraceFiles(List<TraceFileRecord> records) {

    /**
     * One document of a file: the bytes produced, and the trace they decode to (null when they do not decode or name no
     * experiment: then the service dead-letters them, for {@code error}).
     */
    record TraceFileRecord(Path file, int index, byte[] value, Trace trace, String error) {

        String key() {
            return trace == null ? null : trace.traceId();
        }

        /** The record lands in a table: it decodes and names an experiment (else it is dead-lettered). */
        boolean monitorable() {
            return trace != null;
        }
    }

    TraceFiles {
        records = List.copyOf(records);
    }

    static TraceFiles read(List<Path> files, TraceDecoder decoder, String topic) {
        List<TraceFileRecord> records = new ArrayList<>();
        for (Path file : files) {
            int index = 0;
            for (byte[] value : documents(file)) {
                Trace trace = null;
                String error = null;
                try {
                    trace = decoder.decode(topic, value);
                    String experimentId = trace.info().experimentId();
                    if (experimentId == null || experimentId.isBlank()) {
                        error = "the trace names no experiment";
                        trace = null;
                    }
                } catch (InvalidTraceException e) {
                    error = e.getMessage();
                }
                records.add(new TraceFileRecord(file, index++, value, trace, error));
            }
        }
        return new TraceFiles(records);
    }

    /** The experiments the decodable traces name, in order. */
    Set<String> experimentIds() {
        Set<String> ids = new TreeSet<>();
        records.stream().filter(TraceFileRecord::monitorable).forEach(r -> ids.add(r.trace().info().experimentId()));
        return ids;
    }

    long monitorable() {
        return records.stream().filter(TraceFileRecord::monitorable).count();
    }

    long undecodable() {
        return records.stream().filter(r -> r.trace() == null).count();
    }

    /**
     * The file's JSON documents, each as the exact bytes the file holds (sliced at the parser's offsets, so numbers
     * and key order are untouched); a file that is not a sequence of JSON documents is one record as it is.
     */
    private static List<byte[]> documents(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trace file " + file, e);
        }
        List<byte[]> documents = new ArrayList<>();
        try (JsonParser parser = Json.MAPPER.createParser(content)) {
            while (parser.nextToken() != null) {
                int start = (int) parser.currentTokenLocation().getByteOffset();
                parser.skipChildren();
                int end = (int) parser.currentLocation().getByteOffset();
                documents.add(Arrays.copyOfRange(content, start, end));
            }
        } catch (IOException notJson) {
            return List.of(content);
        }
        return documents.isEmpty() ? List.of(content) : documents;
    }
}

package dev.tracemonitor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The one table the harness prints: a row per figure, with its target and whether it is met where there is one. */
public final class Report {

    /** One figure. {@code met} is null where there is no target. */
    public record Row(String section, String metric, String value, String target, Boolean met) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public synchronized void add(String section, String metric, String value) {
        rows.add(new Row(section, metric, value, "", null));
        System.out.printf("  [%s] %s: %s%n", section, metric, value);
    }

    public synchronized void add(String section, String metric, String value, String target, boolean met) {
        rows.add(new Row(section, metric, value, target, met));
        System.out.printf("  [%s] %s: %s (target %s: %s)%n", section, metric, value, target, met ? "met" : "NOT met");
    }

    public synchronized void note(String note) {
        notes.add(note);
        System.out.println("  note: " + note);
    }

    public synchronized String render(String header) {
        int w0 = "section".length();
        int w1 = "figure".length();
        int w2 = "value".length();
        int w3 = "target".length();
        for (Row r : rows) {
            w0 = Math.max(w0, r.section().length());
            w1 = Math.max(w1, r.metric().length());
            w2 = Math.max(w2, r.value().length());
            w3 = Math.max(w3, r.target().length());
        }
        String format = "| %-" + w0 + "s | %-" + w1 + "s | %" + w2 + "s | %-" + w3 + "s | %-7s |%n";
        StringBuilder out = new StringBuilder();
        out.append(header).append('\n');
        out.append(String.format(format, "section", "figure", "value", "target", "met"));
        out.append(String.format(format, "-".repeat(w0), "-".repeat(w1), "-".repeat(w2), "-".repeat(w3), "-------"));
        for (Row r : rows) {
            out.append(String.format(format, r.section(), r.metric(), r.value(), r.target(),
                    r.met() == null ? "" : r.met() ? "yes" : "NO"));
        }
        for (String note : notes) {
            out.append("* ").append(note).append('\n');
        }
        return out.toString();
    }

    public void write(Path file, String header) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, render(header));
    }
}

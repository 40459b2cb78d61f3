package dev.tracemonitor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of a process from {@code /proc/<pid>/status} (Linux): current (VmRSS) and peak (VmHWM), in bytes. */
public final class ProcStatus {

    private ProcStatus() {
    }

    public static long rss(long pid) {
        return field(pid, "VmRSS:");
    }

    public static long peakRss(long pid) {
        return field(pid, "VmHWM:");
    }

    private static long field(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** CPU time (user + system) the process has used so far, in seconds, from {@code /proc/<pid>/stat}. */
    public static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime is field 14, stime field 15
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static final int CLOCK_TICKS = 100;

    /** CPU seconds per thread name (the kernel's 15-character {@code comm}, digits folded), highest first. */
    public static java.util.Map<String, Double> cpuByThread(long pid) {
        java.util.Map<String, Double> byName = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS;
                    byName.merge(name, cpu, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended
                }
            }
        } catch (IOException e) {
            return java.util.Map.of();
        }
        java.util.Map<String, Double> sorted = new java.util.LinkedHashMap<>();
        byName.entrySet().stream().sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    public static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format("%.0f MiB", bytes / 1048576.0);
    }
}

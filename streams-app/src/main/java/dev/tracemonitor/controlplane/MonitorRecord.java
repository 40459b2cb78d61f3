package dev.tracemonitor.controlplane;

import dev.tracemonitor.model.MonitorConfig;

/**
 * A monitor config in force, with its version: the offset of the {@code monitor-config} record that set it. The
 * version is recorded in every Assessment produced under it.
 */
public record MonitorRecord(MonitorConfig config, long version) {
}

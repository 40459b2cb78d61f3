package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class ServiceHealthTest {

    @Test
    void liveUnlessStreamsFailedOrStoppedOrTheSinkThreadDied() {
        assertThat(ServiceHealth.of(true, false, State.RUNNING, true).live()).isTrue();
        assertThat(ServiceHealth.of(true, false, State.REBALANCING, true).live()).isTrue();
        assertThat(ServiceHealth.of(true, false, State.ERROR, true).live()).isFalse();
        assertThat(ServiceHealth.of(true, false, State.PENDING_ERROR, true).live()).isFalse();
        assertThat(ServiceHealth.of(true, false, State.NOT_RUNNING, true).live()).isFalse();
        assertThat(ServiceHealth.of(true, false, State.RUNNING, false).live()).isFalse();
        assertThat(ServiceHealth.of(true, false, null, true).live()).as("sink only").isTrue();
        assertThat(ServiceHealth.of(true, false, State.RUNNING, null).live()).as("streams only").isTrue();
        assertThat(ServiceHealth.of(false, false, State.CREATED, null).live()).as("starting").isTrue();
        assertThat(ServiceHealth.of(true, true, State.NOT_RUNNING, false).live()).as("stopping").isTrue();
    }

    @Test
    void readyOnlyWhenStartedRunningAndTheSinkThreadAlive() {
        assertThat(ServiceHealth.of(true, false, State.RUNNING, true).ready()).isTrue();
        assertThat(ServiceHealth.of(true, false, State.REBALANCING, true).ready()).isFalse();
        assertThat(ServiceHealth.of(true, false, State.RUNNING, false).ready()).isFalse();
        assertThat(ServiceHealth.of(false, false, State.RUNNING, true).ready()).isFalse();
        assertThat(ServiceHealth.of(true, true, State.PENDING_SHUTDOWN, true).ready()).isFalse();
        assertThat(ServiceHealth.of(true, false, null, true).ready()).as("sink only").isTrue();
        assertThat(ServiceHealth.of(true, false, State.RUNNING, true).toJson())
                .isEqualTo("{\"live\":true,\"ready\":true,\"phase\":\"started\",\"streams\":\"RUNNING\",\"sink\":\"running\"}");
    }
}

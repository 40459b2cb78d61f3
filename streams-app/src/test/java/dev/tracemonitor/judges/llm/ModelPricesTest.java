package dev.tracemonitor.judges.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Judge model prices from {@code trace-monitor.llm.price.<model>.input/output}, and a call's cost. */
class ModelPricesTest {

    @Test
    void modelNamesMayHoldDotsAndACallCostsItsTokensAtThePricePerMillion() {
        ModelPrices prices = ModelPrices.fromSettings(Map.of(
                "trace-monitor.llm.price.gpt-4.1-mini.input", "0.40",
                "trace-monitor.llm.price.gpt-4.1-mini.output", "1.60",
                "trace-monitor.llm.base.url", "http://localhost/v1"));

        assertThat(prices.byModel()).containsOnlyKeys("gpt-4.1-mini");
        assertThat(prices.cost("gpt-4.1-mini", 1_000L, 250L)).isEqualByComparingTo(new BigDecimal("0.0008"));
        assertThat(prices.cost("gpt-4.1-mini", 0L, 0L)).isEqualByComparingTo(BigDecimal.ZERO);
    }

    @Test
    void aModelWithoutAPriceOrACallWithoutCountsHasNoCost() {
        ModelPrices prices = ModelPrices.fromSettings(Map.of("trace-monitor.llm.price.m.input", "1",
                "trace-monitor.llm.price.m.output", "2"));

        assertThat(prices.cost("other", 10L, 10L)).isNull();
        assertThat(prices.cost("m", null, 10L)).isNull();
        assertThat(prices.cost("m", 10L, null)).isNull();
        assertThat(ModelPrices.none().cost("m", 10L, 10L)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "only input | trace-monitor.llm.price.m.input | 1 | trace-monitor.llm.price.m.output is missing",
            "only output | trace-monitor.llm.price.m.output | 1 | trace-monitor.llm.price.m.input is missing",
            "negative | trace-monitor.llm.price.m.input | -1 | a price cannot be negative",
            "not a number | trace-monitor.llm.price.m.input | cheap | not a decimal number of US dollars",
            "neither input nor output | trace-monitor.llm.price.m.total | 1 | a price key is",
            "no model | trace-monitor.llm.price..input | 1 | the model name is empty"})
    void aBadPriceKeyIsRefusedNamingIt(String what, String key, String value, String reason) {
        assertThatThrownBy(() -> ModelPrices.fromSettings(Map.of(key, value))).as(what)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
    }
}

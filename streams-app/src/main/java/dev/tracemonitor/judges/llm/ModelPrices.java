package dev.tracemonitor.judges.llm;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What judge models cost, in US dollars per million input and output tokens, by model name, so that each Assessment
 * and the metrics can say what judging cost. Given as {@code trace-monitor.llm.price.<model>.input} and
 * {@code .output}; a model without a price has no cost figure (its tokens are still counted).
 */
public record ModelPrices(Map<String, Price> byModel) {

    public static final String PREFIX = "trace-monitor.llm.price.";
    public static final String INPUT_SUFFIX = ".input";
    public static final String OUTPUT_SUFFIX = ".output";
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** US dollars per million tokens of a model's input (prompt) and output (completion). */
    public record Price(BigDecimal inputPerMillion, BigDecimal outputPerMillion) {
    }

    public ModelPrices {
        byModel = Map.copyOf(byModel);
    }

    public static ModelPrices none() {
        return new ModelPrices(Map.of());
    }

    /**
     * The prices among these settings: every key under {@value #PREFIX} is {@code <model>.input} or
     * {@code <model>.output} (model names may hold dots), a non-negative decimal, and a model has both.
     */
    public static ModelPrices fromSettings(Map<?, ?> settings) {
        Map<String, BigDecimal> input = new TreeMap<>();
        Map<String, BigDecimal> output = new TreeMap<>();
        settings.forEach((k, v) -> {
            String key = String.valueOf(k);
            if (!key.startsWith(PREFIX)) {
                return;
            }
            String rest = key.substring(PREFIX.length());
            boolean isInput = rest.endsWith(INPUT_SUFFIX);
            if (!isInput && !rest.endsWith(OUTPUT_SUFFIX)) {
                throw new IllegalArgumentException(key + ": a price key is " + PREFIX + "<model>" + INPUT_SUFFIX
                        + " or " + PREFIX + "<model>" + OUTPUT_SUFFIX);
            }
            String model = rest.substring(0, rest.length() - (isInput ? INPUT_SUFFIX : OUTPUT_SUFFIX).length());
            if (model.isBlank()) {
                throw new IllegalArgumentException(key + ": the model name is empty");
            }
            (isInput ? input : output).put(model, perMillion(key, String.valueOf(v)));
        });
        Map<String, Price> prices = new HashMap<>();
        for (String model : input.keySet()) {
            if (!output.containsKey(model)) {
                throw new IllegalArgumentException(PREFIX + model + OUTPUT_SUFFIX + " is missing: a priced model needs"
                        + " both its input and its output price");
            }
            prices.put(model, new Price(input.get(model), output.get(model)));
        }
        for (String model : output.keySet()) {
            if (!input.containsKey(model)) {
                throw new IllegalArgumentException(PREFIX + model + INPUT_SUFFIX + " is missing: a priced model needs"
                        + " both its input and its output price");
            }
        }
        return new ModelPrices(prices);
    }

    /** The cost of a call in US dollars, or null when the model has no price or a count is unknown. */
    public BigDecimal cost(String model, Long inputTokens, Long outputTokens) {
        Price price = byModel.get(model);
        if (price == null || inputTokens == null || outputTokens == null) {
            return null;
        }
        return price.inputPerMillion().multiply(BigDecimal.valueOf(inputTokens))
                .add(price.outputPerMillion().multiply(BigDecimal.valueOf(outputTokens)))
                .divide(MILLION).stripTrailingZeros();
    }

    private static BigDecimal perMillion(String key, String value) {
        BigDecimal price;
        try {
            price = new BigDecimal(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a decimal number of US dollars per million tokens: \""
                    + value + "\"");
        }
        if (price.signum() < 0) {
            throw new IllegalArgumentException(key + ": a price cannot be negative: " + value);
        }
        return price;
    }
}

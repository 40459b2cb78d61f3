package dev.tracemonitor.judges.template;

import java.util.HashSet;
import java.util.List;

/**
 * The value a template judge's reply must carry ({@code feedback_value_type}): the reply is accepted only when it
 * parses as this type, so a numeric or categorical judge cannot hand an out-of-range value to the tables.
 */
public sealed interface FeedbackValueType {

    /** MLflow's {@code "yes"} / {@code "no"} feedback. */
    record YesNo() implements FeedbackValueType {
    }

    record Bool() implements FeedbackValueType {
    }

    /** An integer, within [min, max] when the bounds are given. */
    record IntRange(Long min, Long max) implements FeedbackValueType {
    }

    /** A finite number, within [min, max] when the bounds are given. */
    record FloatRange(Double min, Double max) implements FeedbackValueType {
    }

    /** One of a closed list of labels. */
    record Categories(List<String> labels) implements FeedbackValueType {
        public Categories {
            labels = List.copyOf(labels);
        }
    }

    int MAX_CATEGORIES = 32;
    int MAX_CATEGORY_CHARS = 100;

    /**
     * The type named by {@code feedback_value_type} ({@code yes_no}, {@code bool}, {@code int}, {@code float},
     * {@code categories}) with its optional {@code min_value} / {@code max_value} or its {@code categories}.
     */
    static FeedbackValueType of(String where, String name, Double min, Double max, List<String> categories) {
        require(name != null, where + ".feedback_value_type is required");
        boolean numeric = name.equals("int") || name.equals("float");
        require(numeric || (min == null && max == null),
                where + ".min_value/max_value apply only to feedback_value_type int or float, not " + name);
        require(name.equals("categories") || categories == null,
                where + ".categories applies only to feedback_value_type categories, not " + name);
        if (numeric) {
            require(min == null || Double.isFinite(min), where + ".min_value is not a finite number");
            require(max == null || Double.isFinite(max), where + ".max_value is not a finite number");
            require(min == null || max == null || min < max,
                    where + ".min_value " + min + " is not below max_value " + max);
        }
        return switch (name) {
            case "yes_no" -> new YesNo();
            case "bool" -> new Bool();
            case "int" -> {
                require(min == null || min == Math.rint(min), where + ".min_value " + min + " is not an integer");
                require(max == null || max == Math.rint(max), where + ".max_value " + max + " is not an integer");
                yield new IntRange(min == null ? null : min.longValue(), max == null ? null : max.longValue());
            }
            case "float" -> new FloatRange(min, max);
            case "categories" -> {
                require(categories != null && categories.size() >= 2,
                        where + ".categories needs at least two labels for feedback_value_type categories");
                require(categories.size() <= MAX_CATEGORIES, where + ".categories has more than " + MAX_CATEGORIES
                        + " labels");
                HashSet<String> seen = new HashSet<>();
                for (String label : categories) {
                    require(label != null && !label.isBlank(), where + ".categories has an empty label");
                    require(label.length() <= MAX_CATEGORY_CHARS,
                            where + ".categories has a label over " + MAX_CATEGORY_CHARS + " characters");
                    require(seen.add(label), where + ".categories has \"" + label + "\" twice");
                }
                yield new Categories(categories);
            }
            default -> throw new InvalidTemplateException(where + ".feedback_value_type \"" + name
                    + "\" is not one of [yes_no, bool, int, float, categories]");
        };
    }

    private static void require(boolean condition, String reason) {
        if (!condition) {
            throw new InvalidTemplateException(reason);
        }
    }
}

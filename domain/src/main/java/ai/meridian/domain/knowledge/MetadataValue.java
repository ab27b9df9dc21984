package ai.meridian.domain.knowledge;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One metadata value of a document: text (one or several strings, e.g. tags), a number, or a date. The kind decides
 * which filter operators apply: text compares as strings, numbers and dates by order.
 */
public sealed interface MetadataValue {

    /** The most strings one text value may hold, and the longest string: metadata is for filtering, not content. */
    int MAX_STRINGS = 100;
    int MAX_LENGTH = 1_000;

    /** Whether the value holds nothing (no strings, or only empty ones). */
    boolean isEmpty();

    /** One or several strings; a document tagged {@code [a, b]} matches {@code is a} and {@code is b}. */
    record Text(List<String> values) implements MetadataValue {
        public Text {
            Objects.requireNonNull(values, "values");
            if (values.size() > MAX_STRINGS) {
                throw new IllegalArgumentException("a metadata value holds at most " + MAX_STRINGS + " strings");
            }
            for (String value : values) {
                Objects.requireNonNull(value, "a metadata string");
                if (value.length() > MAX_LENGTH) {
                    throw new IllegalArgumentException("a metadata string is at most " + MAX_LENGTH + " characters");
                }
            }
            values = List.copyOf(values);
        }

        public static Text of(String... values) {
            return new Text(List.of(values));
        }

        @Override
        public boolean isEmpty() {
            return values.stream().allMatch(String::isEmpty);
        }
    }

    record Number(double value) implements MetadataValue {
        public Number {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("a metadata number must be finite");
            }
        }

        @Override
        public boolean isEmpty() {
            return false;
        }
    }

    /** A point in time (a date is its start, UTC), to the millisecond. */
    record Date(Instant value) implements MetadataValue {
        public Date {
            value = Objects.requireNonNull(value, "value").truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        }

        @Override
        public boolean isEmpty() {
            return false;
        }
    }
}

package ai.meridian.domain.knowledge;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One test of a document's metadata: a key, an operator and (except for {@code empty}/{@code not empty}) a value,
 * with Dify's operators. The value is given as text; it is read as a number or a date where the operator or the
 * stored value needs one. {@link #matches} is the reference semantics every knowledge index implements.
 */
public record MetadataCondition(String key, Operator operator, String value) {

    public MetadataCondition {
        DocumentMetadata.checkKey(key);
        Objects.requireNonNull(operator, "operator");
        if (operator.needsValue() && (value == null || value.isEmpty())) {
            throw new IllegalArgumentException("the operator '" + operator.wireName() + "' needs a value");
        }
        if (value != null && value.length() > MetadataValue.MAX_LENGTH) {
            throw new IllegalArgumentException("a condition's value is at most " + MetadataValue.MAX_LENGTH + " characters");
        }
        value = value == null ? "" : value;
        if (operator.isOrder() && parseNumber(value).isEmpty() && parseDate(value).isEmpty()) {
            throw new IllegalArgumentException("the operator '" + operator.wireName() + "' needs a number or a date, not '" + value + "'");
        }
        if ((operator == Operator.BEFORE || operator == Operator.AFTER) && parseDate(value).isEmpty()) {
            throw new IllegalArgumentException("the operator '" + operator.wireName()
                    + "' needs a date (2024-05-01, 2024-05-01T12:00:00Z or Unix seconds), not '" + value + "'");
        }
    }

    /** Dify's comparison operators, by their wire names; ASCII spellings ({@code >=}, {@code !=}) are accepted too. */
    public enum Operator {
        IS("is", "="), IS_NOT("is not", "≠", "!="), CONTAINS("contains"), NOT_CONTAINS("not contains"),
        START_WITH("start with", "starts with"), END_WITH("end with", "ends with"), EMPTY("empty"), NOT_EMPTY("not empty"),
        GREATER(">"), LESS("<"), GREATER_OR_EQUAL("≥", ">="), LESS_OR_EQUAL("≤", "<="), BEFORE("before"), AFTER("after");

        private final String[] names;

        Operator(String... names) {
            this.names = names;
        }

        public String wireName() {
            return names[0];
        }

        public static Operator of(String name) {
            String wanted = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
            for (Operator operator : values()) {
                if (Arrays.asList(operator.names).contains(wanted)) {
                    return operator;
                }
            }
            throw new IllegalArgumentException("unknown comparison operator '" + name + "'");
        }

        public boolean needsValue() {
            return this != EMPTY && this != NOT_EMPTY;
        }

        /** {@code > < ≥ ≤}: compare numbers, or dates. */
        public boolean isOrder() {
            return this == GREATER || this == LESS || this == GREATER_OR_EQUAL || this == LESS_OR_EQUAL;
        }

        /** The operators that hold for documents without the key: the negative ones. */
        public boolean holdsWhenMissing() {
            return this == IS_NOT || this == NOT_CONTAINS || this == EMPTY;
        }
    }

    /** The value as a number, if it is one. */
    public Optional<Double> number() {
        return parseNumber(value);
    }

    private static Optional<Double> parseNumber(String value) {
        try {
            double d = Double.parseDouble(value.strip());
            return Double.isFinite(d) ? Optional.of(d) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The value as a point in time: an ISO date (its start, UTC), date-time (UTC if no offset), or Unix seconds. */
    public Optional<Instant> date() {
        return parseDate(value);
    }

    public static Optional<Instant> parseDate(String text) {
        return parseInstant(text).map(i -> i.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    private static Optional<Instant> parseInstant(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (s.matches("-?\\d{1,12}")) {
                return Optional.of(Instant.ofEpochSecond(Long.parseLong(s)));
            }
            if (s.length() == 10) {
                return Optional.of(LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant());
            }
            try {
                return Optional.of(OffsetDateTime.parse(s).toInstant());
            } catch (DateTimeParseException e) {
                return Optional.of(LocalDateTime.parse(s).toInstant(ZoneOffset.UTC));
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The lower-cased value that {@code contains}, {@code start with} and {@code end with} compare (case does not matter). */
    public String folded() {
        return fold(value);
    }

    public static String fold(String text) {
        return text.toLowerCase(Locale.ROOT);
    }

    /** Whether a document with this metadata passes the condition. */
    public boolean matches(DocumentMetadata metadata) {
        MetadataValue stored = metadata.get(key);
        if (stored == null) {
            return operator.holdsWhenMissing();
        }
        return switch (operator) {
            case EMPTY -> stored.isEmpty();
            case NOT_EMPTY -> !stored.isEmpty();
            case IS -> equalTo(stored);
            case IS_NOT -> !equalTo(stored);
            case CONTAINS -> texts(stored, v -> fold(v).contains(folded()));
            case NOT_CONTAINS -> !texts(stored, v -> fold(v).contains(folded()));
            case START_WITH -> texts(stored, v -> fold(v).startsWith(folded()));
            case END_WITH -> texts(stored, v -> fold(v).endsWith(folded()));
            case GREATER, LESS, GREATER_OR_EQUAL, LESS_OR_EQUAL -> ordered(stored);
            case BEFORE -> stored instanceof MetadataValue.Date d && d.value().isBefore(date().orElseThrow());
            case AFTER -> stored instanceof MetadataValue.Date d && d.value().isAfter(date().orElseThrow());
        };
    }

    private boolean equalTo(MetadataValue stored) {
        if (stored instanceof MetadataValue.Text text) {
            return text.values().contains(value);
        }
        if (stored instanceof MetadataValue.Number n) {
            return number().map(v -> v == n.value()).orElse(false);
        }
        MetadataValue.Date d = (MetadataValue.Date) stored;
        return date().map(v -> v.equals(d.value())).orElse(false);
    }

    private static boolean texts(MetadataValue stored, java.util.function.Predicate<String> test) {
        return stored instanceof MetadataValue.Text text && text.values().stream().anyMatch(test);
    }

    private boolean ordered(MetadataValue stored) {
        int sign;
        if (stored instanceof MetadataValue.Number n && number().isPresent()) {
            sign = Double.compare(n.value(), number().get());
        } else if (stored instanceof MetadataValue.Date d && date().isPresent()) {
            sign = d.value().compareTo(date().get());
        } else {
            return false;
        }
        return switch (operator) {
            case GREATER -> sign > 0;
            case LESS -> sign < 0;
            case GREATER_OR_EQUAL -> sign >= 0;
            default -> sign <= 0;
        };
    }
}

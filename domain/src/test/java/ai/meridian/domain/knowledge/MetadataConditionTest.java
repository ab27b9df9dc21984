package ai.meridian.domain.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataConditionTest {
    private static final DocumentMetadata DOC = new DocumentMetadata(Map.of(
            "tags", MetadataValue.Text.of("Finance", "legal"),
            "author", MetadataValue.Text.of("Ada Lovelace"),
            "year", new MetadataValue.Number(2023),
            "published", new MetadataValue.Date(Instant.parse("2023-05-01T10:00:00Z")),
            "blank", MetadataValue.Text.of("")));

    private static boolean holds(String key, String operator, String value) {
        return new MetadataCondition(key, MetadataCondition.Operator.of(operator), value).matches(DOC);
    }

    @Test
    void textComparesExactlyForIsAndWithoutCaseForSubstrings() {
        assertThat(holds("tags", "is", "legal")).isTrue();
        assertThat(holds("tags", "is", "Legal")).as("is compares exactly").isFalse();
        assertThat(holds("tags", "is not", "legal")).isFalse();
        assertThat(holds("author", "contains", "LOVE")).isTrue();
        assertThat(holds("author", "not contains", "love")).isFalse();
        assertThat(holds("author", "start with", "ada")).isTrue();
        assertThat(holds("author", "end with", "LACE")).isTrue();
        assertThat(holds("tags", "contains", "fin")).as("any of several strings").isTrue();
        assertThat(holds("year", "contains", "20")).as("substrings are for text").isFalse();
    }

    @Test
    void numbersAndDatesCompareByOrder() {
        assertThat(holds("year", "=", "2023")).isTrue();
        assertThat(holds("year", "=", "2023.0")).isTrue();
        assertThat(holds("year", "≠", "2024")).isTrue();
        assertThat(holds("year", ">", "2022")).isTrue();
        assertThat(holds("year", ">=", "2023")).isTrue();
        assertThat(holds("year", "<", "2023")).isFalse();
        assertThat(holds("year", "≤", "2023")).isTrue();
        assertThat(holds("published", "after", "2023-05-01")).isTrue();
        assertThat(holds("published", "before", "2023-05-01T10:00:00Z")).isFalse();
        assertThat(holds("published", "before", "2023-05-01T12:00:00+01:00")).isTrue();
        assertThat(holds("published", "after", String.valueOf(Instant.parse("2023-01-01T00:00:00Z").getEpochSecond()))).isTrue();
        assertThat(holds("published", ">", "2023-04-30")).isTrue();
        assertThat(holds("published", "is", "2023-05-01T10:00:00Z")).isTrue();
        assertThat(holds("author", ">", "1")).as("order is for numbers and dates").isFalse();
    }

    @Test
    void aMissingKeyPassesOnlyTheNegativeOperatorsAndEmptiness() {
        assertThat(holds("nope", "is", "x")).isFalse();
        assertThat(holds("nope", "is not", "x")).isTrue();
        assertThat(holds("nope", "not contains", "x")).isTrue();
        assertThat(holds("nope", "contains", "x")).isFalse();
        assertThat(holds("nope", "empty", null)).isTrue();
        assertThat(holds("nope", "not empty", null)).isFalse();
        assertThat(holds("blank", "empty", null)).isTrue();
        assertThat(holds("tags", "not empty", null)).isTrue();
        assertThat(holds("nope", ">", "1")).isFalse();
    }

    @Test
    void filtersCombineWithAndOrOr() {
        MetadataCondition legal = new MetadataCondition("tags", MetadataCondition.Operator.IS, "legal");
        MetadataCondition old = new MetadataCondition("year", MetadataCondition.Operator.LESS, "2000");
        assertThat(MetadataFilter.all(legal, old).matches(DOC)).isFalse();
        assertThat(MetadataFilter.any(legal, old).matches(DOC)).isTrue();
        assertThat(MetadataFilter.NONE.matches(DocumentMetadata.EMPTY)).isTrue();
    }

    @Test
    void malformedConditionsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> MetadataCondition.Operator.of("like")).hasMessageContaining("unknown comparison operator");
        assertThatThrownBy(() -> new MetadataCondition("year", MetadataCondition.Operator.GREATER, "soon")).hasMessageContaining("number or a date");
        assertThatThrownBy(() -> new MetadataCondition("d", MetadataCondition.Operator.BEFORE, "tomorrow")).hasMessageContaining("needs a date");
        assertThatThrownBy(() -> new MetadataCondition("tags", MetadataCondition.Operator.IS, null)).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> new MetadataCondition("bad key!", MetadataCondition.Operator.EMPTY, null)).hasMessageContaining("metadata keys");
        assertThat(new MetadataCondition("tags", MetadataCondition.Operator.of("NOT EMPTY"), null).operator())
                .isEqualTo(MetadataCondition.Operator.NOT_EMPTY);
    }

    @Test
    void metadataTravelsAsOneStringAndBack() {
        DocumentMetadata odd = DOC.with("标题", MetadataValue.Text.of("3:x t1:", "", "差旅")).with("neg", new MetadataValue.Number(-0.25));
        assertThat(MetadataCodec.decode(MetadataCodec.encode(odd))).isEqualTo(odd);
        assertThat(MetadataCodec.decode("")).isEqualTo(DocumentMetadata.EMPTY);
    }
}

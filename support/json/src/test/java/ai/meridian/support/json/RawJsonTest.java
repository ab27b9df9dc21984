package ai.meridian.support.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

class RawJsonTest {

    @Test
    void readsEveryKindOfValueAsCompactText() throws Exception {
        try (JsonParser p = RawJson.FACTORY.createParser("{\"a\": {\"b\": [1, 2.5, \"x\\\"y\", true, null]}, \"c\": \"é\\n\", \"d\": 12345678901234567890}")) {
            p.nextToken();
            var members = RawJson.readObject(p);
            assertThat(members).containsExactly(
                    org.assertj.core.api.Assertions.entry("a", "{\"b\":[1,2.5,\"x\\\"y\",true,null]}"),
                    org.assertj.core.api.Assertions.entry("c", "\"é\\n\""),
                    org.assertj.core.api.Assertions.entry("d", "12345678901234567890"));
            assertThat(p.currentToken()).isEqualTo(JsonToken.END_OBJECT);
        }
    }

    @Test
    void looksInsideScalars() {
        assertThat(RawJson.stringValue("\"high\"")).isEqualTo("high");
        assertThat(RawJson.stringValue("3")).isNull();
        assertThat(RawJson.longValue("40")).isEqualTo(40L);
        assertThat(RawJson.longValue("4.5")).isNull();
        assertThat(RawJson.longValue("123456789012345678901234")).isNull();
        assertThat(RawJson.numberValue("0.05")).isEqualTo(0.05);
        assertThat(RawJson.booleanValue("true")).isTrue();
        assertThat(RawJson.booleanValue("\"true\"")).isNull();
        assertThat(RawJson.quote("a\"b")).isEqualTo("\"a\\\"b\"");
        assertThat(RawJson.objectMembers("{\"type\":\"enabled\"}")).containsEntry("type", "\"enabled\"");
    }
}

package ai.meridian.adapter.in.responses;

import ai.meridian.support.inboundhttp.Json;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this door keeps with a response besides the core's values (the stored response's {@code attributes}): the
 * request's settings as the response object echoes them ({@code echo}: field name to JSON value, in the object's
 * order), whether reasoning is shown as a summary, whether the answer shows log probabilities, the query of a web
 * search served by grounding ({@code null} when the request had no {@code web_search} tool) and whether its item lists
 * the sources ({@code include: ["web_search_call.action.sources"]}).
 */
record Attributes(Map<String, String> echo, boolean summary, boolean logprobs, String webSearchQuery, boolean webSearchSources) {

    Attributes {
        echo = Collections.unmodifiableMap(new LinkedHashMap<>(echo));
    }

    String echoed(String field, String fallback) {
        return echo.getOrDefault(field, fallback);
    }

    String toJson() {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("echo");
            for (Map.Entry<String, String> field : echo.entrySet()) {
                g.writeFieldName(field.getKey());
                g.writeRawValue(field.getValue());
            }
            g.writeEndObject();
            g.writeBooleanField("summary", summary);
            g.writeBooleanField("logprobs", logprobs);
            if (webSearchQuery != null) {
                g.writeStringField("web_search_query", webSearchQuery);
                g.writeBooleanField("web_search_sources", webSearchSources);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static Attributes fromJson(String json) {
        Map<String, String> echo = Map.of();
        boolean summary = false;
        boolean logprobs = false;
        String query = null;
        boolean sources = false;
        try (JsonParser p = RawJson.FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new Attributes(Map.of(), false, false, null, false);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "echo":
                        echo = value == JsonToken.START_OBJECT ? RawJson.readObject(p) : skip(p);
                        break;
                    case "summary":
                        summary = value == JsonToken.VALUE_TRUE;
                        break;
                    case "logprobs":
                        logprobs = value == JsonToken.VALUE_TRUE;
                        break;
                    case "web_search_query":
                        query = value == JsonToken.VALUE_STRING ? p.getText() : null;
                        break;
                    case "web_search_sources":
                        sources = value == JsonToken.VALUE_TRUE;
                        break;
                    default:
                        p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable attributes of a stored response", e);
        }
        return new Attributes(echo, summary, logprobs, query, sources);
    }

    private static Map<String, String> skip(JsonParser p) throws IOException {
        p.skipChildren();
        return Map.of();
    }
}

package ai.meridian.adapter.out.quark;

import ai.meridian.application.port.out.retrieval.TimeRange;
import ai.meridian.application.port.out.retrieval.WebResult;
import ai.meridian.application.port.out.retrieval.WebSearchQuery;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The IQS unified-search wire format: the request body, the result page, and error bodies. */
final class QuarkWire {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(4 * 1024 * 1024).build())
            .build();

    private QuarkWire() {
    }

    /** What an error body says; fields stay null when absent. */
    record ErrorBody(String requestId, String code, String message) {
    }

    static byte[] request(WebSearchQuery query, QuarkSettings settings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("query", query.text());
            g.writeStringField("timeRange", timeRange(query.timeRange()));
            g.writeStringField("engineType", settings.engineType().wireName());
            g.writeObjectFieldStart("contents");
            g.writeBooleanField("mainText", settings.mainText());
            g.writeBooleanField("markdownText", settings.markdownText());
            g.writeBooleanField("summary", settings.summary());
            g.writeBooleanField("rerankScore", settings.rerankScore());
            g.writeEndObject();
            g.writeObjectFieldStart("advancedParams");
            g.writeNumberField("numResults", query.maxResults());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String timeRange(TimeRange range) {
        switch (range) {
            case ONE_DAY: return "OneDay";
            case ONE_WEEK: return "OneWeek";
            case ONE_MONTH: return "OneMonth";
            case ONE_YEAR: return "OneYear";
            default: return "NoLimit";
        }
    }

    /**
     * The results of a 200 answer, at most {@code max}, skipping items without an http(s) link. Main text is the
     * plain main text, else the Markdown text; the snippet is the snippet, else the summary.
     *
     * @throws IOException when the body is not JSON or has no {@code pageItems}
     */
    static List<WebResult> results(byte[] body, int max) throws IOException {
        List<WebResult> results = new ArrayList<>();
        boolean sawItems = false;
        try (JsonParser p = JSON.createParser(body)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("pageItems") && value == JsonToken.START_ARRAY) {
                    sawItems = true;
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        WebResult result = item(p);
                        if (result != null && results.size() < max) {
                            results.add(result);
                        }
                    }
                } else if (field.equals("pageItems") && value == JsonToken.VALUE_NULL) {
                    sawItems = true;
                } else {
                    p.skipChildren();
                }
            }
        }
        if (!sawItems) {
            throw new IOException("the answer has no pageItems");
        }
        return results;
    }

    private static WebResult item(JsonParser p) throws IOException {
        String title = null;
        String link = null;
        String snippet = null;
        String summary = null;
        String published = null;
        String mainText = null;
        String markdown = null;
        String hostname = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_STRING) {
                String text = p.getText();
                switch (field) {
                    case "title": title = text; break;
                    case "link": link = text; break;
                    case "snippet": snippet = text; break;
                    case "summary": summary = text; break;
                    case "publishedTime": published = text; break;
                    case "mainText": mainText = text; break;
                    case "markdownText": markdown = text; break;
                    case "hostname": hostname = text; break;
                    default: break;
                }
            } else {
                p.skipChildren();
            }
        }
        if (link == null || !(link.startsWith("http://") || link.startsWith("https://"))) {
            return null;
        }
        return new WebResult(strip(title), link.strip(), blank(snippet) ? strip(summary) : snippet.strip(), strip(published),
                blank(mainText) ? strip(markdown) : mainText.strip(), strip(hostname));
    }

    /** The fields of an IQS error body ({@code code}/{@code errorCode}, {@code message}/{@code errorMessage}). */
    static ErrorBody error(byte[] body) {
        String requestId = null;
        String code = null;
        String message = null;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new ErrorBody(null, null, null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING) {
                    switch (field) {
                        case "requestId": case "RequestId": requestId = p.getText(); break;
                        case "code": case "errorCode": case "Code": code = p.getText(); break;
                        case "message": case "errorMessage": case "Message": message = p.getText(); break;
                        default: break;
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException notJson) {
            // an error page that is not JSON: the status alone explains it
        }
        return new ErrorBody(requestId, code, message);
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + " but found " + actual);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String strip(String s) {
        return s == null ? null : s.strip();
    }
}

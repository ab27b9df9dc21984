package ai.meridian.adapter.out.redis;

import ai.meridian.application.port.in.MidStreamSwitch;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.StreamEvent;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.domain.tenancy.RateLimitStatus;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stream events as compact JSON for Redis, every field of every event kept: the start (sources, who serves), a delta
 * (text, reasoning, tool-call fragments, the legacy function call, refusal, log probabilities, finish reason and the raw
 * fields a backend sent, as their JSON text), the end (finish reasons, usage with its raw details, backend switches)
 * and an error. Raw JSON values travel as strings, so nothing is parsed that the gateway does not interpret.
 */
final class StreamEventCodec {
    private StreamEventCodec() {
    }

    static String encode(StreamEvent event) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = RawJson.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            if (event instanceof StreamEvent.Piece piece) {
                g.writeStringField("t", "piece");
                delta(g, piece.delta());
            } else if (event instanceof StreamEvent.Start start) {
                g.writeStringField("t", "start");
                start(g, start.start());
            } else if (event instanceof StreamEvent.End end) {
                g.writeStringField("t", "end");
                end(g, end.end());
            } else if (event instanceof StreamEvent.Failed failed) {
                g.writeStringField("t", "failed");
                error(g, failed.error());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void string(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    private static void raw(JsonGenerator g, String field, Map<String, String> fields) throws IOException {
        if (fields.isEmpty()) {
            return;
        }
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : fields.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static void start(JsonGenerator g, StreamStart s) throws IOException {
        g.writeStringField("id", s.id());
        g.writeNumberField("created", s.created());
        g.writeStringField("model", s.model());
        g.writeStringField("backend", s.servedBy().backend());
        g.writeNumberField("tier", s.servedBy().tier());
        g.writeStringField("upstream_model", s.servedBy().upstreamModel());
        if (!s.citations().isEmpty()) {
            g.writeArrayFieldStart("citations");
            for (Citation c : s.citations()) {
                g.writeStartObject();
                g.writeNumberField("n", c.number());
                g.writeStringField("title", c.title());
                g.writeStringField("url", c.url());
                g.writeStringField("date", c.date());
                g.writeStringField("snippet", c.snippet());
                g.writeStringField("source", c.source());
                if (c.score() != null) {
                    g.writeNumberField("score", c.score());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (s.conversationId().isPresent()) {
            g.writeStringField("conversation_id", s.conversationId().get());
        }
        if (!s.notices().isEmpty()) {
            g.writeArrayFieldStart("notices");
            for (String notice : s.notices()) {
                g.writeString(notice);
            }
            g.writeEndArray();
        }
        window(g, "rl_requests", s.rateLimit().requests());
        window(g, "rl_tokens", s.rateLimit().tokens());
    }

    private static void window(JsonGenerator g, String field, Optional<RateLimitStatus.Window> window) throws IOException {
        if (window.isPresent()) {
            g.writeObjectFieldStart(field);
            g.writeNumberField("limit", window.get().limit());
            g.writeNumberField("remaining", window.get().remaining());
            g.writeNumberField("reset_ms", window.get().reset().toMillis());
            g.writeEndObject();
        }
    }

    @SuppressWarnings("unchecked")
    private static Optional<RateLimitStatus.Window> window(Map<String, Object> o, String field) {
        Map<String, Object> w = (Map<String, Object>) o.get(field);
        return w == null ? Optional.empty() : Optional.of(new RateLimitStatus.Window(((Number) w.get("limit")).longValue(),
                ((Number) w.get("remaining")).longValue(), Duration.ofMillis(((Number) w.get("reset_ms")).longValue())));
    }

    private static void call(JsonGenerator g, ToolCallDelta c) throws IOException {
        g.writeStartObject();
        g.writeNumberField("index", c.index());
        string(g, "id", c.id());
        string(g, "type", c.type());
        string(g, "name", c.name());
        string(g, "arguments", c.arguments());
        g.writeEndObject();
    }

    private static void delta(JsonGenerator g, Delta d) throws IOException {
        g.writeNumberField("choice", d.choice());
        if (!d.content().isEmpty()) {
            g.writeStringField("content", d.content());
        }
        if (!d.reasoningContent().isEmpty()) {
            g.writeStringField("reasoning", d.reasoningContent());
        }
        if (!d.toolCalls().isEmpty()) {
            g.writeArrayFieldStart("tool_calls");
            for (ToolCallDelta c : d.toolCalls()) {
                call(g, c);
            }
            g.writeEndArray();
        }
        if (d.functionCall() != null) {
            g.writeFieldName("function_call");
            call(g, d.functionCall());
        }
        string(g, "refusal", d.refusal());
        string(g, "logprobs", d.logprobs());
        if (d.finishReason() != null) {
            g.writeStringField("finish", d.finishReason().wireName());
        }
        raw(g, "chunk_extra", d.chunkExtra());
        raw(g, "choice_extra", d.choiceExtra());
        raw(g, "delta_extra", d.deltaExtra());
    }

    private static void end(JsonGenerator g, StreamEnd e) throws IOException {
        g.writeArrayFieldStart("finish");
        for (FinishReason reason : e.finishReasons()) {
            g.writeString(reason.wireName());
        }
        g.writeEndArray();
        TokenUsage u = e.usage();
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt", u.promptTokens());
        g.writeNumberField("completion", u.completionTokens());
        g.writeNumberField("cached", u.cachedPromptTokens());
        g.writeNumberField("reasoning", u.reasoningTokens());
        raw(g, "details", u.details());
        g.writeEndObject();
        if (!e.switches().isEmpty()) {
            g.writeArrayFieldStart("switches");
            for (MidStreamSwitch s : e.switches()) {
                g.writeStartObject();
                g.writeStringField("from", s.fromBackend());
                g.writeStringField("to", s.toBackend());
                g.writeNumberField("tier", s.tier());
                g.writeNumberField("after_chars", s.afterChars());
                g.writeStringField("reason", s.reason());
                g.writeStringField("style", s.style());
                g.writeNumberField("dropped", s.droppedToolCallPieces());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }

    private static void error(JsonGenerator g, GatewayError e) throws IOException {
        g.writeStringField("kind", e.kind().name());
        g.writeStringField("message", e.message());
        string(g, "param", e.param());
        string(g, "code", e.code());
        if (e.retryAfter() != null) {
            g.writeNumberField("retry_after_ms", e.retryAfter().toMillis());
        }
    }

    // ---- decoding -------------------------------------------------------------------------------

    /** A small tree of the encoded object: strings, numbers, nested objects and arrays as maps and lists. */
    private static Object value(JsonParser p) throws IOException {
        JsonToken token = p.currentToken();
        switch (token) {
            case START_OBJECT: {
                Map<String, Object> object = new LinkedHashMap<>();
                while (p.nextToken() != JsonToken.END_OBJECT) {
                    String name = p.currentName();
                    p.nextToken();
                    object.put(name, value(p));
                }
                return object;
            }
            case START_ARRAY: {
                List<Object> array = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    array.add(value(p));
                }
                return array;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
            case VALUE_FALSE:
                return p.getBooleanValue();
            default:
                return null;
        }
    }

    @SuppressWarnings("unchecked")
    static StreamEvent decode(String json) {
        Map<String, Object> o;
        try (JsonParser p = RawJson.FACTORY.createParser(json)) {
            p.nextToken();
            o = (Map<String, Object>) value(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String type = (String) o.get("t");
        switch (type) {
            case "piece":
                return new StreamEvent.Piece(delta(o));
            case "start":
                return new StreamEvent.Start(start(o));
            case "end":
                return new StreamEvent.End(end(o));
            case "failed":
                return new StreamEvent.Failed(error(o));
            default:
                throw new IllegalArgumentException("unknown stream event type " + type);
        }
    }

    private static String str(Map<String, Object> o, String field) {
        return (String) o.get(field);
    }

    private static int integer(Map<String, Object> o, String field) {
        Object v = o.get(field);
        return v == null ? 0 : ((Number) v).intValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> rawFields(Map<String, Object> o, String field) {
        Object v = o.get(field);
        if (v == null) {
            return Map.of();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        ((Map<String, Object>) v).forEach((k, value) -> fields.put(k, (String) value));
        return fields;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(Map<String, Object> o, String field) {
        Object v = o.get(field);
        return v == null ? List.of() : (List<Map<String, Object>>) v;
    }

    @SuppressWarnings("unchecked")
    private static StreamStart start(Map<String, Object> o) {
        List<Citation> citations = new ArrayList<>();
        for (Map<String, Object> c : objects(o, "citations")) {
            Object score = c.get("score");
            citations.add(new Citation(integer(c, "n"), str(c, "title"), str(c, "url"), str(c, "date"), str(c, "snippet"), str(c, "source"),
                    score == null ? null : ((Number) score).doubleValue()));
        }
        List<String> notices = o.get("notices") == null ? List.of() : (List<String>) o.get("notices");
        return new StreamStart(str(o, "id"), ((Number) o.get("created")).longValue(), str(o, "model"),
                new ServedBy(str(o, "backend"), integer(o, "tier"), str(o, "upstream_model")), citations,
                Optional.ofNullable(str(o, "conversation_id")), notices,
                new RateLimitStatus(window(o, "rl_requests"), window(o, "rl_tokens")));
    }

    private static ToolCallDelta call(Map<String, Object> c) {
        return new ToolCallDelta(integer(c, "index"), str(c, "id"), str(c, "type"), str(c, "name"), str(c, "arguments"));
    }

    @SuppressWarnings("unchecked")
    private static Delta delta(Map<String, Object> o) {
        List<ToolCallDelta> calls = new ArrayList<>();
        for (Map<String, Object> c : objects(o, "tool_calls")) {
            calls.add(call(c));
        }
        Object function = o.get("function_call");
        String finish = str(o, "finish");
        return new Delta(integer(o, "choice"), str(o, "content"), str(o, "reasoning"), calls,
                function == null ? null : call((Map<String, Object>) function), str(o, "refusal"), str(o, "logprobs"),
                finish == null ? null : FinishReason.fromWire(finish), rawFields(o, "chunk_extra"), rawFields(o, "choice_extra"),
                rawFields(o, "delta_extra"));
    }

    @SuppressWarnings("unchecked")
    private static StreamEnd end(Map<String, Object> o) {
        List<FinishReason> reasons = new ArrayList<>();
        for (Object reason : (List<Object>) o.get("finish")) {
            reasons.add(FinishReason.fromWire((String) reason));
        }
        Map<String, Object> u = (Map<String, Object>) o.get("usage");
        TokenUsage usage = new TokenUsage(integer(u, "prompt"), integer(u, "completion"), integer(u, "cached"), integer(u, "reasoning"),
                rawFields(u, "details"));
        List<MidStreamSwitch> switches = new ArrayList<>();
        for (Map<String, Object> s : objects(o, "switches")) {
            switches.add(new MidStreamSwitch(str(s, "from"), str(s, "to"), integer(s, "tier"), integer(s, "after_chars"), str(s, "reason"),
                    str(s, "style"), integer(s, "dropped")));
        }
        return new StreamEnd(reasons, usage, switches);
    }

    private static GatewayError error(Map<String, Object> o) {
        Object retry = o.get("retry_after_ms");
        return new GatewayError(ErrorKind.valueOf(str(o, "kind")), str(o, "message"), str(o, "param"), str(o, "code"),
                retry == null ? null : Duration.ofMillis(((Number) retry).longValue()));
    }
}

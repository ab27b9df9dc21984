package ai.meridian.adapter.out.openai;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.ResponseFormat;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The OpenAI chat-completions wire format: writes requests, reads answers, chunks and error bodies. */
final class OpenAiWire {
    static final JsonFactory JSON = JsonFactory.builder().build();

    private OpenAiWire() {
    }

    /** What one answer, chunk or error body says; fields stay null when absent. */
    static final class Fields {
        String model;
        String content;
        String reasoning;
        String finishReason;
        Integer promptTokens;
        Integer completionTokens;
        String errorMessage;
    }

    static void writeRequest(ByteBuf target, BackendCall call, boolean stream, OpenAiBackendConfig config) {
        GenerationParams p = call.params();
        try (JsonGenerator g = JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(target))) {
            g.writeStartObject();
            g.writeStringField("model", call.upstreamModel());
            g.writeArrayFieldStart("messages");
            for (ChatMessage m : call.messages()) {
                g.writeStartObject();
                g.writeStringField("role", m.role().wireName());
                g.writeStringField("content", m.content());
                if (m.name() != null) {
                    g.writeStringField("name", m.name());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (stream) {
                g.writeBooleanField("stream", true);
                if (config.streamUsage()) {
                    g.writeObjectFieldStart("stream_options");
                    g.writeBooleanField("include_usage", true);
                    g.writeEndObject();
                }
            }
            if (p.temperature() != null) {
                g.writeNumberField("temperature", p.temperature());
            }
            if (p.topP() != null) {
                g.writeNumberField("top_p", p.topP());
            }
            if (p.maxTokens() != null) {
                g.writeNumberField(config.maxTokensField(), p.maxTokens());
            }
            if (!p.stop().isEmpty()) {
                g.writeArrayFieldStart("stop");
                for (String s : p.stop()) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            if (p.seed() != null) {
                g.writeNumberField("seed", p.seed());
            }
            if (p.user() != null) {
                g.writeStringField("user", p.user());
            }
            if (p.presencePenalty() != null) {
                g.writeNumberField("presence_penalty", p.presencePenalty());
            }
            if (p.frequencyPenalty() != null) {
                g.writeNumberField("frequency_penalty", p.frequencyPenalty());
            }
            ResponseFormat format = p.responseFormat();
            if (format != null) {
                g.writeObjectFieldStart("response_format");
                g.writeStringField("type", format.type());
                if (format.schemaJson() != null) {
                    g.writeFieldName("json_schema");
                    g.writeRawValue(format.schemaJson());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads an answer ({@code message}) or a stream chunk ({@code delta}); both share the outline. */
    static Fields read(byte[] bytes, int offset, int length) throws IOException {
        Fields fields = new Fields();
        try (JsonParser p = JSON.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "model":
                        fields.model = textOrNull(p, value);
                        break;
                    case "choices":
                        readChoices(p, value, fields);
                        break;
                    case "usage":
                        readUsage(p, value, fields);
                        break;
                    case "error":
                        fields.errorMessage = readError(p, value);
                        break;
                    case "message":
                    case "detail":
                        // vLLM and FastAPI error bodies: {"object":"error","message":...} / {"detail":...}
                        if (value == JsonToken.VALUE_STRING && fields.errorMessage == null) {
                            fields.errorMessage = p.getText();
                        } else {
                            p.skipChildren();
                        }
                        break;
                    default:
                        p.skipChildren();
                }
            }
        }
        return fields;
    }

    private static void readChoices(JsonParser p, JsonToken value, Fields fields) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        boolean first = true;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (!first || p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            first = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ((name.equals("delta") || name.equals("message")) && v == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken fv = p.nextToken();
                        if (field.equals("content")) {
                            fields.content = textOrNull(p, fv);
                        } else if (field.equals("reasoning_content") || field.equals("reasoning")) {
                            fields.reasoning = textOrNull(p, fv);
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if (name.equals("finish_reason")) {
                    fields.finishReason = textOrNull(p, v);
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private static void readUsage(JsonParser p, JsonToken value, Fields fields) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("prompt_tokens") && v == JsonToken.VALUE_NUMBER_INT) {
                fields.promptTokens = p.getIntValue();
            } else if (name.equals("completion_tokens") && v == JsonToken.VALUE_NUMBER_INT) {
                fields.completionTokens = p.getIntValue();
            } else {
                p.skipChildren();
            }
        }
    }

    private static String readError(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        String message = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("message") && v == JsonToken.VALUE_STRING) {
                message = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return message == null ? "upstream error" : message;
    }

    private static String textOrNull(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }
}

package ai.meridian.adapter.out.jdbc;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a stored turn's message has beyond its role, text and reasoning, as one JSON document in the
 * {@code message_detail} column: content parts, "no content", the participant name, tool calls, the legacy
 * function call, the tool-call id and pass-through fields. A plain text message has none (the column stays NULL).
 */
final class MessageDetail {
    private MessageDetail() {
    }

    /** The document for {@code m}, or null when the text columns say everything. */
    static String write(ChatMessage m) {
        if (m.parts().isEmpty() && !m.contentNull() && m.name() == null && m.toolCalls().isEmpty() && m.functionCall() == null
                && m.toolCallId() == null && m.extra().isEmpty()) {
            return null;
        }
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = RawJson.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            if (!m.parts().isEmpty()) {
                g.writeArrayFieldStart("parts");
                for (ContentPart part : m.parts()) {
                    g.writeStartObject();
                    g.writeStringField("type", part.type());
                    if (part.text() != null) {
                        g.writeStringField("text", part.text());
                    }
                    if (part.json() != null) {
                        g.writeFieldName("json");
                        g.writeRawValue(part.json());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (m.contentNull()) {
                g.writeBooleanField("content_null", true);
            }
            if (m.name() != null) {
                g.writeStringField("name", m.name());
            }
            if (!m.toolCalls().isEmpty()) {
                g.writeArrayFieldStart("tool_calls");
                for (ToolCall call : m.toolCalls()) {
                    writeCall(g, call);
                }
                g.writeEndArray();
            }
            if (m.functionCall() != null) {
                g.writeFieldName("function_call");
                writeCall(g, m.functionCall());
            }
            if (m.toolCallId() != null) {
                g.writeStringField("tool_call_id", m.toolCallId());
            }
            if (!m.extra().isEmpty()) {
                g.writeObjectFieldStart("extra");
                for (Map.Entry<String, String> field : m.extra().entrySet()) {
                    g.writeFieldName(field.getKey());
                    g.writeRawValue(field.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeCall(JsonGenerator g, ToolCall call) throws IOException {
        g.writeStartObject();
        if (call.id() != null) {
            g.writeStringField("id", call.id());
        }
        g.writeStringField("type", call.type());
        g.writeStringField("name", call.name());
        g.writeStringField("arguments", call.arguments());
        g.writeEndObject();
    }

    /** The message of a stored turn: its columns, completed by the detail document when there is one. */
    static ChatMessage read(Role role, String content, String reasoning, String detail) {
        ChatMessage.Builder message = ChatMessage.builder(role).content(content)
                .reasoningContent(reasoning == null || reasoning.isEmpty() ? null : reasoning);
        if (detail == null || detail.isBlank()) {
            return message.build();
        }
        try (JsonParser p = RawJson.FACTORY.createParser(detail)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "parts":
                        message.parts(readParts(p));
                        break;
                    case "content_null":
                        message.contentNull(p.getBooleanValue());
                        break;
                    case "name":
                        message.name(p.getText());
                        break;
                    case "tool_calls":
                        List<ToolCall> calls = new ArrayList<>();
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            calls.add(readCall(p));
                        }
                        message.toolCalls(calls);
                        break;
                    case "function_call":
                        message.functionCall(readCall(p));
                        break;
                    case "tool_call_id":
                        message.toolCallId(p.getText());
                        break;
                    case "extra":
                        message.extra(RawJson.readObject(p));
                        break;
                    default:
                        p.skipChildren(); // written by a newer version: what this one does not know stays unread
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable message detail of a stored turn", e);
        }
        return message.build();
    }

    private static List<ContentPart> readParts(JsonParser p) throws IOException {
        List<ContentPart> parts = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String type = null;
            String text = null;
            String json = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "type":
                        type = p.getText();
                        break;
                    case "text":
                        text = p.getText();
                        break;
                    case "json":
                        json = RawJson.read(p);
                        break;
                    default:
                        p.skipChildren();
                }
            }
            parts.add(new ContentPart(type, text, json));
        }
        return parts;
    }

    private static ToolCall readCall(JsonParser p) throws IOException {
        String id = null;
        String type = null;
        String name = null;
        String arguments = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id":
                    id = p.getText();
                    break;
                case "type":
                    type = p.getText();
                    break;
                case "name":
                    name = p.getText();
                    break;
                case "arguments":
                    arguments = p.getText();
                    break;
                default:
                    p.skipChildren();
            }
        }
        return new ToolCall(id, type, name, arguments);
    }
}

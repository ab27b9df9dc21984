package ai.meridian.adapter.out.jdbc;

import ai.meridian.support.json.JsonOutput;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON documents a stored response keeps beside its columns: messages (role, text, reasoning and the
 * {@link MessageDetail} document for everything else), citations, and raw usage details.
 */
final class ResponseDocuments {
    private ResponseDocuments() {
    }


    static String messages(List<ChatMessage> messages) {
        return JsonOutput.string(g -> {
            g.writeStartArray();
            for (ChatMessage m : messages) {
                writeMessage(g, m);
            }
            g.writeEndArray();
        });
    }

    static String message(ChatMessage m) {
        return JsonOutput.string(g -> writeMessage(g, m));
    }

    private static void writeMessage(JsonGenerator g, ChatMessage m) throws IOException {
        g.writeStartObject();
        g.writeStringField("role", m.role().wireName());
        g.writeStringField("content", m.content());
        if (m.reasoningContent() != null) {
            g.writeStringField("reasoning", m.reasoningContent());
        }
        String detail = MessageDetail.write(m);
        if (detail != null) {
            g.writeFieldName("detail");
            g.writeRawValue(detail);
        }
        g.writeEndObject();
    }

    static List<ChatMessage> readMessages(String json) {
        List<ChatMessage> messages = new ArrayList<>();
        try (JsonParser p = RawJson.FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("expected an array of messages");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                messages.add(readMessage(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable messages of a stored response", e);
        }
        return messages;
    }

    static ChatMessage readMessage(String json) {
        try (JsonParser p = RawJson.FACTORY.createParser(json)) {
            p.nextToken();
            return readMessage(p);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable message of a stored response", e);
        }
    }

    private static ChatMessage readMessage(JsonParser p) throws IOException {
        Map<String, String> fields = RawJson.readObject(p);
        Role role = Role.fromWire(RawJson.stringValue(fields.get("role"))).orElseThrow(() -> new IOException("a message without a role"));
        String reasoning = fields.containsKey("reasoning") ? RawJson.stringValue(fields.get("reasoning")) : null;
        return MessageDetail.read(role, RawJson.stringValue(fields.get("content")), reasoning, fields.get("detail"));
    }

    static String citations(List<Citation> citations) {
        if (citations.isEmpty()) {
            return null;
        }
        return JsonOutput.string(g -> {
            g.writeStartArray();
            for (Citation c : citations) {
                g.writeStartObject();
                g.writeNumberField("number", c.number());
                g.writeStringField("title", c.title());
                g.writeStringField("url", c.url());
                g.writeStringField("date", c.date());
                g.writeStringField("snippet", c.snippet());
                g.writeStringField("source", c.source());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    static List<Citation> readCitations(String json) {
        if (json == null) {
            return List.of();
        }
        List<Citation> citations = new ArrayList<>();
        try (JsonParser p = RawJson.FACTORY.createParser(json)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.START_OBJECT) {
                Map<String, String> f = RawJson.readObject(p);
                citations.add(new Citation(RawJson.longValue(f.get("number")).intValue(), RawJson.stringValue(f.get("title")),
                        RawJson.stringValue(f.get("url")), RawJson.stringValue(f.get("date")), RawJson.stringValue(f.get("snippet")),
                        RawJson.stringValue(f.get("source"))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable citations of a stored response", e);
        }
        return citations;
    }

    static String notices(List<String> notices) {
        if (notices.isEmpty()) {
            return null;
        }
        return JsonOutput.string(g -> {
            g.writeStartArray();
            for (String notice : notices) {
                g.writeString(notice);
            }
            g.writeEndArray();
        });
    }

    static List<String> readNotices(String json) {
        if (json == null) {
            return List.of();
        }
        List<String> notices = new ArrayList<>();
        try (JsonParser p = RawJson.FACTORY.createParser(json)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.VALUE_STRING) {
                notices.add(p.getText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable notices of a stored response", e);
        }
        return notices;
    }

    static String details(Map<String, String> details) {
        if (details.isEmpty()) {
            return null;
        }
        return JsonOutput.string(g -> {
            g.writeStartObject();
            for (Map.Entry<String, String> field : details.entrySet()) {
                g.writeFieldName(field.getKey());
                g.writeRawValue(field.getValue());
            }
            g.writeEndObject();
        });
    }

    static Map<String, String> readDetails(String json) {
        return json == null ? Map.of() : new LinkedHashMap<>(RawJson.objectMembers(json));
    }
}

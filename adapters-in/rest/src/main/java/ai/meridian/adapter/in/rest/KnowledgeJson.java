package ai.meridian.adapter.in.rest;

import ai.meridian.support.inboundhttp.RequestJson;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.Grouping;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.KnowledgeMatch;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.MatchedPassage;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.MetadataCondition;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.domain.knowledge.MetadataValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The knowledge API's JSON beyond plain fields: document metadata (at ingestion), metadata filters in Dify's
 * {@code metadata_condition} shape (on {@code /query} as {@code filter}, on {@code /retrieval} as
 * {@code metadata_condition}), {@code group_by}, and metadata and matches written back. Every mistake is a 400
 * naming the field.
 */
final class KnowledgeJson {
    /** An ISO date or date-time string is stored as a date, so {@code before}/{@code after} and ranges compare it as one. */
    private static final Pattern ISO_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})?)?");

    private KnowledgeJson() {
    }

    /**
     * {@code {"key": "text" | number | ["tag", ...] | "2024-05-01"}}: strings, numbers, arrays of strings (tags) and ISO
     * dates; booleans are kept as the strings {@code true}/{@code false}.
     */
    static DocumentMetadata metadata(JsonNode node, String at) {
        if (node == null || node.isNull()) {
            return DocumentMetadata.EMPTY;
        }
        if (!node.isObject()) {
            throw RequestJson.wrongType(at, "an object", node);
        }
        Map<String, MetadataValue> values = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String path = at + "." + field.getKey();
            try {
                DocumentMetadata.checkKey(field.getKey());
                values.put(field.getKey(), value(field.getValue(), path));
            } catch (IllegalArgumentException e) {
                throw GatewayException.invalid(path, e.getMessage());
            }
        }
        try {
            return new DocumentMetadata(values);
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalid(at, e.getMessage());
        }
    }

    private static MetadataValue value(JsonNode v, String path) {
        if (v.isNumber()) {
            return new MetadataValue.Number(v.asDouble());
        }
        if (v.isBoolean()) {
            return MetadataValue.Text.of(v.asText());
        }
        if (v.isTextual()) {
            String s = v.asText();
            if (ISO_DATE.matcher(s).matches()) {
                Instant date = MetadataCondition.parseDate(s.replace(' ', 'T')).orElse(null);
                if (date != null) {
                    return new MetadataValue.Date(date);
                }
            }
            return MetadataValue.Text.of(s);
        }
        if (v.isArray()) {
            List<String> strings = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) {
                    throw RequestJson.wrongType(path + "[" + i + "]", "a string", v.get(i));
                }
                strings.add(v.get(i).asText());
            }
            return new MetadataValue.Text(strings);
        }
        throw RequestJson.wrongType(path, "a string, a number or an array of strings", v);
    }

    /**
     * Dify's {@code metadata_condition}: {@code {"logical_operator": "and"|"or", "conditions": [{"name": "key" | ["key"],
     * "comparison_operator": "is", "value": "x"}]}}.
     */
    static MetadataFilter filter(JsonNode node, String at) {
        if (node == null || node.isNull()) {
            return MetadataFilter.NONE;
        }
        if (!node.isObject()) {
            throw RequestJson.wrongType(at, "an object", node);
        }
        MetadataFilter.Logic logic = MetadataFilter.Logic.AND;
        JsonNode op = node.get("logical_operator");
        if (op != null && !op.isNull()) {
            if (!op.isTextual()) {
                throw RequestJson.wrongType(at + ".logical_operator", "a string", op);
            }
            logic = switch (op.asText().toLowerCase(Locale.ROOT)) {
                case "and" -> MetadataFilter.Logic.AND;
                case "or" -> MetadataFilter.Logic.OR;
                default -> throw GatewayException.invalid(at + ".logical_operator", "logical_operator must be 'and' or 'or'.");
            };
        }
        JsonNode conditions = node.get("conditions");
        if (conditions == null || conditions.isNull()) {
            return MetadataFilter.NONE;
        }
        if (!conditions.isArray()) {
            throw RequestJson.wrongType(at + ".conditions", "an array", conditions);
        }
        if (conditions.size() > MetadataFilter.MAX_CONDITIONS) {
            throw GatewayException.invalid(at + ".conditions", "At most " + MetadataFilter.MAX_CONDITIONS + " conditions.");
        }
        List<MetadataCondition> parsed = new ArrayList<>();
        for (int i = 0; i < conditions.size(); i++) {
            parsed.add(condition(conditions.get(i), at + ".conditions[" + i + "]"));
        }
        return new MetadataFilter(logic, parsed);
    }

    private static MetadataCondition condition(JsonNode c, String at) {
        if (!c.isObject()) {
            throw RequestJson.wrongType(at, "an object", c);
        }
        JsonNode name = c.get("name");
        String key;
        if (name == null || name.isNull()) {
            throw RequestJson.missing(at + ".name");
        } else if (name.isTextual()) {
            key = name.asText();
        } else if (name.isArray() && name.size() == 1 && name.get(0).isTextual()) {
            key = name.get(0).asText();
        } else if (name.isArray()) {
            throw GatewayException.invalid(at + ".name", "Give one metadata name per condition.");
        } else {
            throw RequestJson.wrongType(at + ".name", "a string or an array of one string", name);
        }
        JsonNode operator = c.get("comparison_operator");
        if (operator == null || operator.isNull()) {
            throw RequestJson.missing(at + ".comparison_operator");
        }
        if (!operator.isTextual()) {
            throw RequestJson.wrongType(at + ".comparison_operator", "a string", operator);
        }
        JsonNode value = c.get("value");
        String text;
        if (value == null || value.isNull()) {
            text = null;
        } else if (value.isTextual() || value.isNumber() || value.isBoolean()) {
            text = value.asText();
        } else {
            throw RequestJson.wrongType(at + ".value", "a string or a number", value);
        }
        try {
            return new MetadataCondition(key, MetadataCondition.Operator.of(operator.asText()), text);
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalid(at, e.getMessage());
        }
    }

    static Grouping grouping(JsonNode root, Grouping fallback) {
        JsonNode g = root.get("group_by");
        if (g == null || g.isNull()) {
            return fallback;
        }
        if (!g.isTextual()) {
            throw RequestJson.wrongType("group_by", "a string", g);
        }
        return switch (g.asText()) {
            case "document" -> Grouping.DOCUMENT;
            case "chunk" -> Grouping.CHUNK;
            default -> throw GatewayException.invalid("group_by", "group_by must be 'document' or 'chunk'.");
        };
    }

    /** Metadata as JSON values: strings (one string as itself, several as an array), numbers, dates as ISO-8601 UTC. */
    static Map<String, Object> write(DocumentMetadata metadata) {
        Map<String, Object> out = new LinkedHashMap<>();
        metadata.values().forEach((key, value) -> {
            if (value instanceof MetadataValue.Text text) {
                out.put(key, text.values().size() == 1 ? text.values().get(0) : text.values());
            } else if (value instanceof MetadataValue.Number n) {
                out.put(key, n.value() == Math.rint(n.value()) && Math.abs(n.value()) < 1e15 ? (Object) (long) n.value() : n.value());
            } else {
                out.put(key, ((MetadataValue.Date) value).value().toString());
            }
        });
        return out;
    }

    /** A match of {@code /query}: one chunk ({@code knowledge_passage}) or one document with its passages. */
    static Map<String, Object> match(KnowledgeMatch m, Grouping grouping) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (grouping == Grouping.CHUNK) {
            MatchedPassage p = m.passages().get(0);
            out.put("object", "knowledge_passage");
            out.put("id", p.chunkId());
            out.put("document_id", m.documentId());
            out.put("knowledge_base", m.knowledgeBase());
            out.put("title", m.title());
            out.put("url", m.url());
            out.put("text", p.text());
            out.put("score", p.score());
            out.put("metadata", write(m.metadata()));
            return out;
        }
        out.put("object", "knowledge_document");
        out.put("id", m.documentId());
        out.put("knowledge_base", m.knowledgeBase());
        out.put("title", m.title());
        out.put("url", m.url());
        out.put("text", m.content());
        out.put("score", m.score());
        out.put("metadata", write(m.metadata()));
        out.put("passages", m.passages().stream().map(p -> {
            Map<String, Object> passage = new LinkedHashMap<>();
            passage.put("id", p.chunkId());
            passage.put("position", p.position());
            passage.put("text", p.text());
            passage.put("score", p.score());
            return passage;
        }).toList());
        return out;
    }
}

package ai.meridian.adapter.in.rest;

import ai.meridian.support.inboundhttp.RequestJson;
import ai.meridian.domain.audit.AuditEntry;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.ApiKey;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.Tenant;
import ai.meridian.domain.usage.UsageRecord;
import ai.meridian.support.inboundhttp.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The admin API's JSON (and CSV): what tenants, keys, usage lines and audit entries look like, and strict reading of bodies. */
final class AdminJson {
    static final String CSV_HEADER = "day,tenant,key_id,model,backend,requests,input_tokens,output_tokens,cached_tokens\n";

    private AdminJson() {
    }

    static byte[] write(Object value) {
        try {
            return Json.MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> tenant(Tenant t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "tenant");
        m.put("id", t.id());
        m.put("name", t.name());
        m.put("enabled", t.enabled());
        m.put("cors_origins", t.corsOrigins());
        m.put("created_at", t.createdAt().getEpochSecond());
        m.put("updated_at", t.updatedAt().getEpochSecond());
        return m;
    }

    static Map<String, Object> key(ApiKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "api_key");
        m.put("id", k.id());
        m.put("prefix", k.displayPrefix());
        m.put("tenant", k.tenant());
        m.put("name", k.name());
        m.put("role", k.role().wireName());
        m.put("status", k.status().wireName());
        m.put("allowed_models", k.allowedModels());
        m.put("allowed_knowledge_bases", k.allowedKnowledgeBases());
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("requests_per_minute", k.limits().requestsPerMinute());
        limits.put("tokens_per_minute", k.limits().tokensPerMinute());
        limits.put("daily_token_budget", k.limits().dailyTokens());
        limits.put("monthly_token_budget", k.limits().monthlyTokens());
        m.put("limits", limits);
        m.put("expires_at", k.expiresAt().map(Instant::getEpochSecond).orElse(null));
        m.put("previous_secret_valid_until", k.previousValidUntil().map(Instant::getEpochSecond).orElse(null));
        m.put("created_at", k.createdAt().getEpochSecond());
        m.put("updated_at", k.updatedAt().getEpochSecond());
        return m;
    }

    static Map<String, Object> usage(UsageRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "usage");
        m.put("day", r.day().toString());
        m.put("tenant", r.tenant());
        m.put("key_id", r.keyId());
        m.put("model", r.model());
        m.put("backend", r.backend());
        m.put("requests", r.requests());
        m.put("input_tokens", r.inputTokens());
        m.put("output_tokens", r.outputTokens());
        m.put("cached_tokens", r.cachedTokens());
        m.put("total_tokens", r.totalTokens());
        return m;
    }

    static Map<String, Object> audit(AuditEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "audit_entry");
        m.put("id", e.id());
        m.put("at", e.at().toString());
        m.put("tenant", e.tenant());
        m.put("actor", e.actor());
        m.put("action", e.action());
        m.put("target", e.target());
        m.put("outcome", e.outcome());
        m.put("client_address", e.clientAddress());
        m.put("request_id", e.requestId());
        m.put("detail", e.detail());
        return m;
    }

    static byte[] csv(List<UsageRecord> lines) {
        StringBuilder out = new StringBuilder(CSV_HEADER);
        for (UsageRecord r : lines) {
            out.append(r.day()).append(',').append(cell(r.tenant())).append(',').append(cell(r.keyId())).append(',')
                    .append(cell(r.model())).append(',').append(cell(r.backend())).append(',').append(r.requests()).append(',')
                    .append(r.inputTokens()).append(',').append(r.outputTokens()).append(',').append(r.cachedTokens()).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** RFC 4180 quoting; a cell a spreadsheet would run as a formula is prefixed with a quote. */
    static String cell(String value) {
        String v = value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            v = "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    /** Refuses fields the endpoint does not know: nothing a client sends is dropped silently. */
    static void onlyFields(JsonNode root, Set<String> known) {
        Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw GatewayException.invalid(name, "Unknown parameter: '" + name + "'. This endpoint accepts " + String.join(", ",
                        known.stream().sorted().toList()) + ".");
            }
        }
    }

    static Optional<List<String>> strings(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isArray()) {
            throw RequestJson.wrongType(field, "an array of strings", node);
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual() || item.asText().isBlank() || item.asText().contains("\n")) {
                throw RequestJson.wrongType(field + "[" + i + "]", "a non-empty string", item);
            }
            values.add(item.asText());
        }
        return Optional.of(values);
    }

    static Optional<Boolean> bool(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isBoolean()) {
            throw RequestJson.wrongType(field, "a boolean", node);
        }
        return Optional.of(node.asBoolean());
    }

    static Long positiveLong(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 1) {
            throw RequestJson.wrongType(path, "a positive integer (or null for no limit)", node);
        }
        return node.asLong();
    }

    static KeyLimits limits(JsonNode node) {
        if (!node.isObject()) {
            throw RequestJson.wrongType("limits", "an object", node);
        }
        onlyFields(node, Set.of("requests_per_minute", "tokens_per_minute", "daily_token_budget", "monthly_token_budget"));
        return new KeyLimits(positiveLong(node, "requests_per_minute", "limits.requests_per_minute"),
                positiveLong(node, "tokens_per_minute", "limits.tokens_per_minute"),
                positiveLong(node, "daily_token_budget", "limits.daily_token_budget"),
                positiveLong(node, "monthly_token_budget", "limits.monthly_token_budget"));
    }

    /** A time as Unix seconds. */
    static Instant epochSeconds(JsonNode node, String field) {
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0 || node.asLong() > 253_402_300_799L) {
            throw RequestJson.wrongType(field, "a time in Unix seconds", node);
        }
        return Instant.ofEpochSecond(node.asLong());
    }
}

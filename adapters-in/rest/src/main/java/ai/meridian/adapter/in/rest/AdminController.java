package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.ManageApiKeysUseCase.IssuedKey;
import ai.meridian.application.port.in.ManageApiKeysUseCase.KeyChanges;
import ai.meridian.application.port.in.ManageApiKeysUseCase.KeyDraft;
import ai.meridian.application.port.in.ManageApiKeysUseCase;
import ai.meridian.application.port.in.ManageTenantsUseCase.TenantChanges;
import ai.meridian.application.port.in.ManageTenantsUseCase.TenantDraft;
import ai.meridian.application.port.in.ManageTenantsUseCase;
import ai.meridian.application.port.in.ReadAuditLogUseCase.AuditQuery;
import ai.meridian.application.port.in.ReadAuditLogUseCase;
import ai.meridian.application.port.in.ReadUsageUseCase.UsageQuery;
import ai.meridian.application.port.in.ReadUsageUseCase;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.Role;
import ai.meridian.support.inboundhttp.ApiKeyFilter;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.inboundhttp.RequestJson;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The admin API under {@code /v1/admin}: tenants, keys, usage and the audit log. It translates HTTP to the use
 * cases and back; who may do what (operator, a tenant's admin key) is the core's decision. Bodies are strict:
 * an unknown field is a 400 naming it.
 */
@Controller("/v1/admin")
@io.micronaut.context.annotation.Requires(beans = {ManageTenantsUseCase.class, ManageApiKeysUseCase.class, ReadUsageUseCase.class,
        ReadAuditLogUseCase.class})
final class AdminController {
    private static final Set<String> TENANT_CREATE = Set.of("id", "name", "cors_origins");
    private static final Set<String> TENANT_UPDATE = Set.of("name", "enabled", "cors_origins");
    private static final Set<String> KEY_CREATE = Set.of("tenant", "name", "role", "allowed_models", "allowed_knowledge_bases", "limits", "expires_at");
    private static final Set<String> KEY_UPDATE = Set.of("name", "role", "allowed_models", "allowed_knowledge_bases", "limits", "expires_at");
    private static final Set<String> ROTATE = Set.of("grace_period_seconds");
    private static final MediaType CSV = MediaType.of("text/csv");

    private final ManageTenantsUseCase tenants;
    private final ManageApiKeysUseCase keys;
    private final ReadUsageUseCase usage;
    private final ReadAuditLogUseCase audit;

    AdminController(ManageTenantsUseCase tenants, ManageApiKeysUseCase keys, ReadUsageUseCase usage, ReadAuditLogUseCase audit) {
        this.tenants = tenants;
        this.keys = keys;
        this.usage = usage;
        this.audit = audit;
    }

    private static MutableHttpResponse<byte[]> json(HttpRequest<?> request, HttpStatus status, Object body) {
        return HttpResponse.<byte[]>status(status).body(AdminJson.write(body)).contentType(MediaType.APPLICATION_JSON_TYPE)
                .header(RequestIds.HEADER, RequestIds.of(request));
    }

    private static Map<String, Object> list(List<?> data, boolean more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "list");
        m.put("data", data);
        m.put("has_more", more);
        return m;
    }

    // ---- tenants

    @Post(uri = "/tenants", consumes = {MediaType.APPLICATION_JSON, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> createTenant(HttpRequest<?> request, @Body @Nullable byte[] body) {
        JsonNode root = RequestJson.readObject(body);
        AdminJson.onlyFields(root, TENANT_CREATE);
        TenantDraft draft = new TenantDraft(RequestJson.requiredString(root, "id"), RequestJson.optionalString(root, "name"),
                AdminJson.strings(root, "cors_origins").orElse(List.of()));
        return tenants.createTenant(ApiKeyFilter.context(request), draft)
                .thenApply(t -> json(request, HttpStatus.CREATED, AdminJson.tenant(t)));
    }

    @Get(uri = "/tenants", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> listTenants(HttpRequest<?> request) {
        return tenants.listTenants(ApiKeyFilter.context(request))
                .thenApply(all -> json(request, HttpStatus.OK, list(all.stream().map(AdminJson::tenant).toList(), false)));
    }

    @Get(uri = "/tenants/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> getTenant(HttpRequest<?> request, @PathVariable String id) {
        return tenants.getTenant(ApiKeyFilter.context(request), id).thenApply(t -> json(request, HttpStatus.OK, AdminJson.tenant(t)));
    }

    @Patch(uri = "/tenants/{id}", consumes = {MediaType.APPLICATION_JSON, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> updateTenant(HttpRequest<?> request, @PathVariable String id, @Body @Nullable byte[] body) {
        JsonNode root = RequestJson.readObject(body);
        AdminJson.onlyFields(root, TENANT_UPDATE);
        TenantChanges changes = new TenantChanges(Optional.ofNullable(RequestJson.optionalString(root, "name")),
                AdminJson.bool(root, "enabled"), AdminJson.strings(root, "cors_origins"));
        return tenants.updateTenant(ApiKeyFilter.context(request), id, changes)
                .thenApply(t -> json(request, HttpStatus.OK, AdminJson.tenant(t)));
    }

    // ---- keys

    @Post(uri = "/keys", consumes = {MediaType.APPLICATION_JSON, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> createKey(HttpRequest<?> request, @Body @Nullable byte[] body) {
        JsonNode root = RequestJson.readObject(body);
        AdminJson.onlyFields(root, KEY_CREATE);
        JsonNode limits = root.get("limits");
        JsonNode expires = root.get("expires_at");
        KeyDraft draft = new KeyDraft(Optional.ofNullable(RequestJson.optionalString(root, "tenant")),
                RequestJson.optionalString(root, "name"), role(root).orElse(Role.MEMBER),
                AdminJson.strings(root, "allowed_models").orElse(List.of()), AdminJson.strings(root, "allowed_knowledge_bases").orElse(List.of()),
                limits == null || limits.isNull() ? KeyLimits.NONE : AdminJson.limits(limits),
                expires == null || expires.isNull() ? Optional.empty() : Optional.of(AdminJson.epochSeconds(expires, "expires_at")));
        return keys.createKey(ApiKeyFilter.context(request), draft).thenApply(k -> json(request, HttpStatus.CREATED, issued(k)));
    }

    private static Map<String, Object> issued(IssuedKey issued) {
        Map<String, Object> m = AdminJson.key(issued.key());
        m.put("secret", issued.secret());
        return m;
    }

    private static Optional<Role> role(JsonNode root) {
        String role = RequestJson.optionalString(root, "role");
        if (role == null) {
            return Optional.empty();
        }
        return Optional.of(Role.fromWire(role).orElseThrow(() -> GatewayException.invalid("role",
                "Invalid 'role': '" + role + "'. Supported values are: 'admin', 'member' and 'reader'.")));
    }

    @Get(uri = "/keys", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> listKeys(HttpRequest<?> request) {
        Optional<String> tenant = single(request, "tenant");
        return keys.listKeys(ApiKeyFilter.context(request), tenant)
                .thenApply(all -> json(request, HttpStatus.OK, list(all.stream().map(AdminJson::key).toList(), false)));
    }

    @Get(uri = "/keys/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> getKey(HttpRequest<?> request, @PathVariable String id) {
        return keys.getKey(ApiKeyFilter.context(request), id).thenApply(k -> json(request, HttpStatus.OK, AdminJson.key(k)));
    }

    @Patch(uri = "/keys/{id}", consumes = {MediaType.APPLICATION_JSON, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> updateKey(HttpRequest<?> request, @PathVariable String id, @Body @Nullable byte[] body) {
        JsonNode root = RequestJson.readObject(body);
        AdminJson.onlyFields(root, KEY_UPDATE);
        JsonNode limits = root.get("limits");
        Optional<Optional<Instant>> expires = !root.has("expires_at") ? Optional.empty()
                : root.get("expires_at").isNull() ? Optional.of(Optional.empty())
                : Optional.of(Optional.of(AdminJson.epochSeconds(root.get("expires_at"), "expires_at")));
        KeyChanges changes = new KeyChanges(Optional.ofNullable(RequestJson.optionalString(root, "name")), role(root),
                AdminJson.strings(root, "allowed_models"), AdminJson.strings(root, "allowed_knowledge_bases"),
                !root.has("limits") ? Optional.empty() : Optional.of(limits.isNull() ? KeyLimits.NONE : AdminJson.limits(limits)), expires);
        return keys.updateKey(ApiKeyFilter.context(request), id, changes).thenApply(k -> json(request, HttpStatus.OK, AdminJson.key(k)));
    }

    @Post(uri = "/keys/{id}/rotate", consumes = {MediaType.APPLICATION_JSON, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> rotateKey(HttpRequest<?> request, @PathVariable String id, @Body @Nullable byte[] body) {
        Duration grace = Duration.ZERO;
        if (body != null && body.length > 0) {
            JsonNode root = RequestJson.readObject(body);
            AdminJson.onlyFields(root, ROTATE);
            Integer seconds = RequestJson.optionalInt(root, "grace_period_seconds");
            grace = seconds == null ? Duration.ZERO : Duration.ofSeconds(seconds);
        }
        return keys.rotateKey(ApiKeyFilter.context(request), id, grace).thenApply(k -> json(request, HttpStatus.OK, issued(k)));
    }

    @Post(uri = "/keys/{id}/revoke", consumes = {MediaType.APPLICATION_JSON, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> revokeKey(HttpRequest<?> request, @PathVariable String id) {
        return keys.revokeKey(ApiKeyFilter.context(request), id).thenApply(k -> json(request, HttpStatus.OK, AdminJson.key(k)));
    }

    @Delete(uri = "/keys/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> deleteKey(HttpRequest<?> request, @PathVariable String id) {
        return revokeKey(request, id);
    }

    // ---- usage and audit

    @Get(uri = "/usage", produces = {MediaType.APPLICATION_JSON, "text/csv"})
    CompletableFuture<MutableHttpResponse<byte[]>> usage(HttpRequest<?> request) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate to = single(request, "to").map(v -> date("to", v)).orElse(today);
        LocalDate from = single(request, "from").map(v -> date("from", v)).orElse(to.minusDays(30));
        int limit = single(request, "limit").map(v -> integer("limit", v)).orElse(100);
        String format = single(request, "format").orElse(acceptsCsv(request) ? "csv" : "json");
        if (!format.equals("json") && !format.equals("csv")) {
            throw GatewayException.invalid("format", "Invalid 'format': '" + format + "'. Supported values are: 'json' and 'csv'.");
        }
        UsageQuery query = new UsageQuery(single(request, "tenant"), single(request, "key_id"), single(request, "model"),
                single(request, "backend"), from, to, limit, single(request, "after"));
        return usage.usage(ApiKeyFilter.context(request), query).thenApply(page -> {
            if (format.equals("csv")) {
                MutableHttpResponse<byte[]> csv = HttpResponse.ok(AdminJson.csv(page.lines())).contentType(CSV)
                        .header(RequestIds.HEADER, RequestIds.of(request));
                page.next().ifPresent(next -> csv.header("x-next-cursor", next));
                return csv;
            }
            Map<String, Object> body = list(page.lines().stream().map(AdminJson::usage).toList(), page.next().isPresent());
            body.put("next", page.next().orElse(null));
            return json(request, HttpStatus.OK, body);
        });
    }

    private static boolean acceptsCsv(HttpRequest<?> request) {
        String accept = request.getHeaders().get(HttpHeaders.ACCEPT);
        return accept != null && accept.contains("text/csv") && !accept.contains("application/json");
    }

    @Get(uri = "/audit", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> audit(HttpRequest<?> request) {
        int limit = single(request, "limit").map(v -> integer("limit", v)).orElse(100);
        OptionalLong before = single(request, "before").map(v -> OptionalLong.of(integer("before", v))).orElse(OptionalLong.empty());
        AuditQuery query = new AuditQuery(single(request, "tenant"), single(request, "actor"), single(request, "action"),
                single(request, "from").map(v -> instant("from", v)), single(request, "to").map(v -> instant("to", v)), limit, before);
        return audit.audit(ApiKeyFilter.context(request), query).thenApply(page -> {
            Map<String, Object> body = list(page.entries().stream().map(AdminJson::audit).toList(), page.next().isPresent());
            body.put("next_before", page.next().isPresent() ? page.next().getAsLong() : null);
            return json(request, HttpStatus.OK, body);
        });
    }

    private static Optional<String> single(HttpRequest<?> request, String name) {
        List<String> values = request.getParameters().getAll(name);
        if (values.size() > 1) {
            throw GatewayException.invalid(name, "Invalid '" + name + "': give it at most once.");
        }
        return values.isEmpty() || values.get(0).isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    private static LocalDate date(String name, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw GatewayException.invalid(name, "Invalid '" + name + "': expected a date as YYYY-MM-DD.");
        }
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw GatewayException.invalid(name, "Invalid '" + name + "': expected an integer.");
        }
    }

    private static Instant instant(String name, String value) {
        try {
            return value.chars().allMatch(Character::isDigit) && !value.isEmpty() && value.length() < 13
                    ? Instant.ofEpochSecond(Long.parseLong(value)) : Instant.parse(value);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw GatewayException.invalid(name, "Invalid '" + name + "': expected Unix seconds or an ISO-8601 instant.");
        }
    }
}

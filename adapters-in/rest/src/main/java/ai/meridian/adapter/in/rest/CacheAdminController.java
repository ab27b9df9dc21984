package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.ManageCacheUseCase;
import ai.meridian.application.port.in.ManageCacheUseCase.CacheState;
import ai.meridian.application.port.in.ManageCacheUseCase.Level;
import ai.meridian.application.port.in.ManageCacheUseCase.Purge;
import ai.meridian.support.inboundhttp.ApiKeyFilter;
import ai.meridian.support.inboundhttp.Json;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.inboundhttp.RequestJson;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The response cache's admin API: {@code GET /v1/admin/cache} (whether it is on, the shared level's state, each
 * level's figures) and {@code POST /v1/admin/cache/purge} ({@code {"tenant", "model", "key"}}, any combination; an
 * empty body purges everything the caller may purge). Who may purge what is the core's decision: the operator any
 * tenant, a tenant's admin key its own tenant only.
 */
@Controller("/v1/admin/cache")
@Requires(beans = ManageCacheUseCase.class)
final class CacheAdminController {
    private static final Set<String> PURGE = Set.of("tenant", "model", "key");
    private final ManageCacheUseCase cache;

    CacheAdminController(ManageCacheUseCase cache) {
        this.cache = cache;
    }

    private static MutableHttpResponse<byte[]> json(HttpRequest<?> request, Object body) {
        return HttpResponse.<byte[]>status(HttpStatus.OK).body(AdminJson.write(body)).contentType(MediaType.APPLICATION_JSON_TYPE)
                .header(RequestIds.HEADER, RequestIds.of(request));
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> state(HttpRequest<?> request) {
        return cache.state(ApiKeyFilter.context(request)).thenApply(state -> json(request, state(state)));
    }

    @Post(uri = "/purge", consumes = {MediaType.APPLICATION_JSON, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> purge(HttpRequest<?> request, @Body @Nullable byte[] body) {
        JsonNode root = body == null || body.length == 0 ? Json.MAPPER.createObjectNode() : RequestJson.readObject(body);
        AdminJson.onlyFields(root, PURGE);
        Optional<String> tenant = Optional.ofNullable(RequestJson.optionalString(root, "tenant"));
        Optional<String> model = Optional.ofNullable(RequestJson.optionalString(root, "model"));
        Optional<String> key = Optional.ofNullable(RequestJson.optionalString(root, "key"));
        return cache.purge(ApiKeyFilter.context(request), tenant, model, key).thenApply(purge -> json(request, purge(purge)));
    }

    private static Map<String, Object> purge(Purge p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "cache.purge");
        m.put("scope", p.scope());
        p.tenant().ifPresent(t -> m.put("tenant", t));
        p.model().ifPresent(t -> m.put("model", t));
        p.key().ifPresent(k -> {
            m.put("key", k);
            m.put("found", p.found());
        });
        m.put("shared", p.shared());
        return m;
    }

    private static Map<String, Object> state(CacheState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "cache.state");
        m.put("enabled", s.enabled());
        m.put("shared_level", s.sharedLevel());
        if (s.sharedLevel()) {
            m.put("shared_up", s.sharedUp());
            if (!s.sharedUp()) {
                m.put("last_failure", s.lastFailure());
            }
        }
        Map<String, Object> levels = new LinkedHashMap<>();
        levels.put("l1", level(s.l1()));
        s.l2().ifPresent(l -> levels.put("l2", level(l)));
        m.put("levels", levels);
        return m;
    }

    private static Map<String, Object> level(Level l) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (l.entries() >= 0) {
            m.put("entries", l.entries());
        }
        if (l.bytes() >= 0) {
            m.put("bytes", l.bytes());
        }
        m.put("evicted_by_size", l.evictedBySize());
        m.put("expired", l.expired());
        return m;
    }
}

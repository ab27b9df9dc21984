package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.CheckHealthUseCase.Readiness;
import ai.meridian.application.port.in.CheckHealthUseCase;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /health/live}: the process answers. {@code /health/ready} (and {@code /health}): every model
 * can be served; 503 with the details when not: each backend, each model on it (its readiness probe and
 * circuit), and each public model.
 */
@Controller
final class HealthController {
    private final CheckHealthUseCase health;

    HealthController(CheckHealthUseCase health) {
        this.health = health;
    }

    @Get(uri = "/health/live", produces = MediaType.APPLICATION_JSON)
    Map<String, Object> live() {
        return Map.of("status", "UP");
    }

    @Get(uri = "/health", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<Map<String, Object>>> health() {
        return ready();
    }

    @Get(uri = "/health/ready", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<Map<String, Object>>> ready() {
        return health.readiness().thenApply(HealthController::toResponse);
    }

    private static HttpResponse<Map<String, Object>> toResponse(Readiness readiness) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", readiness.ready() ? "UP" : "DOWN");
        Map<String, Object> backends = new LinkedHashMap<>();
        readiness.backends().forEach((id, b) -> {
            // Ordered: Map.of iterates in an order that changes from one JVM run to the next.
            Map<String, Object> backend = new LinkedHashMap<>();
            backend.put("ready", b.ready());
            backend.put("circuit", b.circuit());
            if (!b.models().isEmpty()) {
                Map<String, Object> models = new LinkedHashMap<>();
                b.models().forEach((name, m) -> {
                    Map<String, Object> model = new LinkedHashMap<>();
                    model.put("ready", m.ready());
                    model.put("circuit", m.circuit());
                    models.put(name, model);
                });
                backend.put("models", models);
            }
            backends.put(id, backend);
        });
        body.put("backends", backends);
        body.put("models", readiness.models());
        if (!readiness.components().isEmpty()) {
            Map<String, Object> components = new LinkedHashMap<>();
            readiness.components().forEach((name, c) -> {
                Map<String, Object> component = new LinkedHashMap<>();
                component.put("status", c.status());
                component.put("detail", c.detail());
                components.put(name, component);
            });
            body.put("components", components);
        }
        if (!readiness.pools().isEmpty()) {
            Map<String, Object> pools = new LinkedHashMap<>();
            readiness.pools().forEach((name, p) -> {
                Map<String, Object> pool = new LinkedHashMap<>();
                pool.put("saturated", p.load().saturated());
                pool.put("busy", p.load().busy());
                pool.put("size", p.load().size());
                pool.put("waiting", p.load().waiting());
                pool.put("essential", p.essential());
                pools.put(name, pool);
            });
            body.put("pools", pools);
        }
        if (readiness.draining()) {
            body.put("draining", true);
        }
        return HttpResponse.status(readiness.ready() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }
}

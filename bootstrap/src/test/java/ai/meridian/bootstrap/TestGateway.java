package ai.meridian.bootstrap;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The whole gateway started in-process on a random port, with configuration given as nested maps (as YAML would). */
final class TestGateway implements AutoCloseable {
    static final String KEY = "sk-test-master";

    private final EmbeddedServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The data directory this gateway made for itself, deleted on close. */
    private final String ownDataDir;

    private TestGateway(EmbeddedServer server, String ownDataDir) {
        this.server = server;
        this.ownDataDir = ownDataDir;
    }

    /** Starts with the master key set and the given {@code meridian.*} settings. */
    static TestGateway start(Map<String, Object> meridian) {
        Map<String, Object> withKey = new LinkedHashMap<>(meridian);
        withKey.putIfAbsent("master-key", KEY);
        return startRaw(Map.of("meridian", withKey));
    }

    /** Each gateway gets its own data directory (its own H2 database) unless the test names one. */
    static TestGateway startRaw(Map<String, Object> root) {
        Map<String, Object> config = new LinkedHashMap<>(root);
        @SuppressWarnings("unchecked")
        Map<String, Object> meridian = new LinkedHashMap<>((Map<String, Object>) config.getOrDefault("meridian", Map.of()));
        String ownDataDir = null;
        if (!meridian.containsKey("data-dir")) {
            ownDataDir = tempDataDir();
            meridian.put("data-dir", ownDataDir);
        }
        config.put("meridian", meridian);
        config.put("micronaut", Map.of("server", Map.of("port", -1)));
        ApplicationContext context = ApplicationContext.builder()
                .propertySources(PropertySource.of("test", config))
                .deduceEnvironment(false)
                .start();
        return new TestGateway(context.getBean(EmbeddedServer.class).start(), ownDataDir);
    }

    /** A fresh directory for a gateway's embedded database. */
    static String tempDataDir() {
        try {
            return Files.createTempDirectory("meridian-test-data").toAbsolutePath().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A backend of type openai pointing at a base URL, with short test timeouts. */
    static Map<String, Object> openAiBackend(String baseUrl, Map<String, Object> extra) {
        Map<String, Object> backend = new LinkedHashMap<>();
        backend.put("type", "openai");
        backend.put("base-url", baseUrl);
        backend.put("connect-timeout", "1s");
        backend.put("first-token-timeout", "1s");
        backend.put("total-timeout", "3s");
        backend.putAll(extra);
        return backend;
    }

    static Map<String, Object> route(String backend, String model) {
        return Map.of("backend", backend, "model", model);
    }

    static Map<String, Object> fastRetry(int maxAttempts) {
        return Map.of("max-attempts", maxAttempts, "initial-backoff", "5ms", "max-backoff", "20ms", "retry-after-cap", "2s");
    }

    ApplicationContext context() {
        return server.getApplicationContext();
    }

    String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        return send("POST", path, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8), headers);
    }

    HttpResponse<String> postBytes(String path, byte[] body, String... headers) {
        return send("POST", path, HttpRequest.BodyPublishers.ofByteArray(body), headers);
    }

    HttpResponse<String> get(String path, String... headers) {
        return send("GET", path, HttpRequest.BodyPublishers.noBody(), headers);
    }

    HttpResponse<String> patch(String path, String body, String... headers) {
        return send("PATCH", path, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8), headers);
    }

    HttpResponse<String> delete(String path, String... headers) {
        return send("DELETE", path, HttpRequest.BodyPublishers.noBody(), headers);
    }

    HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
        List<String> all = new ArrayList<>(List.of("authorization", "Bearer " + KEY, "content-type", "application/json"));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            int existing = indexOf(all, headers[i]);
            if (existing >= 0) {
                all.set(existing + 1, headers[i + 1]);
            } else {
                all.add(headers[i]);
                all.add(headers[i + 1]);
            }
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(20)).method(method, body);
        for (int i = 0; i + 1 < all.size(); i += 2) {
            if (all.get(i + 1) != null) {
                request.header(all.get(i), all.get(i + 1));
            }
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }

    private static int indexOf(List<String> headers, String name) {
        for (int i = 0; i < headers.size(); i += 2) {
            if (headers.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    static String chatBody(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
    }

    @Override
    public void close() {
        server.getApplicationContext().close();
        if (ownDataDir != null) {
            try (var files = Files.walk(java.nio.file.Path.of(ownDataDir))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

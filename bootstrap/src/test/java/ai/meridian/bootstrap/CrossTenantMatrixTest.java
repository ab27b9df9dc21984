package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The isolation matrix: tenant {@code alpha} owns a conversation, a stored response, a knowledge base with a document, an ingestion job and
 * keys; every endpoint is then driven with those ids by tenant {@code beta}'s keys (member and admin) and must answer
 * 404 in its protocol's shape (never the data, never a 500); every write by a {@code reader} key is a 403; lists never
 * show another tenant's ids.
 *
 * <p>To cover a new resource (cache entries, ...): add its creation to {@link #start()} under a
 * placeholder name, and a line per endpoint to {@link #probes()}; the rows are the whole test.
 */
class CrossTenantMatrixTest {
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;
    /** Placeholders in probe paths and bodies, filled with alpha's resources. */
    private static final Map<String, String> ALPHA = new LinkedHashMap<>();
    private static String betaMember;
    private static String betaAdmin;
    private static String alphaReader;

    /** One request of the matrix: method, path and body with placeholders, and whether it changes something. */
    record Probe(String name, String method, String path, String body, boolean write) {
        String fill(String template) {
            String out = template;
            for (Map.Entry<String, String> e : ALPHA.entrySet()) {
                out = out.replace("{" + e.getKey() + "}", e.getValue());
            }
            return out;
        }

        HttpResponse<String> send(String secret) {
            String b = body == null ? null : fill(body);
            java.net.http.HttpRequest.BodyPublisher publisher = b == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                    : java.net.http.HttpRequest.BodyPublishers.ofString(b);
            return gateway.send(method, fill(path), publisher, "authorization", "Bearer " + secret);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Probe> probes() {
        String chat = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        return List.of(
                new Probe("chat continuing alpha's conversation", "POST", "/v1/chat/completions", chat + ",\"conversation_id\":\"{conversation}\"}", true),
                new Probe("chat streaming alpha's conversation", "POST", "/v1/chat/completions", chat + ",\"stream\":true,\"conversation_id\":\"{conversation}\"}", true),
                new Probe("chat grounded in alpha's knowledge base", "POST", "/v1/chat/completions", chat + ",\"knowledge_bases\":[\"{kb}\"]}", true),
                new Probe("a response continuing alpha's response", "POST", "/v1/responses",
                        "{\"model\":\"chat\",\"input\":\"hi\",\"previous_response_id\":\"{response}\"}", true),
                new Probe("a streamed response continuing alpha's response", "POST", "/v1/responses",
                        "{\"model\":\"chat\",\"input\":\"hi\",\"stream\":true,\"previous_response_id\":\"{response}\"}", true),
                new Probe("a response referring to alpha's answer", "POST", "/v1/responses",
                        "{\"model\":\"chat\",\"input\":[{\"role\":\"user\",\"content\":\"hi\"},{\"type\":\"item_reference\",\"id\":\"{answer}\"}]}", true),
                new Probe("read a response", "GET", "/v1/responses/{response}", null, false),
                new Probe("list a response's input items", "GET", "/v1/responses/{response}/input_items", null, false),
                new Probe("cancel a response", "POST", "/v1/responses/{response}/cancel", null, false),
                new Probe("delete a response", "DELETE", "/v1/responses/{response}", null, true),
                new Probe("read a conversation", "GET", "/v1/conversations/{conversation}", null, false),
                new Probe("rename a conversation", "PATCH", "/v1/conversations/{conversation}", "{\"title\":\"mine now\"}", true),
                new Probe("delete a conversation", "DELETE", "/v1/conversations/{conversation}", null, true),
                new Probe("read a knowledge base", "GET", "/v1/knowledge_bases/{kb}", null, false),
                new Probe("list a knowledge base's documents", "GET", "/v1/knowledge_bases/{kb}/documents", null, false),
                new Probe("query a knowledge base", "POST", "/v1/knowledge_bases/{kb}/query", "{\"query\":\"secret plans\"}", false),
                new Probe("ingest into a knowledge base", "POST", "/v1/knowledge_bases/{kb}/documents",
                        "{\"documents\":[{\"title\":\"x\",\"text\":\"planted\"}]}", true),
                new Probe("delete a document", "DELETE", "/v1/knowledge_bases/{kb}/documents/{document}", null, true),
                new Probe("delete a knowledge base", "DELETE", "/v1/knowledge_bases/{kb}", null, true),
                new Probe("read an ingestion job", "GET", "/v1/ingestion_jobs/{job}", null, false),
                new Probe("admin: read a key", "GET", "/v1/admin/keys/{key}", null, false),
                new Probe("admin: update a key", "PATCH", "/v1/admin/keys/{key}", "{\"name\":\"stolen\"}", true),
                new Probe("admin: rotate a key", "POST", "/v1/admin/keys/{key}/rotate", "{}", true),
                new Probe("admin: revoke a key", "POST", "/v1/admin/keys/{key}/revoke", null, true),
                new Probe("admin: delete a key", "DELETE", "/v1/admin/keys/{key}", null, true),
                new Probe("admin: list a tenant's keys", "GET", "/v1/admin/keys?tenant={tenant}", null, false),
                new Probe("admin: create a key in a tenant", "POST", "/v1/admin/keys", "{\"tenant\":\"{tenant}\",\"role\":\"admin\"}", true),
                new Probe("admin: read a tenant", "GET", "/v1/admin/tenants/{tenant}", null, false),
                new Probe("admin: update a tenant", "PATCH", "/v1/admin/tenants/{tenant}", "{\"enabled\":false}", true),
                new Probe("admin: a tenant's usage", "GET", "/v1/admin/usage?tenant={tenant}", null, false),
                new Probe("admin: a tenant's usage as CSV", "GET", "/v1/admin/usage?tenant={tenant}&format=csv", null, false),
                new Probe("admin: a tenant's audit log", "GET", "/v1/admin/audit?tenant={tenant}", null, false),
                new Probe("admin: purge a tenant's cached answers", "POST", "/v1/admin/cache/purge", "{\"tenant\":\"{tenant}\"}", true),
                new Probe("admin: purge a tenant's cached answer by key", "POST", "/v1/admin/cache/purge",
                        "{\"tenant\":\"{tenant}\",\"key\":\"{cachekey}\"}", true),
                new Probe("admin: purge a tenant's cached answers of a model", "POST", "/v1/admin/cache/purge",
                        "{\"tenant\":\"{tenant}\",\"model\":\"chat\"}", true));
    }

    /** Writes a reader may not make, on its own tenant's resources. */
    static List<Probe> readerWrites() {
        List<Probe> writes = new ArrayList<>(probes().stream().filter(Probe::write).toList());
        writes.add(new Probe("create a knowledge base", "POST", "/v1/knowledge_bases", "{\"name\":\"readers-kb\"}", true));
        writes.add(new Probe("embeddings", "POST", "/v1/embeddings", "{\"model\":\"bge-small-zh-v1.5\",\"input\":\"x\"}", true));
        writes.add(new Probe("a response", "POST", "/v1/responses", "{\"model\":\"chat\",\"input\":\"x\"}", true));
        writes.add(new Probe("a text completion", "POST", "/v1/completions", "{\"model\":\"chat\",\"prompt\":\"x\"}", true));
        writes.add(new Probe("admin: create a tenant", "POST", "/v1/admin/tenants", "{\"id\":\"by-reader\"}", true));
        return writes;
    }

    /** Lists: answered, but never with another tenant's ids. */
    static List<Probe> lists() {
        return List.of(new Probe("list conversations", "GET", "/v1/conversations", null, false),
                new Probe("list knowledge bases", "GET", "/v1/knowledge_bases", null, false),
                new Probe("admin: list keys", "GET", "/v1/admin/keys", null, false),
                new Probe("admin: list tenants", "GET", "/v1/admin/tenants", null, false),
                new Probe("admin: usage", "GET", "/v1/admin/usage", null, false),
                new Probe("admin: audit", "GET", "/v1/admin/audit", null, false));
    }

    @BeforeAll
    static void start() throws Exception {
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("ok"));
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m"))))));
        Admin admin = new Admin(gateway);
        admin.tenant("alpha");
        admin.tenant("beta");
        String[] alphaMember = admin.key("alpha", "");
        String[] alphaAdmin = admin.key("alpha", "\"role\":\"admin\"");
        alphaReader = admin.key("alpha", "\"role\":\"reader\"")[1];
        betaMember = admin.key("beta", "")[1];
        betaAdmin = admin.key("beta", "\"role\":\"admin\"")[1];
        String auth = "Bearer " + alphaMember[1];

        HttpResponse<String> chat = gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"conversation_id\":\"new\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"alpha's secret\"}]}", "authorization", auth);
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        ALPHA.put("conversation", Admin.json(chat).get("conversation_id").asText());
        HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"alpha's secret\"}", "authorization", auth);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        ALPHA.put("response", Admin.json(response).get("id").asText());
        ALPHA.put("answer", Admin.json(response).at("/output/0/id").asText());
        ALPHA.put("kb", "alpha-docs");
        assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"alpha-docs\"}", "authorization", auth).statusCode()).isEqualTo(201);
        HttpResponse<String> job = gateway.post("/v1/knowledge_bases/alpha-docs/documents",
                "{\"documents\":[{\"title\":\"plans\",\"text\":\"Alpha's secret plans are kept here.\"}]}", "authorization", auth);
        assertThat(job.statusCode()).as(job.body()).isEqualTo(202);
        String jobId = Admin.json(job).get("id").asText();
        ALPHA.put("job", jobId);
        for (int i = 0; i < 300; i++) {
            JsonNode state = Admin.json(gateway.get("/v1/ingestion_jobs/" + jobId, "authorization", auth));
            if (!List.of("queued", "running").contains(state.get("status").asText())) {
                break;
            }
            Thread.sleep(100);
        }
        JsonNode documents = Admin.json(gateway.get("/v1/knowledge_bases/alpha-docs/documents", "authorization", auth)).get("data");
        assertThat(documents).hasSize(1);
        ALPHA.put("document", documents.get(0).get("id").asText());
        upstream.enqueue(UpstreamBehavior.answer("alpha's secret cached answer"));
        HttpResponse<String> cached = gateway.post("/v1/chat/completions", CACHED_QUESTION, "authorization", auth);
        assertThat(cached.headers().firstValue("x-meridian-cache")).contains("miss");
        ALPHA.put("cachekey", cached.headers().firstValue("x-meridian-cache-key").orElseThrow());
        ALPHA.put("key", alphaAdmin[0]);
        ALPHA.put("tenant", "alpha");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    static Stream<Arguments> anotherTenantsIds() {
        return probes().stream().flatMap(p -> p.path().startsWith("/v1/admin")
                ? Stream.of(Arguments.of(p, "beta admin"))
                : Stream.of(Arguments.of(p, "beta member"), Arguments.of(p, "beta admin")));
    }

    private static String secret(String who) {
        return switch (who) {
            case "beta member" -> betaMember;
            case "beta admin" -> betaAdmin;
            default -> alphaReader;
        };
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("anotherTenantsIds")
    void anotherTenantsIdsAre404sNeverDataNeverA500(Probe probe, String who) {
        HttpResponse<String> response = probe.send(secret(who));
        assertThat(response.statusCode()).as("%s %s -> %s", probe.method(), probe.fill(probe.path()), response.body()).isEqualTo(404);
        JsonNode error = Admin.json(response).get("error");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(response.body()).doesNotContain("secret plans", "alpha's secret");
    }

    @ParameterizedTest(name = "reader: {0}")
    @MethodSource("readerWrites")
    void everyWriteByAReaderIs403(Probe probe) {
        HttpResponse<String> response = probe.send(alphaReader);
        assertThat(response.statusCode()).as("%s %s -> %s", probe.method(), probe.fill(probe.path()), response.body()).isEqualTo(403);
        assertThat(Admin.json(response).get("error").get("code").asText()).isEqualTo("permission_denied");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lists")
    void listsNeverShowAnotherTenantsIds(Probe probe) {
        HttpResponse<String> response = probe.send(betaAdmin);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (String id : ALPHA.values()) {
            assertThat(response.body()).as("%s shows %s", probe.name(), id).doesNotContain(id);
        }
    }

    /** A deterministic question alpha asked first: its answer is in the response cache. */
    private static final String CACHED_QUESTION = "{\"model\":\"chat\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"the cached question\"}]}";

    @ParameterizedTest(name = "{0}: the same request alpha's answer is cached for")
    @MethodSource("difyCallers")
    void anotherTenantNeverGetsACachedAnswer(String who) {
        HttpResponse<String> response = gateway.post("/v1/chat/completions", CACHED_QUESTION, "authorization", "Bearer " + secret(who));
        assertThat(response.statusCode()).isEqualTo(200);
        // a miss, or a hit on beta's own entry (the other beta key asked first): never alpha's entry
        assertThat(response.headers().firstValue("x-meridian-cache")).isPresent();
        assertThat(response.headers().firstValue("x-meridian-cache-key")).isNotEqualTo(java.util.Optional.of(ALPHA.get("cachekey")));
        assertThat(response.body()).doesNotContain("alpha's secret");
    }

    @ParameterizedTest(name = "dify: {0}")
    @MethodSource("difyCallers")
    void difyRetrievalOfAnotherTenantsKnowledgeIs404(String who) {
        HttpResponse<String> response = gateway.post("/retrieval", "{\"knowledge_id\":\"alpha-docs\",\"query\":\"secret plans\"}",
                "authorization", "Bearer " + secret(who));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(Admin.json(response).get("error_code").asInt()).isEqualTo(2001);
        assertThat(response.body()).doesNotContain("secret plans");
    }

    static Stream<String> difyCallers() {
        return Stream.of("beta member", "beta admin");
    }
}

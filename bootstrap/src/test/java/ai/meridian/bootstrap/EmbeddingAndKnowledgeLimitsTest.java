package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A key's limits hold for every use of the gateway's models, not only chat: {@code /v1/embeddings}, knowledge queries
 * and Dify's {@code /retrieval} take a request from requests per minute, are refused before anything is embedded when a
 * token limit or budget would be exceeded, are charged the tokens the embedding model really counted, and are lines of
 * the usage ledger; 429s carry Retry-After and OpenAI's x-ratelimit-* headers (Dify's error shape on its door).
 */
class EmbeddingAndKnowledgeLimitsTest {
    private static final String EMBEDDING_MODEL = "bge-small-en-v1.5";
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("ok"));
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")))),
                "usage", Map.of("flush-interval", "100ms")));
        admin = new Admin(gateway);
        admin.tenant("metered");
        // Knowledge bases belong to the caller's tenant: create and fill one as that tenant's admin.
        String[] owner = admin.key("metered", "\"role\":\"admin\"");
        assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"manual\"}", "authorization", Admin.bearer(owner[1])).statusCode())
                .isEqualTo(201);
        HttpResponse<String> ingest = gateway.post("/v1/knowledge_bases/manual/documents",
                "{\"documents\":[{\"title\":\"Ports\",\"text\":\"Meridian listens on port 8080 by default.\"}]}",
                "authorization", Admin.bearer(owner[1]));
        assertThat(ingest.statusCode()).as(ingest.body()).isEqualTo(202);
        String job = Admin.json(ingest).get("id").asText();
        for (int i = 0; i < 300; i++) {
            String status = Admin.json(gateway.get("/v1/ingestion_jobs/" + job, "authorization", Admin.bearer(owner[1]))).get("status").asText();
            if (!List.of("queued", "running").contains(status)) {
                assertThat(status).isEqualTo("completed");
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("ingestion did not finish");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    private static HttpResponse<String> embed(String secret, String input) {
        return gateway.post("/v1/embeddings", "{\"model\":\"" + EMBEDDING_MODEL + "\",\"input\":\"" + input + "\"}",
                "authorization", Admin.bearer(secret));
    }

    private static HttpResponse<String> query(String secret) {
        return gateway.post("/v1/knowledge_bases/manual/query", "{\"query\":\"which port\"}", "authorization", Admin.bearer(secret));
    }

    private static HttpResponse<String> dify(String secret) {
        return gateway.post("/retrieval", "{\"knowledge_id\":\"manual\",\"query\":\"which port\"}", "authorization", Admin.bearer(secret));
    }

    private static void assertLimited(HttpResponse<String> limited, String code) throws Exception {
        BadInputTest.assertOpenAiError(limited, 429, null, null);
        assertThat(Admin.json(limited).at("/error/code").asText()).isEqualTo(code);
        assertThat(limited.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
    }

    @Test
    void embeddingsTakeRequestsPerMinuteAndAnswerWithOpenAisHeaders() throws Exception {
        String[] key = admin.key("metered", "\"limits\":{\"requests_per_minute\":2}");
        HttpResponse<String> first = embed(key[1], "hello");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).contains("2");
        assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).contains("1");
        assertThat(first.headers().firstValue("x-ratelimit-reset-requests")).hasValueSatisfying(v -> assertThat(v).matches("[0-9.ms]+"));
        assertThat(embed(key[1], "hello").headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
        HttpResponse<String> limited = embed(key[1], "hello");
        assertLimited(limited, "rate_limit_exceeded");
        assertThat(limited.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
    }

    @Test
    void embeddingsAreChargedTheModelsTokenCountAgainstBudgetsAndTokensPerMinute() throws Exception {
        // "hello world" is [CLS] hello world [SEP] to the model: 4 tokens, charged after each answer.
        String[] budget = admin.key("metered", "\"limits\":{\"daily_token_budget\":10}");
        HttpResponse<String> first = embed(budget[1], "hello world");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        int tokens = Admin.json(first).at("/usage/prompt_tokens").asInt();
        assertThat(tokens).isEqualTo(4);
        assertThat(embed(budget[1], "hello world").statusCode()).isEqualTo(200);
        // 8 of 10 spent: the next one (estimated at 5 before it is embedded) would go over.
        assertLimited(embed(budget[1], "hello world"), "insufficient_quota");

        String[] perMinute = admin.key("metered", "\"limits\":{\"tokens_per_minute\":6}");
        HttpResponse<String> fits = embed(perMinute[1], "hello world");
        assertThat(fits.statusCode()).isEqualTo(200);
        assertThat(fits.headers().firstValue("x-ratelimit-limit-tokens")).contains("6");
        HttpResponse<String> over = embed(perMinute[1], "hello world");
        assertLimited(over, "rate_limit_exceeded");
        assertThat(over.headers().firstValue("x-ratelimit-limit-tokens")).contains("6");
        assertThat(over.headers().firstValue("x-ratelimit-remaining-tokens")).contains("2");
    }

    @Test
    void knowledgeQueriesAndDifyTakeRequestsPerMinute() throws Exception {
        String[] key = admin.key("metered", "\"limits\":{\"requests_per_minute\":3}");
        HttpResponse<String> first = query(key[1]);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(Admin.json(first).get("data")).isNotEmpty();
        assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).contains("2");
        HttpResponse<String> fromDify = dify(key[1]);
        assertThat(fromDify.statusCode()).as(fromDify.body()).isEqualTo(200);
        assertThat(fromDify.headers().firstValue("x-ratelimit-remaining-requests")).contains("1");
        assertThat(query(key[1]).statusCode()).isEqualTo(200);

        assertLimited(query(key[1]), "rate_limit_exceeded");
        HttpResponse<String> difyLimited = dify(key[1]);
        assertThat(difyLimited.statusCode()).isEqualTo(429);
        assertThat(Admin.json(difyLimited).get("error_code").asInt()).isEqualTo(429);
        assertThat(difyLimited.headers().firstValue("retry-after")).isPresent();
        assertThat(difyLimited.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
        // Access comes before limits: a base the key may not use is a 403 that takes nothing from its requests.
        String[] narrow = admin.key("metered", "\"limits\":{\"requests_per_minute\":1},\"allowed_knowledge_bases\":[\"other\"]");
        assertThat(query(narrow[1]).statusCode()).isEqualTo(403);
        assertThat(query(narrow[1]).statusCode()).isEqualTo(403);
        assertThat(embed(narrow[1], "hello").statusCode()).as("its one request is still there").isEqualTo(200);
    }

    @Test
    void embeddingsAndKnowledgeQueriesAreLinesOfTheUsageLedger() throws Exception {
        admin.tenant("ledger2");
        String[] key = admin.key("ledger2", "\"limits\":{\"tokens_per_minute\":100000}");
        int spent = 0;
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> embedded = embed(key[1], "hello world");
            assertThat(embedded.statusCode()).isEqualTo(200);
            spent += Admin.json(embedded).at("/usage/prompt_tokens").asInt();
        }
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        JsonNode data = Admin.json(gateway.get("/v1/admin/usage?tenant=ledger2&from=" + today + "&to=" + today)).get("data");
        assertThat(data).singleElement().satisfies(line -> {
            assertThat(line.get("model").asText()).isEqualTo(EMBEDDING_MODEL);
            assertThat(line.get("backend").asText()).isEqualTo("embeddings");
            assertThat(line.get("key_id").asText()).isEqualTo(key[0]);
            assertThat(line.get("requests").asInt()).isEqualTo(3);
            assertThat(line.get("output_tokens").asInt()).isZero();
        });
        assertThat(data.get(0).get("input_tokens").asInt()).isEqualTo(spent);

        String[] reader = admin.key("metered", "\"role\":\"reader\"");
        assertThat(query(reader[1]).statusCode()).isEqualTo(200);
        assertThat(dify(reader[1]).statusCode()).isEqualTo(200);
        JsonNode queries = Admin.json(gateway.get("/v1/admin/usage?tenant=metered&key_id=" + reader[0] + "&from=" + today + "&to=" + today))
                .get("data");
        assertThat(queries).singleElement().satisfies(line -> {
            assertThat(line.get("backend").asText()).isEqualTo("knowledge");
            assertThat(line.get("model").asText()).isEqualTo(EMBEDDING_MODEL);
            assertThat(line.get("requests").asInt()).isEqualTo(2);
            assertThat(line.get("input_tokens").asInt()).isPositive();
        });
        assertThat(gateway.get("/metrics").body()).contains("meridian_tenant_requests_total{model=\"" + EMBEDDING_MODEL + "\",tenant=\"ledger2\"}");
    }
}

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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tenants, keys, limits, usage and audit through the HTTP API of the whole gateway: the admin API, virtual keys on both
 * HTTP paths (the fast path, and the framework's, which a request with an {@code Origin} header takes), 429s with
 * OpenAI's rate-limit headers, the usage ledger (JSON and CSV) and the audit log.
 */
class TenancyApiTest {
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;
    private static Admin admin;
    /** Sent to make a request take the framework's path instead of the fast path. */
    private static final String[] FRAMEWORK = {"origin", "http://127.0.0.1"};

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m"))),
                        Map.of("id", "other", "routes", List.of(TestGateway.route("up", "m2")))),
                "usage", Map.of("flush-interval", "100ms")));
        admin = new Admin(gateway);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
        upstream.byDefault(UpstreamBehavior.answer("Hello", " there"));
    }

    private static String[] headers(String secret, String... more) {
        String[] all = new String[2 + more.length];
        all[0] = "authorization";
        all[1] = "Bearer " + secret;
        System.arraycopy(more, 0, all, 2, more.length);
        return all;
    }

    private static HttpResponse<String> chat(String secret, String model, boolean stream, String... more) {
        return gateway.post("/v1/chat/completions", TestGateway.chatBody(model, stream), headers(secret, more));
    }

    @Test
    void aKeyIsShownOnceWorksOnBothPathsAndStopsAtOnceWhenRevoked() {
        admin.tenant("acme");
        String[] key = admin.key("acme", "\"name\":\"ci\"");
        assertThat(key[1]).startsWith("sk-mer-" + key[0] + "_");
        HttpResponse<String> read = gateway.get("/v1/admin/keys/" + key[0]);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).doesNotContain(key[1].substring(20)).contains("\"tenant\":\"acme\"", "\"role\":\"member\"");

        assertThat(chat(key[1], "chat", false).statusCode()).isEqualTo(200);
        assertThat(chat(key[1], "chat", true, FRAMEWORK).statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = gateway.post("/v1/admin/keys/" + key[0] + "/revoke", "");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(Admin.json(revoked).get("status").asText()).isEqualTo("revoked");
        for (HttpResponse<String> refused : List.of(chat(key[1], "chat", false), chat(key[1], "chat", false, FRAMEWORK))) {
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(Admin.json(refused).get("error").get("code").asText()).isEqualTo("invalid_api_key");
        }
    }

    @Test
    void theAuthorizationHeaderMustBeExactlyOneBearerKey() {
        String[] key = admin.key("default", "");
        HttpResponse<String> bare = gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "authorization", key[1]);
        assertThat(bare.statusCode()).isEqualTo(401);
        assertThat(bare.body()).contains("Bearer");
        HttpResponse<String> basic = gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "authorization", "Basic abc");
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(gateway.get("/v1/models", "authorization", TestGateway.KEY).statusCode()).as("a bare master key too").isEqualTo(401);
        assertThat(gateway.get("/v1/models", "authorization", null).statusCode()).isEqualTo(401);
    }

    @Test
    void rotationGivesANewSecretAndTheOldOneLastsOnlyTheGracePeriod() {
        String[] key = admin.key("default", "");
        HttpResponse<String> rotated = gateway.post("/v1/admin/keys/" + key[0] + "/rotate", "{\"grace_period_seconds\":0}");
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        String fresh = Admin.json(rotated).get("secret").asText();
        assertThat(fresh).isNotEqualTo(key[1]).startsWith("sk-mer-" + key[0]);
        assertThat(chat(key[1], "chat", false).statusCode()).isEqualTo(401);
        assertThat(chat(fresh, "chat", false).statusCode()).isEqualTo(200);
    }

    @Test
    void rolesAndAllowListsAre403sOnEveryPath() {
        String[] reader = admin.key("default", "\"role\":\"reader\"");
        for (HttpResponse<String> refused : List.of(chat(reader[1], "chat", false), chat(reader[1], "chat", true, FRAMEWORK))) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            assertThat(Admin.json(refused).get("error").get("code").asText()).isEqualTo("permission_denied");
        }
        assertThat(gateway.get("/v1/conversations", headers(reader[1])).statusCode()).as("readers read").isEqualTo(200);
        assertThat(gateway.get("/v1/admin/keys", headers(reader[1])).statusCode()).isEqualTo(403);

        String[] onlyChat = admin.key("default", "\"allowed_models\":[\"chat\"]");
        assertThat(chat(onlyChat[1], "chat", false).statusCode()).isEqualTo(200);
        HttpResponse<String> other = chat(onlyChat[1], "other", false);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(Admin.json(other).get("error").get("code").asText()).isEqualTo("model_not_allowed");
        assertThat(Admin.json(other).get("error").get("param").asText()).isEqualTo("model");
    }

    @Test
    void requestsPerMinuteAre429WithRetryAfterAndOpenAiHeadersOnBothPathsAndStreams() throws Exception {
        String[] key = admin.key("default", "\"limits\":{\"requests_per_minute\":3,\"tokens_per_minute\":10000}");
        HttpResponse<String> first = chat(key[1], "chat", false);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).contains("3");
        assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).contains("2");
        assertThat(first.headers().firstValue("x-ratelimit-reset-requests")).hasValueSatisfying(v -> assertThat(v).matches("[0-9.ms]+"));
        assertThat(first.headers().firstValue("x-ratelimit-limit-tokens")).contains("10000");
        HttpResponse<String> streamed = chat(key[1], "chat", true, FRAMEWORK);
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("x-ratelimit-remaining-requests")).contains("1");
        assertThat(chat(key[1], "chat", true).headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
        int calls = upstream.requests().size();
        for (HttpResponse<String> limited : List.of(chat(key[1], "chat", false), chat(key[1], "chat", true, FRAMEWORK))) {
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 60));
            assertThat(limited.headers().firstValue("x-ratelimit-limit-requests")).contains("3");
            assertThat(limited.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
            JsonNode error = Admin.json(limited).get("error");
            assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
            assertThat(error.get("type").asText()).isEqualTo("requests");
        }
        assertThat(upstream.requests()).as("a refused request never reaches a backend").hasSize(calls);
    }

    @Test
    void aSpentBudgetRefusesBeforeTheBackendAndStreamsAreChargedToo() {
        // The fake upstream reports 11 prompt tokens and one completion token per piece: 13 per answer.
        String[] key = admin.key("default", "\"limits\":{\"daily_token_budget\":30}");
        assertThat(chat(key[1], "chat", true).statusCode()).isEqualTo(200);
        assertThat(chat(key[1], "chat", false, FRAMEWORK).statusCode()).isEqualTo(200);
        int calls = upstream.requests().size();
        HttpResponse<String> spent = chat(key[1], "chat", false);
        assertThat(spent.statusCode()).as(spent.body()).isEqualTo(429);
        assertThat(Admin.json(spent).get("error").get("code").asText()).isEqualTo("insufficient_quota");
        assertThat(spent.headers().firstValue("retry-after")).isPresent();
        assertThat(upstream.requests()).hasSize(calls);
    }

    @Test
    void usageIsInTheLedgerPerTenantKeyModelAndBackendAsJsonAndCsv() {
        admin.tenant("ledger");
        String[] key = admin.key("ledger", "");
        chat(key[1], "chat", false);
        chat(key[1], "chat", true);
        chat(key[1], "other", false, FRAMEWORK);
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        HttpResponse<String> json = gateway.get("/v1/admin/usage?tenant=ledger&from=" + today + "&to=" + today);
        assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
        JsonNode data = Admin.json(json).get("data");
        assertThat(data).hasSize(2);
        JsonNode chatLine = data.get(0).get("model").asText().equals("chat") ? data.get(0) : data.get(1);
        assertThat(chatLine.get("requests").asInt()).isEqualTo(2);
        assertThat(chatLine.get("input_tokens").asInt()).isEqualTo(22);
        assertThat(chatLine.get("output_tokens").asInt()).isEqualTo(4);
        assertThat(chatLine.get("key_id").asText()).isEqualTo(key[0]);
        assertThat(chatLine.get("backend").asText()).isEqualTo("up");

        HttpResponse<String> csv = gateway.get("/v1/admin/usage?tenant=ledger&format=csv&limit=1");
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
        assertThat(csv.body()).startsWith("day,tenant,key_id,model,backend,requests,input_tokens,output_tokens,cached_tokens\n")
                .contains(",ledger," + key[0] + ",");
        String next = csv.headers().firstValue("x-next-cursor").orElseThrow();
        HttpResponse<String> page2 = gateway.get("/v1/admin/usage?tenant=ledger&format=csv&limit=1&after=" + next);
        assertThat(page2.body().lines().count()).isEqualTo(2);
        assertThat(page2.headers().firstValue("x-next-cursor")).isEmpty();

        HttpResponse<String> metrics = gateway.get("/metrics");
        assertThat(metrics.body()).contains("meridian_tenant_requests_total{model=\"chat\",tenant=\"ledger\"}");
    }

    @Test
    void adminActionsAndRefusedKeysAreInTheAuditLogWithWhoWhatWhenAndWhere() {
        admin.tenant("audited");
        String[] key = admin.key("audited", "\"role\":\"admin\"");
        chat("sk-mer-" + key[0] + "_" + "x".repeat(40), "chat", false);
        HttpResponse<String> log = gateway.get("/v1/admin/audit?tenant=audited");
        assertThat(log.statusCode()).as(log.body()).isEqualTo(200);
        JsonNode entries = Admin.json(log).get("data");
        assertThat(entries.findValuesAsText("action")).contains("key.create", "auth.refused");
        int refusals = 0;
        for (JsonNode e : entries) {
            refusals += e.get("action").asText().equals("auth.refused") ? 1 : 0;
        }
        assertThat(refusals).as("one refused request, one entry (the fast path only looks)").isEqualTo(1);
        JsonNode created = null;
        for (JsonNode e : entries) {
            if (e.get("action").asText().equals("key.create")) {
                created = e;
            }
        }
        assertThat(created.get("actor").asText()).isEqualTo("master");
        assertThat(created.get("client_address").asText()).isEqualTo("127.0.0.1");
        assertThat(created.get("target").asText()).isEqualTo("sk-mer-" + key[0]);
        assertThat(log.body()).doesNotContain(key[1].substring(20));
        HttpResponse<String> own = gateway.get("/v1/admin/audit", headers(key[1]));
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(Admin.json(own).get("data").findValuesAsText("tenant")).containsOnly("audited");
    }

    @Test
    void badAdminBodiesAre400sNamingTheField() {
        HttpResponse<String> unknown = gateway.post("/v1/admin/keys", "{\"tenant\":\"default\",\"rpm\":5}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(Admin.json(unknown).get("error").get("param").asText()).isEqualTo("rpm");
        HttpResponse<String> role = gateway.post("/v1/admin/keys", "{\"role\":\"owner\"}");
        assertThat(Admin.json(role).get("error").get("param").asText()).isEqualTo("role");
        HttpResponse<String> limit = gateway.post("/v1/admin/keys", "{\"limits\":{\"requests_per_minute\":0}}");
        assertThat(limit.statusCode()).isEqualTo(400);
        assertThat(Admin.json(limit).get("error").get("param").asText()).isEqualTo("limits.requests_per_minute");
        assertThat(gateway.get("/v1/admin/usage?from=yesterday").statusCode()).isEqualTo(400);
        assertThat(gateway.get("/v1/admin/usage?after=!!!").statusCode()).isEqualTo(400);
        assertThat(gateway.post("/v1/admin/tenants", "{\"id\":\"Has Spaces\"}").statusCode()).isEqualTo(400);
    }
}

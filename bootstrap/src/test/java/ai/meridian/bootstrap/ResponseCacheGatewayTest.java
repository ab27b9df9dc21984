package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.FakeQuarkSearch;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The response cache through the whole gateway (Caffeine first level only): a repeated deterministic request is
 * answered from the cache on both HTTP paths, whole and as an SSE stream, with its usage but no tokens in the ledger;
 * every output-shaping field makes its own entry; the client's {@code cache} option and {@code Cache-Control}; per
 * model and per tenant settings; grounded answers kept with their citations, no longer than the web-freshness ttl, and
 * dropped when their knowledge base changes; the admin API's purges and state; the Prometheus metrics.
 */
class ResponseCacheGatewayTest {
    /** A header that makes the fast path hand the request to Micronaut (the framework path). */
    private static final String[] FRAMEWORK = {"origin", "http://127.0.0.1"};
    private static final AtomicInteger QUESTIONS = new AtomicInteger();
    private static FakeOpenAiUpstream upstream;
    private static FakeQuarkSearch quark;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("The answer", " is 42."));
        quark = FakeQuarkSearch.start();
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())));
        meridian.put("models", List.of(
                Map.of("id", "chat", "aliases", List.of("chat-alias"), "routes", List.of(TestGateway.route("up", "m"))),
                Map.of("id", "other", "routes", List.of(TestGateway.route("up", "m"))),
                Map.of("id", "uncached", "routes", List.of(TestGateway.route("up", "m")), "cache", Map.of("enabled", false)),
                Map.of("id", "always", "routes", List.of(TestGateway.route("up", "m")), "cache", Map.of("deterministic-only", false)),
                Map.of("id", "online", "routes", List.of(TestGateway.route("up", "m")), "grounding", Map.of("web-search", true)),
                Map.of("id", "similar", "routes", List.of(TestGateway.route("up", "m")),
                        "cache", Map.of("semantic", Map.of("enabled", true, "threshold", 0.85)))));
        meridian.put("web-search", Map.of("provider", "quark", "quark", Map.of("endpoint", quark.endpoint(), "api-key", "iqs-test-key")));
        meridian.put("retrieval", Map.of("web-timeout", "2s", "fetch-timeout", "1s"));
        meridian.put("usage", Map.of("flush-interval", "100ms"));
        meridian.put("cache", Map.of("grounding", Map.of("web-ttl", "1s"), "tenants", Map.of("frugal", Map.of("enabled", false))));
        gateway = TestGateway.start(meridian);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
        quark.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
    }

    /** A question no other test asks (entries of one test never answer another's). */
    private static String question() {
        return "Question number " + QUESTIONS.incrementAndGet() + "?";
    }

    private static String body(String model, String question, String more) {
        return "{\"model\":\"" + model + "\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]"
                + (more.isEmpty() ? "" : "," + more) + "}";
    }

    private static HttpResponse<String> chat(String body, String... headers) {
        HttpResponse<String> response = gateway.post("/v1/chat/completions", body, headers);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response;
    }

    private static String cache(HttpResponse<String> response) {
        return response.headers().firstValue("x-meridian-cache").orElse("");
    }

    private static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse("");
    }

    private static int upstreamCalls() {
        return upstream.requests().size();
    }

    private static String[] join(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void aRepeatedDeterministicRequestIsAnsweredFromTheFirstLevelOnBothPaths() {
        for (String[] path : List.of(new String[0], FRAMEWORK)) {
            String body = body("chat", question(), "");
            int before = upstreamCalls();
            HttpResponse<String> first = chat(body, path);
            assertThat(cache(first)).isEqualTo("miss");
            String key = header(first, "x-meridian-cache-key");
            assertThat(key).matches("[0-9a-f]{64}");
            assertThat(header(first, "x-meridian-backend")).isEqualTo("up");

            HttpResponse<String> second = chat(body, path);
            assertThat(cache(second)).isEqualTo("hit");
            assertThat(header(second, "x-meridian-cache-level")).isEqualTo("l1");
            assertThat(header(second, "x-meridian-cache-key")).isEqualTo(key);
            assertThat(header(second, "x-meridian-backend")).isEqualTo("cache");
            assertThat(upstreamCalls()).as("one upstream call for two requests").isEqualTo(before + 1);
            JsonNode a = Admin.json(first);
            JsonNode b = Admin.json(second);
            assertThat(b.at("/choices/0/message/content").asText()).isEqualTo("The answer is 42.");
            assertThat(b.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(b.get("usage")).as("the tokens the answer had").isEqualTo(a.get("usage"));
            assertThat(b.get("model").asText()).isEqualTo("chat");
            assertThat(b.get("id").asText()).isNotEqualTo(a.get("id").asText());
        }
        // the same request under an alias of the model is the same answer for the client, but its own entry (the model as asked is in the key)
        String q = question();
        chat(body("chat", q, ""));
        assertThat(cache(chat(body("chat-alias", q, "")))).isEqualTo("miss");
    }

    @Test
    void aHitReplaysAsAnSseStreamWhenTheClientStreams() throws Exception {
        upstream.byDefault(UpstreamBehavior.answer("Streamed", " and", " kept."));
        try {
            String q = question();
            HttpResponse<String> whole = chat(body("chat", q, ""));
            assertThat(cache(whole)).isEqualTo("miss");
            for (String[] path : List.of(new String[0], FRAMEWORK)) {
                HttpResponse<String> streamed = chat(body("chat", q, "\"stream\":true,\"stream_options\":{\"include_usage\":true}"), path);
                assertThat(cache(streamed)).isEqualTo("hit");
                assertThat(header(streamed, "content-type")).startsWith("text/event-stream");
                List<String> events = streamed.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
                assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
                StringBuilder text = new StringBuilder();
                String finish = null;
                JsonNode usage = null;
                for (String event : events.subList(0, events.size() - 1)) {
                    JsonNode chunk = Admin.JSON.readTree(event);
                    assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
                    for (JsonNode choice : chunk.get("choices")) {
                        text.append(choice.at("/delta/content").asText(""));
                        if (choice.hasNonNull("finish_reason")) {
                            finish = choice.get("finish_reason").asText();
                        }
                    }
                    if (chunk.hasNonNull("usage")) {
                        usage = chunk.get("usage");
                    }
                }
                assertThat(text.toString()).isEqualTo("Streamed and kept.");
                assertThat(finish).isEqualTo("stop");
                assertThat(usage).as("the usage chunk carries the tokens the answer had").isEqualTo(Admin.json(whole).get("usage"));
            }
            // a streamed miss is assembled and kept: the whole answer replays it
            String streamedFirst = question();
            HttpResponse<String> miss = chat(body("chat", streamedFirst, "\"stream\":true"));
            assertThat(cache(miss)).isEqualTo("miss");
            HttpResponse<String> replay = chat(body("chat", streamedFirst, ""));
            assertThat(cache(replay)).isEqualTo("hit");
            assertThat(Admin.json(replay).at("/choices/0/message/content").asText()).isEqualTo("Streamed and kept.");
        } finally {
            upstream.byDefault(UpstreamBehavior.answer("The answer", " is 42."));
        }
    }

    @Test
    void everyOutputShapingFieldMakesItsOwnEntry() {
        String q = question();
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"parameters\":{\"type\":\"object\"}}}]";
        List<String> variants = List.of(
                body("chat", q, ""),
                body("chat", q + " ", ""),
                body("other", q, ""),
                body("chat", q, "\"top_p\":0.5"),
                body("chat", q, "\"max_tokens\":64"),
                body("chat", q, "\"max_completion_tokens\":64"),
                body("chat", q, "\"stop\":[\"END\"]"),
                body("chat", q, "\"seed\":7"),
                body("chat", q, "\"response_format\":{\"type\":\"json_object\"}"),
                body("chat", q, "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":{\"type\":\"object\"}}}"),
                body("chat", q, "\"presence_penalty\":0.5"),
                body("chat", q, "\"frequency_penalty\":0.5"),
                body("chat", q, "\"n\":2"),
                body("chat", q, "\"logprobs\":true"),
                body("chat", q, tools),
                body("chat", q, tools + ",\"tool_choice\":\"required\""),
                body("chat", q, tools + ",\"parallel_tool_calls\":false"),
                body("chat", q, "\"thinking\":{\"type\":\"disabled\"}"),
                body("chat", q, "\"reasoning_effort\":\"high\""),
                body("chat", q, "\"logit_bias\":{\"50256\":-100}"),
                body("chat", q, "\"web_search\":true"),
                "{\"model\":\"chat\",\"temperature\":0,\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\""
                        + q + "\"}]}",
                "{\"model\":\"chat\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + q + "\"}]}]}",
                "{\"model\":\"chat\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"name\":\"ann\",\"content\":\"" + q + "\"}]}",
                "{\"model\":\"chat\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"" + q + "\"},"
                        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{}\"}}]},"
                        + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"sunny\"}]," + tools + "}",
                "{\"model\":\"chat\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"" + q + "\"},"
                        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{}\"}}]},"
                        + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"rainy\"}]," + tools + "}");
        Set<String> keys = new HashSet<>();
        List<String> failures = new ArrayList<>();
        for (String variant : variants) {
            HttpResponse<String> first = chat(variant);
            HttpResponse<String> again = chat(variant);
            String key = header(first, "x-meridian-cache-key");
            if (!cache(first).equals("miss") || !keys.add(key)) {
                failures.add("not a miss of its own: " + variant + " -> " + cache(first) + " " + key);
            }
            if (!cache(again).equals("hit") || !header(again, "x-meridian-cache-key").equals(key)) {
                failures.add("not a hit when repeated: " + variant + " -> " + cache(again));
            }
        }
        assertThat(failures).isEmpty();
        // not output-shaping: stream, stream_options and the end user's id (an answer replays either way)
        assertThat(cache(chat(body("chat", q, "\"user\":\"someone\"")))).isEqualTo("hit");
        assertThat(cache(chat(body("chat", q, "\"stream\":true,\"stream_options\":{\"include_usage\":true}"))))
                .isEqualTo("hit");
    }

    @Test
    void theClientBypassesRefreshesOrAsksForTheCache() throws Exception {
        String q = question();
        assertThat(cache(chat(body("chat", q, "")))).isEqualTo("miss");
        int before = upstreamCalls();
        HttpResponse<String> bypass = chat(body("chat", q, "\"cache\":false"));
        assertThat(cache(bypass)).isEqualTo("bypass");
        assertThat(header(bypass, "x-meridian-cache-reason")).isEqualTo("requested");
        assertThat(cache(chat(body("chat", q, "\"cache\":\"bypass\""), FRAMEWORK))).isEqualTo("bypass");
        assertThat(cache(chat(body("chat", q, ""), "cache-control", "no-store"))).isEqualTo("bypass");
        assertThat(upstreamCalls()).isEqualTo(before + 3);

        upstream.byDefault(UpstreamBehavior.answer("A fresher answer."));
        try {
            assertThat(cache(chat(body("chat", q, ""), "cache-control", "no-cache"))).as("refresh: not read, written").isEqualTo("miss");
            HttpResponse<String> refreshed = chat(body("chat", q, ""));
            assertThat(cache(refreshed)).isEqualTo("hit");
            assertThat(Admin.json(refreshed).at("/choices/0/message/content").asText()).isEqualTo("A fresher answer.");
            assertThat(cache(chat(body("chat", q, "\"cache\":{\"mode\":\"refresh\"}")))).isEqualTo("miss");
        } finally {
            upstream.byDefault(UpstreamBehavior.answer("The answer", " is 42."));
        }

        String sampled = "{\"model\":\"chat\",\"temperature\":0.7,\"messages\":[{\"role\":\"user\",\"content\":\"" + question() + "\"}]";
        HttpResponse<String> notDeterministic = chat(sampled + "}");
        assertThat(cache(notDeterministic)).isEqualTo("bypass");
        assertThat(header(notDeterministic, "x-meridian-cache-reason")).isEqualTo("not_deterministic");
        assertThat(cache(chat(sampled + ",\"cache\":true}"))).isEqualTo("miss");
        assertThat(cache(chat(sampled + ",\"cache\":{\"mode\":\"use\",\"ttl\":600}}"))).isEqualTo("hit");
        // max-age: an answer older than the client accepts is not served
        assertThat(cache(chat(sampled + ",\"cache\":\"use\"}", "cache-control", "max-age=3600"))).isEqualTo("hit");
        Thread.sleep(1_100);
        assertThat(cache(chat(sampled + ",\"cache\":\"use\"}", "cache-control", "max-age=1"))).isEqualTo("miss");

        for (String bad : List.of("\"cache\":\"always\"", "\"cache\":3", "\"cache\":{\"ttl\":0}", "\"cache\":{\"mode\":\"use\",\"color\":1}",
                "\"cache\":{\"max_age\":\"soon\"}")) {
            HttpResponse<String> refused = gateway.post("/v1/chat/completions", body("chat", q, bad));
            assertThat(refused.statusCode()).as(bad + " -> " + refused.body()).isEqualTo(400);
            assertThat(Admin.json(refused).at("/error/param").asText()).startsWith("cache");
        }
        assertThat(upstream.requests()).noneMatch(r -> r.body().contains("\"cache\""));
    }

    @Test
    void cachingIsConfiguredPerModelAndPerTenant() {
        String q = question();
        HttpResponse<String> off = chat(body("uncached", q, ""));
        assertThat(off.headers().firstValue("x-meridian-cache")).as("caching off, nothing asked: nothing said").isEmpty();
        assertThat(cache(chat(body("uncached", q, "\"cache\":true")))).isEqualTo("bypass");

        String sampled = "{\"model\":\"always\",\"temperature\":0.9,\"messages\":[{\"role\":\"user\",\"content\":\"" + q + "\"}]}";
        assertThat(cache(chat(sampled))).as("a model that caches sampled requests too").isEqualTo("miss");
        assertThat(cache(chat(sampled))).isEqualTo("hit");

        Admin admin = new Admin(gateway);
        admin.tenant("frugal");
        String[] key = admin.key("frugal", "");
        HttpResponse<String> tenantOff = chat(body("chat", q, ""), "authorization", Admin.bearer(key[1]));
        assertThat(tenantOff.headers().firstValue("x-meridian-cache")).as("caching off for the tenant").isEmpty();
    }

    @Test
    void aHitChargesNoUpstreamTokensToTheLedgerButReportsTheAnswersTokens() throws Exception {
        Admin admin = new Admin(gateway);
        admin.tenant("ledger-cache");
        String[] key = admin.key("ledger-cache", "");
        String body = body("chat", question(), "");
        JsonNode first = Admin.json(chat(body, "authorization", Admin.bearer(key[1])));
        HttpResponse<String> hit = chat(body, "authorization", Admin.bearer(key[1]));
        assertThat(cache(hit)).isEqualTo("hit");
        assertThat(Admin.json(hit).at("/usage/total_tokens").asInt()).isEqualTo(first.at("/usage/total_tokens").asInt()).isPositive();
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        JsonNode lines = null;
        for (int i = 0; i < 100; i++) {
            lines = Admin.json(gateway.get("/v1/admin/usage?tenant=ledger-cache&from=" + today + "&to=" + today)).get("data");
            if (lines.size() == 2) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(lines).hasSize(2);
        for (JsonNode line : lines) {
            if (line.get("backend").asText().equals("cache")) {
                assertThat(line.get("requests").asInt()).isEqualTo(1);
                assertThat(line.get("total_tokens").asInt()).isZero();
            } else {
                assertThat(line.get("backend").asText()).isEqualTo("up");
                assertThat(line.get("total_tokens").asInt()).isEqualTo(first.at("/usage/total_tokens").asInt());
            }
        }
    }

    @Test
    void theAdminApiPurgesByKeyModelAndTenantAndTellsTheState() {
        String q = question();
        String key = header(chat(body("chat", q, "")), "x-meridian-cache-key");
        assertThat(cache(chat(body("chat", q, "")))).isEqualTo("hit");
        HttpResponse<String> purged = gateway.post("/v1/admin/cache/purge", "{\"key\":\"" + key + "\"}");
        assertThat(purged.statusCode()).as(purged.body()).isEqualTo(200);
        assertThat(Admin.json(purged).get("found").asBoolean()).isTrue();
        assertThat(cache(chat(body("chat", q, "")))).isEqualTo("miss");

        assertThat(cache(chat(body("chat", q, "")))).isEqualTo("hit");
        String otherModel = question();
        chat(body("other", otherModel, ""));
        assertThat(gateway.post("/v1/admin/cache/purge", "{\"model\":\"chat\"}").statusCode()).isEqualTo(200);
        assertThat(cache(chat(body("chat", q, "")))).isEqualTo("miss");
        assertThat(cache(chat(body("other", otherModel, "")))).as("another model's answers stay").isEqualTo("hit");

        assertThat(gateway.post("/v1/admin/cache/purge", "{\"tenant\":\"default\"}").statusCode()).isEqualTo(200);
        assertThat(cache(chat(body("other", otherModel, "")))).isEqualTo("miss");

        JsonNode state = Admin.json(gateway.get("/v1/admin/cache"));
        assertThat(state.get("enabled").asBoolean()).isTrue();
        assertThat(state.get("shared_level").asBoolean()).isFalse();
        assertThat(state.at("/levels/l1/entries").asLong()).isPositive();
        assertThat(state.at("/levels/l1/bytes").asLong()).isPositive();

        Admin admin = new Admin(gateway);
        String[] member = admin.key("default", "");
        assertThat(gateway.get("/v1/admin/cache", "authorization", Admin.bearer(member[1])).statusCode()).isEqualTo(403);
        assertThat(gateway.post("/v1/admin/cache/purge", "{}", "authorization", Admin.bearer(member[1])).statusCode()).isEqualTo(403);
        assertThat(gateway.post("/v1/admin/cache/purge", "{\"key\":\"xyz\"}").statusCode()).isEqualTo(400);
        assertThat(gateway.post("/v1/admin/cache/purge", "{\"everything\":true}").statusCode()).isEqualTo(400);

        String metrics = gateway.get("/metrics").body();
        assertThat(metrics).contains("meridian_cache_hits_total{level=\"l1\"}", "meridian_cache_misses_total{level=\"l1\"}",
                "meridian_cache_bytes{level=\"l1\"}", "meridian_cache_entries{level=\"l1\"}",
                "meridian_cache_evictions_total{cause=\"size\",level=\"l1\"}", "meridian_cache_evictions_total{cause=\"invalidated\",level=\"l1\"}",
                "meridian_cache_written_bytes_total{level=\"l1\"}", "meridian_cache_bypasses_total{reason=");
    }

    @Test
    void aKnowledgeGroundedAnswerIsKeptWithItsCitationsUntilTheBaseChanges() throws Exception {
        assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"cache-docs\"}").statusCode()).isEqualTo(201);
        ingest("{\"documents\":[{\"title\":\"Ports\",\"text\":\"Meridian listens on port 8080 by default.\"}]}");
        upstream.byDefault(UpstreamBehavior.answer("Port 8080 [1]."));
        try {
            String body = body("chat", "Which port does Meridian listen on?", "\"knowledge_bases\":[\"cache-docs\"]");
            HttpResponse<String> first = chat(body);
            assertThat(cache(first)).isEqualTo("miss");
            JsonNode a = Admin.json(first);
            assertThat(a.get("citations").get(0).asText()).startsWith("kb://cache-docs/");
            HttpResponse<String> second = chat(body);
            assertThat(cache(second)).isEqualTo("hit");
            JsonNode b = Admin.json(second);
            assertThat(b.get("citations")).isEqualTo(a.get("citations"));
            assertThat(b.get("search_results")).isEqualTo(a.get("search_results"));
            HttpResponse<String> streamed = chat(body.replace("\"temperature\":0,", "\"temperature\":0,\"stream\":true,"));
            assertThat(cache(streamed)).isEqualTo("hit");
            assertThat(streamed.body().lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow())
                    .contains("\"citations\":[\"kb://cache-docs/");

            ingest("{\"documents\":[{\"title\":\"TLS\",\"text\":\"Meridian serves TLS on port 8443 when configured.\"}]}");
            int before = upstreamCalls();
            assertThat(cache(chat(body))).as("the knowledge base changed").isEqualTo("miss");
            assertThat(upstreamCalls()).isEqualTo(before + 1);
            assertThat(cache(chat(body))).isEqualTo("hit");
        } finally {
            upstream.byDefault(UpstreamBehavior.answer("The answer", " is 42."));
        }
    }

    private static void ingest(String documents) throws Exception {
        HttpResponse<String> job = gateway.post("/v1/knowledge_bases/cache-docs/documents", documents);
        assertThat(job.statusCode()).as(job.body()).isEqualTo(202);
        String id = Admin.json(job).get("id").asText();
        for (int i = 0; i < 300; i++) {
            String status = Admin.json(gateway.get("/v1/ingestion_jobs/" + id)).get("status").asText();
            if (!List.of("queued", "running").contains(status)) {
                assertThat(status).isEqualTo("completed");
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("ingestion did not finish");
    }

    @Test
    void aWebGroundedAnswerIsKeptWithItsCitationsNoLongerThanTheWebTtl() throws Exception {
        String body = body("online", "What is Meridian? " + question(), "");
        int searches = quark.server().requests().size();
        HttpResponse<String> first = chat(body);
        assertThat(cache(first)).isEqualTo("miss");
        assertThat(Admin.json(first).get("citations").get(0).asText()).isEqualTo("https://meridian.example/docs");
        HttpResponse<String> second = chat(body);
        assertThat(cache(second)).isEqualTo("hit");
        assertThat(Admin.json(second).get("citations")).isEqualTo(Admin.json(first).get("citations"));
        assertThat(quark.server().requests().size()).as("a hit searches nothing").isEqualTo(searches + 1);
        Thread.sleep(1_300); // meridian.cache.grounding.web-ttl: 1s
        assertThat(cache(chat(body))).as("web results are only so fresh").isEqualTo("miss");
        assertThat(quark.server().requests().size()).isEqualTo(searches + 2);
    }

    @Test
    void aModelWithTheSemanticCacheServesAParaphraseButNotAQuestionAboutAnotherNumber() throws Exception {
        upstream.byDefault(UpstreamBehavior.answer("Paris is the capital of France."));
        try {
            HttpResponse<String> first = chat(body("similar", "What is the capital city of France?", ""));
            assertThat(cache(first)).isEqualTo("miss");
            // the prompt is indexed in the background after the answer: give it a moment, then ask in other words
            Thread.sleep(1_000);
            HttpResponse<String> paraphrase = null;
            for (String words : List.of("What's the capital of France?", "What is the capital of France?", "Which city is the capital of France?")) {
                paraphrase = chat(body("similar", words, ""));
                if (cache(paraphrase).equals("hit")) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(cache(paraphrase)).isEqualTo("hit");
            assertThat(header(paraphrase, "x-meridian-cache-level")).isEqualTo("semantic");
            assertThat(Double.parseDouble(header(paraphrase, "x-meridian-cache-similarity"))).isBetween(0.85, 1.0);
            assertThat(header(paraphrase, "x-meridian-cache-key")).isEqualTo(header(first, "x-meridian-cache-key"));
            assertThat(Admin.json(paraphrase).at("/choices/0/message/content").asText()).isEqualTo("Paris is the capital of France.");

            chat(body("similar", "How many moons does planet 4 have?", ""));
            Thread.sleep(500);
            assertThat(cache(chat(body("similar", "How many moons does planet 5 have?", "")))).as("numbers set prompts apart").isEqualTo("miss");
            assertThat(cache(chat(body("other", "What's the capital of France?", "")))).as("a model without it").isEqualTo("miss");
        } finally {
            upstream.byDefault(UpstreamBehavior.answer("The answer", " is 42."));
        }
    }
}

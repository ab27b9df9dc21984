package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Knowledge bases end to end: create one, ingest text and uploaded files as a background job, query it,
 * serve it to Dify, and ground chat answers in it with numbered {@code kb://} citations; with the knowledge
 * index down, answers degrade instead of failing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KnowledgeGroundingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeOpenAiUpstream model;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        model = FakeOpenAiUpstream.start();
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("llm", TestGateway.openAiBackend(model.baseUrl(), Map.of())));
        meridian.put("models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("llm", "m")))));
        gateway = TestGateway.start(meridian);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        model.close();
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static JsonNode awaitJob(TestGateway on, String id) throws Exception {
        for (int i = 0; i < 300; i++) {
            JsonNode job = json(on.get("/v1/ingestion_jobs/" + id));
            if (!List.of("queued", "running").contains(job.get("status").asText())) {
                return job;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("ingestion did not finish");
    }

    private static byte[] multipart(String boundary, String filename, String contentType, byte[] content) {
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n"
                + "Content-Type: " + contentType + "\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] t = tail.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[h.length + content.length + t.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(content, 0, all, h.length, content.length);
        System.arraycopy(t, 0, all, h.length + content.length, t.length);
        return all;
    }

    @Test
    @Order(1)
    void aKnowledgeBaseIsCreatedAndFilledInTheBackground() throws Exception {
        HttpResponse<String> created = gateway.post("/v1/knowledge_bases", "{\"name\":\"docs\",\"description\":\"product docs\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"docs\"}").statusCode()).isEqualTo(409);
        assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"Docs With Spaces\"}").statusCode()).isEqualTo(400);

        HttpResponse<String> text = gateway.post("/v1/knowledge_bases/docs/documents", "{\"documents\":["
                + "{\"title\":\"Ports\",\"text\":\"Meridian listens on port 8080 by default. Without a master key it binds to loopback only.\"},"
                + "{\"title\":\"长城\",\"text\":\"长城是中国古代的军事防御工程。长城始建于春秋战国时期。\"}]}");
        assertThat(text.statusCode()).as(text.body()).isEqualTo(202);
        JsonNode job = awaitJob(gateway, json(text).get("id").asText());
        assertThat(job.get("status").asText()).isEqualTo("completed");
        assertThat(job.at("/documents/done").asInt()).isEqualTo(2);
        assertThat(job.at("/chunks/done").asInt()).isEqualTo(job.at("/chunks/total").asInt()).isPositive();

        String boundary = "meridian-test-boundary";
        byte[] body = multipart(boundary, "fallback.md", "text/markdown",
                "# Fallback tiers\n\nWhen the primary backend fails, Meridian moves to the next tier.\n".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> upload = gateway.send("POST", "/v1/knowledge_bases/docs/documents", HttpRequest.BodyPublishers.ofByteArray(body),
                "content-type", "multipart/form-data; boundary=" + boundary);
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(202);
        assertThat(awaitJob(gateway, json(upload).get("id").asText()).get("status").asText()).isEqualTo("completed");

        JsonNode documents = json(gateway.get("/v1/knowledge_bases/docs/documents"));
        assertThat(documents.get("data")).extracting(d -> d.get("title").asText()).containsExactlyInAnyOrder("Ports", "长城", "Fallback tiers");
        assertThat(json(gateway.get("/v1/knowledge_bases/docs")).get("documents").asInt()).isEqualTo(3);
    }

    @Test
    @Order(2)
    void aBrokenUploadIsReportedOnTheJob() throws Exception {
        String boundary = "b2";
        HttpResponse<String> upload = gateway.send("POST", "/v1/knowledge_bases/docs/documents",
                HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, "broken.pdf", "application/pdf",
                        "%PDF-1.7 not a pdf".getBytes(StandardCharsets.US_ASCII))),
                "content-type", "multipart/form-data; boundary=" + boundary);
        JsonNode job = awaitJob(gateway, json(upload).get("id").asText());
        assertThat(job.get("status").asText()).isEqualTo("failed");
        assertThat(job.get("errors").get(0).asText()).contains("broken.pdf").contains("PDF");
    }

    @Test
    @Order(3)
    void chatAnswersAreGroundedInTheKnowledgeBase() throws Exception {
        model.enqueue(UpstreamBehavior.answer("Port 8080 [1]."));
        HttpResponse<String> response = gateway.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"knowledge_bases\":[\"docs\"],\"messages\":[{\"role\":\"user\",\"content\":\"Which port does Meridian listen on?\"}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("citations").get(0).asText()).startsWith("kb://docs/doc_");
        assertThat(body.get("search_results").get(0).get("source").asText()).isEqualTo("knowledge_base:docs");
        assertThat(body.get("search_results").get(0).get("title").asText()).isEqualTo("Ports");
        assertThat(model.requests().get(model.requests().size() - 1).body()).contains("Meridian listens on port 8080 by default.");
        HttpResponse<String> unknown = gateway.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"knowledge_bases\":[\"nope\"],\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).at("/error/param").asText()).isEqualTo("knowledge_bases");
    }

    @Test
    @Order(4)
    void retrievalOnlyQueriesAndDifyGetPassagesWithScores() throws Exception {
        JsonNode passages = json(gateway.post("/v1/knowledge_bases/docs/query", "{\"query\":\"长城什么时候修建\",\"top_k\":2}"));
        assertThat(passages.get("data").get(0).get("text").asText()).contains("春秋战国");
        assertThat(passages.get("data").get(0).get("score").asDouble()).isBetween(0.0, 1.0);

        HttpResponse<String> dify = gateway.post("/retrieval",
                "{\"knowledge_id\":\"docs\",\"query\":\"fallback tier\",\"retrieval_setting\":{\"top_k\":3,\"score_threshold\":0.0}}");
        assertThat(dify.statusCode()).as(dify.body()).isEqualTo(200);
        JsonNode records = json(dify).get("records");
        assertThat(records).isNotEmpty();
        assertThat(records.get(0).get("content").asText()).contains("next tier");
        assertThat(records.get(0).get("metadata").get("knowledge_base").asText()).isEqualTo("docs");

        HttpResponse<String> unknown = gateway.post("/retrieval", "{\"knowledge_id\":\"nope\",\"query\":\"q\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error_code").asInt()).isEqualTo(2001);
        HttpResponse<String> wrongKey = gateway.post("/retrieval", "{\"knowledge_id\":\"docs\",\"query\":\"q\"}", "authorization", "Bearer nope");
        assertThat(wrongKey.statusCode()).isEqualTo(403);
        assertThat(json(wrongKey).get("error_code").asInt()).isEqualTo(1002);
        HttpResponse<String> badHeader = gateway.post("/retrieval", "{\"knowledge_id\":\"docs\",\"query\":\"q\"}", "authorization", "Basic x");
        assertThat(json(badHeader).get("error_code").asInt()).isEqualTo(1001);
    }

    @Test
    @Order(4)
    void metadataIsSetAtIngestionAndFiltersQueriesAndDify() throws Exception {
        assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"policies\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> ingest = gateway.post("/v1/knowledge_bases/policies/documents", "{\"documents\":["
                + "{\"title\":\"Travel policy\",\"text\":\"Travel expenses are reimbursed within thirty days. Book hotels through the portal.\","
                + "\"tags\":[\"finance\",\"travel\"],\"metadata\":{\"year\":2024,\"owner\":\"Ada Lovelace\",\"effective\":\"2024-03-01\"}},"
                + "{\"title\":\"Old travel policy\",\"text\":\"Travel expenses were reimbursed within ninety days.\","
                + "\"tags\":[\"archive\"],\"metadata\":{\"year\":2019,\"owner\":\"Grace Hopper\",\"effective\":\"2019-01-01\"}},"
                + "{\"title\":\"Empty\",\"text\":\"   \"}]}");
        assertThat(ingest.statusCode()).as(ingest.body()).isEqualTo(202);
        JsonNode job = awaitJob(gateway, json(ingest).get("id").asText());
        assertThat(job.get("status").asText()).isEqualTo("completed_with_errors");
        assertThat(job.get("errors").get(0).asText()).contains("document 3 (Empty)").contains("no text could be read");

        JsonNode listed = json(gateway.get("/v1/knowledge_bases/policies/documents")).get("data");
        assertThat(listed).hasSize(2);
        assertThat(listed).anySatisfy(d -> {
            assertThat(d.at("/metadata/tags").toString()).isEqualTo("[\"finance\",\"travel\"]");
            assertThat(d.at("/metadata/year").asInt()).isEqualTo(2024);
            assertThat(d.at("/metadata/effective").asText()).isEqualTo("2024-03-01T00:00:00Z");
            assertThat(d.at("/metadata/title").asText()).isEqualTo("Travel policy");
        });
        JsonNode summary = json(gateway.get("/v1/knowledge_bases/policies"));
        assertThat(summary.at("/embedding/models").toString()).contains("bge-small-zh-v1.5").contains("bge-small-en-v1.5");
        assertThat(summary.at("/embedding/stale_chunks").asInt()).isZero();

        JsonNode all = json(gateway.post("/v1/knowledge_bases/policies/query", "{\"query\":\"travel expenses reimbursed\",\"top_k\":5}"));
        assertThat(all.get("data")).hasSize(2);
        JsonNode current = json(gateway.post("/v1/knowledge_bases/policies/query", "{\"query\":\"travel expenses reimbursed\",\"top_k\":5,"
                + "\"filter\":{\"logical_operator\":\"and\",\"conditions\":[{\"name\":\"year\",\"comparison_operator\":\"≥\",\"value\":2020},"
                + "{\"name\":[\"owner\"],\"comparison_operator\":\"contains\",\"value\":\"love\"}]}}"));
        assertThat(current.get("data")).singleElement().satisfies(p -> {
            assertThat(p.get("object").asText()).isEqualTo("knowledge_passage");
            assertThat(p.get("title").asText()).isEqualTo("Travel policy");
            assertThat(p.at("/metadata/owner").asText()).isEqualTo("Ada Lovelace");
        });
        JsonNode byDocument = json(gateway.post("/v1/knowledge_bases/policies/query", "{\"query\":\"travel\",\"group_by\":\"document\","
                + "\"filter\":{\"conditions\":[{\"name\":\"effective\",\"comparison_operator\":\"before\",\"value\":\"2020-01-01\"}]}}"));
        assertThat(byDocument.get("data")).singleElement().satisfies(d -> {
            assertThat(d.get("object").asText()).isEqualTo("knowledge_document");
            assertThat(d.get("title").asText()).isEqualTo("Old travel policy");
            assertThat(d.get("passages")).isNotEmpty();
        });

        HttpResponse<String> dify = gateway.post("/retrieval", "{\"knowledge_id\":\"policies\",\"query\":\"travel expenses\","
                + "\"retrieval_setting\":{\"top_k\":5,\"score_threshold\":0.0},\"metadata_condition\":{\"logical_operator\":\"or\","
                + "\"conditions\":[{\"name\":[\"tags\"],\"comparison_operator\":\"is\",\"value\":\"archive\"}]}}");
        assertThat(dify.statusCode()).as(dify.body()).isEqualTo(200);
        assertThat(json(dify).get("records")).singleElement().satisfies(r -> {
            assertThat(r.get("title").asText()).isEqualTo("Old travel policy");
            assertThat(r.at("/metadata/tags").asText()).isEqualTo("archive");
            assertThat(r.at("/metadata/document_id").asText()).startsWith("doc_");
        });
        HttpResponse<String> badOperator = gateway.post("/retrieval", "{\"knowledge_id\":\"policies\",\"query\":\"q\","
                + "\"metadata_condition\":{\"conditions\":[{\"name\":\"year\",\"comparison_operator\":\"like\",\"value\":\"1\"}]}}");
        assertThat(badOperator.statusCode()).isEqualTo(400);
        assertThat(json(badOperator).get("error_msg").asText()).contains("like");
        HttpResponse<String> badFilter = gateway.post("/v1/knowledge_bases/policies/query",
                "{\"query\":\"q\",\"filter\":{\"conditions\":[{\"name\":\"year\",\"comparison_operator\":\">\",\"value\":\"soon\"}]}}");
        assertThat(badFilter.statusCode()).isEqualTo(400);
        assertThat(json(badFilter).at("/error/param").asText()).isEqualTo("filter.conditions[0]");
        assertThat(gateway.post("/v1/knowledge_bases/policies/query", "{\"query\":\"q\",\"group_by\":\"page\"}").statusCode()).isEqualTo(400);
        for (String[] bad : new String[][] {
                {"{\"documents\":[{\"text\":\"t\",\"metadata\":{\"a\":{\"b\":1}}}]}", "documents[0].metadata.a"},
                {"{\"documents\":[{\"text\":\"t\",\"metadata\":\"x\"}]}", "documents[0].metadata"},
                {"{\"documents\":[{\"text\":\"t\",\"metadata\":{\"bad key\":1}}]}", "documents[0].metadata.bad key"},
                {"{\"documents\":[{\"text\":\"t\",\"tags\":[1,2]}]}", "documents[0].tags[0]"},
                {"{\"documents\":[{\"text\":\"t\",\"metadata\":{\"n\":\"" + "x".repeat(1001) + "\"}}]}", "documents[0].metadata.n"}}) {
            HttpResponse<String> refused = gateway.post("/v1/knowledge_bases/policies/documents", bad[0]);
            assertThat(refused.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(json(refused).at("/error/param").asText()).isEqualTo(bad[1]);
        }
    }

    @Test
    @Order(4)
    void difysDefaultThresholdKeepsRelevantDocumentsAndAnswersNothingToAnIrrelevantQuery() throws Exception {
        HttpResponse<String> relevant = gateway.post("/retrieval", "{\"knowledge_id\":\"policies\",\"query\":\"How long until travel expenses are reimbursed?\","
                + "\"retrieval_setting\":{\"top_k\":3,\"score_threshold\":0.5}}");
        assertThat(relevant.statusCode()).as(relevant.body()).isEqualTo(200);
        JsonNode records = json(relevant).get("records");
        assertThat(records).isNotEmpty();
        assertThat(records).allSatisfy(r -> assertThat(r.get("score").asDouble()).isBetween(0.5, 1.0));
        assertThat(records.get(0).get("content").asText()).contains("reimbursed");
        for (String gibberish : List.of("qwertz flubber zanzibar moonlight", "How long should I boil an egg?", "鸡蛋煮几分钟是溏心的？")) {
            HttpResponse<String> none = gateway.post("/retrieval", "{\"knowledge_id\":\"policies\",\"query\":\"" + gibberish + "\","
                    + "\"retrieval_setting\":{\"top_k\":3,\"score_threshold\":0.5}}");
            assertThat(none.statusCode()).isEqualTo(200);
            assertThat(json(none).get("records")).as(gibberish).isEmpty();
        }
    }

    @Test
    @Order(4)
    void aChineseManualsCodeListingIsFoundByAChineseQuestionInOtherWords() throws Exception {
        // Mostly a listing, a tenth to a fifth of its letters Han: it is embedded by the Chinese model, so a Chinese
        // question in other words meets it by meaning; by keywords alone it would share nothing with the question.
        String listing = "显示命令调用进程的时间消耗。\n# time some_command >/dev/null\nreal 0m0.035s\nuser 0m0.000s\nsys 0m0.004s\n"
                + "# time --verbose --output=timing.log some_command --with-arguments";
        assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"zh-manual\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> ingest = gateway.post("/v1/knowledge_bases/zh-manual/documents", "{\"documents\":["
                + "{\"title\":\"计时\",\"text\":" + JSON.writeValueAsString(listing) + "},"
                + "{\"title\":\"磁盘映像\",\"text\":\"按下面的方式使用 dd 可以制作一个空的磁盘映像文件，然后把它格式化为 ext4 文件系统。\"},"
                + "{\"title\":\"调度优先级\",\"text\":\"进程的调度优先级由 nice 值控制，数值越小优先级越高，普通用户只能调低自己进程的优先级。\"}]}");
        assertThat(ingest.statusCode()).as(ingest.body()).isEqualTo(202);
        assertThat(awaitJob(gateway, json(ingest).get("id").asText()).get("status").asText()).isEqualTo("completed");
        JsonNode found = json(gateway.post("/v1/knowledge_bases/zh-manual/query", "{\"query\":\"怎样统计一条指令跑了多久\",\"top_k\":3}"));
        assertThat(found.get("data").get(0).get("text").asText()).as(found.toString()).contains("time some_command");
        assertThat(gateway.send("DELETE", "/v1/knowledge_bases/zh-manual", HttpRequest.BodyPublishers.noBody()).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void embeddingsAreServedOpenAiStyle() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/embeddings", "{\"model\":\"bge-small-zh-v1.5\",\"input\":[\"hello\",\"你好\"]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("object").asText()).isEqualTo("list");
        assertThat(body.get("data")).hasSize(2);
        assertThat(body.get("data").get(0).get("embedding")).hasSize(512);
        assertThat(body.at("/usage/prompt_tokens").asInt()).isPositive();
    }

    @Test
    @Order(6)
    void deletingADocumentAndTheBaseRemovesThem() throws Exception {
        String id = json(gateway.get("/v1/knowledge_bases/docs/documents")).get("data").get(0).get("id").asText();
        assertThat(gateway.send("DELETE", "/v1/knowledge_bases/docs/documents/" + id, HttpRequest.BodyPublishers.noBody()).statusCode())
                .isEqualTo(200);
        assertThat(gateway.send("DELETE", "/v1/knowledge_bases/docs", HttpRequest.BodyPublishers.noBody()).statusCode()).isEqualTo(200);
        assertThat(gateway.get("/v1/knowledge_bases/docs").statusCode()).isEqualTo(404);
        assertThat(json(gateway.get("/v1/knowledge_bases")).get("data")).extracting(b -> b.get("name").asText()).containsExactly("policies");
    }

    @Test
    @Order(7)
    void withQdrantDownAnswersDegradeInsteadOfFailing() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("llm", TestGateway.openAiBackend(model.baseUrl(), Map.of())));
        meridian.put("models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("llm", "m")))));
        meridian.put("knowledge", Map.of("index", "qdrant", "qdrant", Map.of("host", "127.0.0.1", "port", deadPort, "timeout", "1s")));
        meridian.put("retrieval", Map.of("knowledge-timeout", "1500ms"));
        try (TestGateway withQdrant = TestGateway.start(meridian)) {
            assertThat(withQdrant.post("/v1/knowledge_bases", "{\"name\":\"docs\"}").statusCode()).isEqualTo(201);
            JsonNode job = awaitJob(withQdrant, json(withQdrant.post("/v1/knowledge_bases/docs/documents",
                    "{\"documents\":[{\"title\":\"t\",\"text\":\"some text\"}]}")).get("id").asText());
            assertThat(job.get("status").asText()).isEqualTo("failed");
            assertThat(job.get("errors").get(0).asText()).containsIgnoringCase("qdrant");

            model.enqueue(UpstreamBehavior.answer("answered anyway"));
            long start = System.nanoTime();
            HttpResponse<String> response = withQdrant.post("/v1/chat/completions",
                    "{\"model\":\"chat\",\"knowledge_bases\":[\"docs\"],\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            JsonNode body = json(response);
            assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("answered anyway");
            assertThat(body.get("notices").toString()).contains("knowledge search").contains("qdrant").contains("unavailable");
        }
    }
}

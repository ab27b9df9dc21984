package ai.meridian.adapter.out.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.ResponseFormat;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.ModelBackendContract;
import ai.meridian.testkit.UpstreamBehavior;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the OpenAI adapter does beyond the shared contract: wire details, headers, pooling. */
class OpenAiCompatibleBackendTest {
    private FakeOpenAiUpstream upstream;
    private OpenAiBackendFactory factory;
    private ModelBackend backend;

    @BeforeEach
    void start() {
        upstream = FakeOpenAiUpstream.start();
        factory = new OpenAiBackendFactory();
        backend = factory.create(OpenAiBackendContractTest.settings("unit", upstream.baseUrl()));
    }

    @AfterEach
    void stop() {
        backend.close();
        factory.close();
        upstream.close();
    }

    private static BackendCall call(GenerationParams params) {
        return new BackendCall("req-42", "deepseek-chat", List.of(ChatMessage.system("be brief"),
                new ChatMessage(ai.meridian.domain.chat.Role.USER, "naïve \"quote\" 你好\n", "alice")), params, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    }

    @Test
    void forwardsTheRequestFaithfully() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("ok"));
        GenerationParams params = new GenerationParams(0.7, 0.9, 128, List.of("END"), 7L, "user-1",
                new ResponseFormat("json_schema", "{\"name\":\"x\",\"schema\":{\"type\":\"object\"}}"), 0.5, -0.5);
        backend.complete(call(params)).get(5, TimeUnit.SECONDS);
        FakeOpenAiUpstream.RecordedRequest request = upstream.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.headers()).containsEntry("authorization", "Bearer sk-test")
                .containsEntry("content-type", "application/json")
                .containsEntry("x-request-id", "req-42")
                .containsEntry("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(request.body()).isEqualTo("{\"model\":\"deepseek-chat\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":\"naïve \\\"quote\\\" 你好\\n\",\"name\":\"alice\"}],"
                + "\"temperature\":0.7,\"top_p\":0.9,\"max_tokens\":128,\"stop\":[\"END\"],\"seed\":7,\"user\":\"user-1\","
                + "\"presence_penalty\":0.5,\"frequency_penalty\":-0.5,"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"object\"}}}}");
    }

    @Test
    void streamsAskForUsageAndReportIt() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("a", "b", "c"));
        ModelBackendContract.Recorder recorder = new ModelBackendContract.Recorder();
        backend.stream(call(GenerationParams.DEFAULTS), recorder);
        recorder.awaitEnd();
        assertThat(upstream.requests().get(0).body()).contains("\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        assertThat(upstream.requests().get(0).headers()).containsEntry("accept", "text/event-stream");
        assertThat(recorder.usages).containsExactly(java.util.Optional.of(new TokenUsage(11, 3)));
    }

    @Test
    void wholeAnswersCarryUsageModelAndFinishReason() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("truncated").withFinishReason("length"));
        Completion completion = backend.complete(call(GenerationParams.DEFAULTS)).get(5, TimeUnit.SECONDS);
        assertThat(completion.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(completion.usage()).contains(new TokenUsage(11, 1));
        assertThat(completion.upstreamModel()).isEqualTo("deepseek-chat");
    }

    @Test
    void keepsConnectionsAlive() throws Exception {
        for (int i = 0; i < 30; i++) {
            upstream.enqueue(UpstreamBehavior.answer("x"));
            backend.complete(call(GenerationParams.DEFAULTS)).get(5, TimeUnit.SECONDS);
            upstream.enqueue(UpstreamBehavior.answer("y", "z"));
            ModelBackendContract.Recorder recorder = new ModelBackendContract.Recorder();
            backend.stream(call(GenerationParams.DEFAULTS), recorder);
            recorder.awaitEnd();
        }
        // 60 calls: a stream completes at [DONE], a moment before its connection is back in the pool, so the
        // next call may open one more; without keep-alive this would be 60.
        assertThat(upstream.connectionsAccepted()).as("sequential calls reuse connections").isLessThanOrEqualTo(4);
    }

    @Test
    void idleConnectionsAreRetiredButAWaitingCallIsNotCut() throws Exception {
        Map<String, String> values = new java.util.HashMap<>(OpenAiBackendContractTest.settings("idle", upstream.baseUrl()).properties());
        values.put("idle-timeout", "300ms");
        values.put("first-token-timeout", "2s"); // the slow answer below waits longer than the contract's first-token timeout
        ModelBackend idle = factory.create(new BackendSettings("idle", "openai", values));
        try {
            upstream.enqueue(UpstreamBehavior.answer("slow").withFirstDelay(Duration.ofMillis(800)));
            assertThat(idle.complete(call(GenerationParams.DEFAULTS)).get(5, TimeUnit.SECONDS).content())
                    .as("a call waiting longer than the idle timeout is not an idle connection").isEqualTo("slow");
            for (int i = 0; i < 4; i++) {
                upstream.enqueue(UpstreamBehavior.answer("x"));
                idle.complete(call(GenerationParams.DEFAULTS)).get(5, TimeUnit.SECONDS);
            }
            int before = upstream.connectionsAccepted();
            Thread.sleep(1_000);
            upstream.enqueue(UpstreamBehavior.answer("again"));
            assertThat(idle.complete(call(GenerationParams.DEFAULTS)).get(5, TimeUnit.SECONDS).content()).isEqualTo("again");
            assertThat(upstream.connectionsAccepted()).as("the idle connections were closed, so a new one was opened")
                    .isGreaterThan(before);
        } finally {
            idle.close();
        }
    }

    @Test
    void aConnectionResetByTheUpstreamIsNotReusedAndTheNextCallWorks() throws Exception {
        upstream.enqueue(UpstreamBehavior.resets(), UpstreamBehavior.answer("fine"));
        Failure failure = failure(backend.complete(call(GenerationParams.DEFAULTS)));
        assertThat(failure.kind()).isEqualTo(FailureKind.CONNECT);
        assertThat(backend.complete(call(GenerationParams.DEFAULTS)).get(5, TimeUnit.SECONDS).content()).isEqualTo("fine");
    }

    @Test
    void retryAfterIsReadFromTheUpstream() {
        upstream.enqueue(UpstreamBehavior.status(429, "quota").withRetryAfter(Duration.ofSeconds(3)));
        Failure failure = failure(backend.complete(call(GenerationParams.DEFAULTS)));
        assertThat(failure.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(failure.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(failure.upstreamStatus()).isEqualTo(429);
        assertThat(failure.message()).contains("quota");
    }

    @Test
    void garbageFromTheUpstreamIsAProtocolError() throws Exception {
        upstream.enqueue(UpstreamBehavior.garbage());
        assertThat(failure(backend.complete(call(GenerationParams.DEFAULTS))).kind()).isEqualTo(FailureKind.PROTOCOL_ERROR);
        upstream.enqueue(UpstreamBehavior.garbage());
        ModelBackendContract.Recorder recorder = new ModelBackendContract.Recorder();
        backend.stream(call(GenerationParams.DEFAULTS), recorder);
        recorder.awaitEnd();
        assertThat(recorder.failures).singleElement().extracting(Failure::kind).isEqualTo(FailureKind.PROTOCOL_ERROR);
    }

    @Test
    void aBadKeyAtTheUpstreamMovesOnWithoutRetrying() {
        upstream.enqueue(UpstreamBehavior.status(401, "invalid api key"));
        Failure failure = failure(backend.complete(call(GenerationParams.DEFAULTS)));
        assertThat(failure.kind()).isEqualTo(FailureKind.BACKEND_REJECTED);
        assertThat(failure.kind().retriable()).isFalse();
    }

    @Test
    void probesModelsWhenConfiguredTo() throws Exception {
        ModelBackend probing = factory.create(new BackendSettings("probe", "openai", Map.of("base-url", upstream.baseUrl(), "health-check", "models")));
        assertThat(probing.probeReady().get(5, TimeUnit.SECONDS)).isTrue();
        upstream.close();
        assertThat(probing.probeReady().get(5, TimeUnit.SECONDS)).isFalse();
        probing.close();
    }

    @Test
    void badSettingsAreRefusedWithTheKeyNamed() {
        assertThatThrownBy(() -> factory.create(new BackendSettings("x", "openai", Map.of())))
                .hasMessageContaining("meridian.backends.x.base-url");
        assertThatThrownBy(() -> factory.create(new BackendSettings("x", "openai", Map.of("base-url", "ftp://host"))))
                .hasMessageContaining("http");
        assertThatThrownBy(() -> factory.create(new BackendSettings("x", "openai", Map.of("base-url", "http://h", "total-timeout", "soon"))))
                .hasMessageContaining("meridian.backends.x.total-timeout");
        assertThatThrownBy(() -> factory.create(new BackendSettings("x", "openai",
                Map.of("base-url", "http://h", "first-token-timeout", "10m", "total-timeout", "1m"))))
                .hasMessageContaining("first-token-timeout");
    }

    private static Failure failure(CompletableFuture<?> future) {
        return ModelBackendContract.failureOf(future);
    }
}

package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.RedisServer;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Stream buffers in Redis while Redis is away: the client attached to its stream still gets the whole answer, and
 * resuming or cancelling a stream is a 503 {@code stream_buffer_unavailable} with {@code Retry-After}, never a 500.
 */
class RedisStreamBufferOutageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void withRedisDownResumeAndCancelAre503AndTheAttachedClientIsServed() throws Exception {
        String[] words = new String[40];
        for (int i = 0; i < words.length; i++) {
            words[i] = "w" + i + " ";
        }
        try (RedisServer redis = RedisServer.start(); FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start()) {
            upstream.enqueue(UpstreamBehavior.answer(words).withPieceDelay(Duration.ofMillis(40)));
            try (TestGateway gateway = TestGateway.start(Map.of(
                    "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of("circuit-breaker", Map.of("enabled", false)))),
                    "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")), "retry", TestGateway.fastRetry(1))),
                    "redis", Map.of("url", redis.url(), "command-timeout", "1s"),
                    "streams", Map.of("buffer", "redis", "resume-window", "5s")))) {
                int port = Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1));
                try (RawSse client = ResumableStreamsTest.stream(port, "chat")) {
                    String streamId = client.headers.get("x-meridian-stream-id");
                    assertThat(streamId).startsWith("chatcmpl-");
                    client.next();
                    redis.kill();

                    HttpResponse<String> cancel = gateway.post("/v1/chat/completions/" + streamId + "/cancel", "");
                    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(503);
                    assertThat(JSON.readTree(cancel.body()).at("/error/code").asText()).isEqualTo("stream_buffer_unavailable");
                    assertThat(cancel.headers().firstValue("retry-after")).contains("1");

                    try (RawSse resume = ResumableStreamsTest.resume(port, streamId, "2")) {
                        assertThat(resume.status).isEqualTo(503);
                        JsonNode error = JSON.readTree(resume.body());
                        assertThat(error.at("/error/code").asText()).isEqualTo("stream_buffer_unavailable");
                        assertThat(error.at("/error/message").asText()).as("Redis's own words stay in the log")
                                .contains("Redis did not answer").doesNotContainIgnoringCase("lettuce").doesNotContain("Exception")
                                .doesNotContain("127.0.0.1").doesNotContain("refused");
                    }

                    List<RawSse.Event> rest = client.rest();
                    assertThat(rest.get(rest.size() - 1).data()).as("the attached client is served to the end").isEqualTo("[DONE]");
                }
            }
        }
    }
}

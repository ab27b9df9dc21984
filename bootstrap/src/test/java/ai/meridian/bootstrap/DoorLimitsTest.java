package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Limits are the core's, whatever the door: a key's requests per minute count requests to /v1/responses and
 * /v1/completions alike, each answer carries OpenAI's rate-limit headers, and past the limit both doors answer 429
 * with Retry-After in OpenAI's error shape (a stream before it opens, as an HTTP error), without calling the upstream.
 */
class DoorLimitsTest {
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("ok"));
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m"))))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void requestsPerMinuteCountOnEveryDoorAndAre429sInOpenAisShape() throws Exception {
        String[] key = new Admin(gateway).key("default", "\"limits\":{\"requests_per_minute\":2}");
        String auth = Admin.bearer(key[1]);
        HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"hi\"}", "authorization", auth);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-ratelimit-limit-requests")).contains("2");
        assertThat(response.headers().firstValue("x-ratelimit-remaining-requests")).contains("1");
        HttpResponse<String> completion = gateway.post("/v1/completions", "{\"model\":\"chat\",\"prompt\":\"hi\",\"stream\":true}",
                "authorization", auth);
        assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
        assertThat(completion.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
        int calls = upstream.requests().size();

        for (String[] request : List.of(new String[] {"/v1/responses", "{\"model\":\"chat\",\"input\":\"hi\"}"},
                new String[] {"/v1/responses", "{\"model\":\"chat\",\"input\":\"hi\",\"stream\":true}"},
                new String[] {"/v1/completions", "{\"model\":\"chat\",\"prompt\":\"hi\"}"})) {
            HttpResponse<String> limited = gateway.post(request[0], request[1], "authorization", auth);
            BadInputTest.assertOpenAiError(limited, 429, null, null);
            assertThat(limited.headers().firstValue("retry-after")).isPresent();
            assertThat(limited.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
        }
        assertThat(upstream.requests()).as("refused before any backend").hasSize(calls);
    }
}

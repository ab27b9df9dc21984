package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A drill per way a backend can stall, on a two-tier model whose first tier hangs: before its response head,
 * after its head, and (streams) after two tokens. The spare tier must answer within the first-token timeout
 * (or the read timeout, for a stall after the head) plus a bounded margin, and the hung backend is asked
 * once, never again within the request (a timeout is not retried: that would double the wait). A stream
 * that stalls after its first tokens has already spoken, so it ends with an error event at the read
 * timeout, long before the total timeout.
 */
class StallDrillTest {
    private static final Duration FIRST_TOKEN = Duration.ofSeconds(1);
    private static final Duration READ = Duration.ofSeconds(1);
    private static final Duration MARGIN = Duration.ofMillis(1500);
    private static FakeOpenAiUpstream hung;
    private static FakeOpenAiUpstream spare;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        hung = FakeOpenAiUpstream.start();
        spare = FakeOpenAiUpstream.start();
        spare.byDefault(UpstreamBehavior.answer("from", " the", " spare"));
        Map<String, Object> timeouts = Map.of("first-token-timeout", FIRST_TOKEN.toMillis() + "ms", "read-timeout", READ.toMillis() + "ms",
                "total-timeout", "60s");
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("hung", TestGateway.openAiBackend(hung.baseUrl(), timeouts),
                "spare", TestGateway.openAiBackend(spare.baseUrl(), timeouts)));
        meridian.put("models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("hung", "m")),
                // Two attempts allowed: the drill shows a timeout does not use the second.
                "retry", Map.of("max-attempts", 2, "initial-backoff", "10ms", "max-backoff", "20ms"),
                "fallbacks", List.of(Map.of("routes", List.of(TestGateway.route("spare", "m")))))));
        gateway = TestGateway.start(meridian);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        hung.close();
        spare.close();
    }

    @BeforeEach
    void reset() {
        hung.reset();
        spare.reset();
        spare.byDefault(UpstreamBehavior.answer("from", " the", " spare"));
    }

    private record Timed(HttpResponse<String> response, Duration took) {
    }

    private static Timed chat(boolean stream) {
        long start = System.nanoTime();
        HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", stream));
        return new Timed(response, Duration.ofNanos(System.nanoTime() - start));
    }

    private static void assertServedBySpare(Timed answer, Duration bound, String stall) {
        System.out.printf("DRILL stall %s: spare answered after %d ms%n", stall, answer.took().toMillis());
        assertThat(answer.response().statusCode()).as(stall + ": " + answer.response().body()).isEqualTo(200);
        assertThat(answer.response().body()).as(stall).contains("spare");
        assertThat(answer.response().headers().firstValue("x-meridian-fallback-tier")).as(stall).contains("1");
        assertThat(answer.took()).as(stall + ": the spare tier starts within the timeout plus a bounded margin").isLessThan(bound);
        assertThat(hung.requests()).as(stall + ": the hung backend is asked once, not retried").hasSize(1);
    }

    @Test
    void aWholeAnswerHungBeforeItsHeadFallsBackAfterTheFirstTokenTimeout() {
        hung.enqueue(UpstreamBehavior.silent());
        assertServedBySpare(chat(false), FIRST_TOKEN.plus(MARGIN), "whole, before head");
    }

    @Test
    void aWholeAnswerHungAfterItsHeadFallsBackAfterTheReadTimeout() {
        hung.enqueue(UpstreamBehavior.hangsAfterHead());
        assertServedBySpare(chat(false), READ.plus(MARGIN), "whole, after head");
    }

    @Test
    void aStreamHungBeforeItsHeadFallsBackUnseenAfterTheFirstTokenTimeout() {
        hung.enqueue(UpstreamBehavior.silent());
        Timed answer = chat(true);
        assertServedBySpare(answer, FIRST_TOKEN.plus(MARGIN), "stream, before head");
        assertThat(answer.response().body()).contains("data: [DONE]");
    }

    @Test
    void aStreamHungAfterItsHeadFallsBackUnseenAfterTheFirstTokenTimeout() {
        hung.enqueue(UpstreamBehavior.hangs()); // headers and the role chunk, then nothing
        Timed answer = chat(true);
        assertServedBySpare(answer, FIRST_TOKEN.plus(MARGIN), "stream, after head");
        assertThat(answer.response().body()).contains("data: [DONE]");
    }

    @Test
    void aStreamThatStallsAfterTwoTokensIsContinuedByTheSpareTierAtTheReadTimeout() {
        hung.enqueue(UpstreamBehavior.answer("one", " two", " three").withPauseBeforeLast(Duration.ofDays(1)));
        spare.enqueue(UpstreamBehavior.answer(" and the rest"));
        Timed answer = chat(true);
        System.out.printf("DRILL stall stream, after 2 tokens: continued by the spare tier after %d ms%n", answer.took().toMillis());
        assertThat(answer.response().statusCode()).isEqualTo(200);
        String body = answer.response().body();
        assertThat(body).contains("\"one\"").contains("\" two\"").contains("\" and the rest\"").doesNotContain("three");
        assertThat(body).as("one uninterrupted answer").doesNotContain("\"error\"").contains("[DONE]");
        assertThat(answer.took()).as("the read timeout ends the stalled attempt, not the 60 s total").isLessThan(READ.plus(MARGIN));
        assertThat(spare.requests()).as("the spare tier continues the answer once").hasSize(1);
    }
}

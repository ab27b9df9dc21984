package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.adapter.out.triton.FakeTritonServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One Triton serving two models: a failing model opens its own circuit only, readiness is asked and reported per
 * model, and a short outage of the whole server costs about its own length, not the breaker's open period.
 */
class PerModelResilienceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private FakeTritonServer triton;
    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (triton != null) {
            triton.close();
        }
    }

    private void start(String openCircuitProbeInterval) {
        triton = FakeTritonServer.startServing("trtllm", "llama", "broken");
        Map<String, Object> backend = new LinkedHashMap<>();
        backend.put("type", "triton");
        backend.put("endpoints", List.of(triton.endpoint()));
        backend.put("model", "llama");
        backend.put("convention", "trtllm");
        backend.put("chat-template", "llama3");
        backend.put("circuit-breaker", Map.of("minimum-calls", 2, "sliding-window-size", 2, "wait-in-open", "30s", "half-open-calls", 1));
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("triton", backend),
                "health", Map.of("probe-interval", "1h", "open-circuit-probe-interval", openCircuitProbeInterval),
                "models", List.of(
                        Map.of("id", "trt-llama", "routes", List.of(TestGateway.route("triton", "llama")), "retry", TestGateway.fastRetry(1)),
                        Map.of("id", "broken", "routes", List.of(TestGateway.route("triton", "broken")), "retry", TestGateway.fastRetry(1)))));
    }

    private int ask(String model) {
        return gateway.post("/v1/chat/completions", TestGateway.chatBody(model, false)).statusCode();
    }

    private double circuit(String model) {
        String prefix = "meridian_circuit_state{backend=\"triton\",model=\"" + model + "\"} ";
        return gateway.get("/metrics").body().lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst()
                .orElseThrow(() -> new AssertionError("no circuit gauge for " + model));
    }

    @Test
    void aFailingModelOpensItsOwnCircuitAndItsNeighbourIsServed() {
        start("0s");
        triton.failModel("broken", true);
        for (int i = 0; i < 3; i++) {
            assertThat(ask("broken")).isIn(502, 503);
        }
        assertThat(circuit("broken")).as("open").isEqualTo(1.0);
        long callsBefore = triton.requestsFor("broken");
        assertThat(ask("broken")).as("an open circuit: refused at once").isEqualTo(503);
        for (int i = 0; i < 5; i++) {
            assertThat(ask("trt-llama")).as("the neighbour on the same Triton").isEqualTo(200);
        }
        assertThat(circuit("llama")).as("closed").isEqualTo(0.0);
        assertThat(triton.requestsFor("llama")).isEqualTo(5);
        assertThat(callsBefore).isGreaterThanOrEqualTo(0);
    }

    @Test
    void readinessIsAskedForEveryModelAndAModelNotReadyIsReportedAsSuch() throws Exception {
        start("0s");
        triton.modelReady("broken", false);
        HttpResponse<String> health = gateway.get("/health", "authorization", null);
        assertThat(health.statusCode()).as("a model cannot be served").isEqualTo(503);
        JsonNode body = JSON.readTree(health.body());
        assertThat(body.at("/models/broken").asBoolean()).isFalse();
        assertThat(body.at("/models/trt-llama").asBoolean()).isTrue();
        assertThat(body.at("/backends/triton/models/broken/ready").asBoolean()).isFalse();
        assertThat(body.at("/backends/triton/models/llama/ready").asBoolean()).isTrue();
        assertThat(body.at("/backends/triton/ready").asBoolean()).as("the server and its default model are ready").isTrue();
        assertThat(ask("trt-llama")).isEqualTo(200);

        triton.modelReady("broken", true);
        HttpResponse<String> again = gateway.get("/health", "authorization", null);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    }

    @Test
    void aThreeSecondOutageCostsAboutThreeSecondsNotTheBreakersWait() throws Exception {
        start("200ms");
        assertThat(ask("trt-llama")).isEqualTo(200);
        triton.outage(true);
        long outageStart = System.nanoTime();
        while (System.nanoTime() - outageStart < 3_000_000_000L) {
            assertThat(ask("trt-llama")).isIn(502, 503);
            Thread.sleep(50);
        }
        assertThat(circuit("llama")).as("the outage opened the circuit (30 s wait configured)").isEqualTo(1.0);
        triton.outage(false);
        long outageEnd = System.nanoTime();
        long recovered = -1;
        while (System.nanoTime() - outageEnd < 10_000_000_000L) {
            if (ask("trt-llama") == 200) {
                recovered = System.nanoTime() - outageEnd;
                break;
            }
            Thread.sleep(20);
        }
        assertThat(recovered).as("served again after the outage").isPositive();
        long totalMillis = (System.nanoTime() - outageStart - (System.nanoTime() - outageEnd - recovered)) / 1_000_000;
        System.out.printf("outage 3000 ms: served again %d ms after it ended (%d ms of errors in all)%n", recovered / 1_000_000, totalMillis);
        assertThat(recovered / 1_000_000).as("within about one open-circuit probe interval, not 30 s").isLessThan(2_000);
    }
}

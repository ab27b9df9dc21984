package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.ConversationStoreUnavailableException;
import ai.meridian.application.port.out.TelemetryPort.Scope;
import ai.meridian.application.port.out.TelemetryPort.TraceSpan;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Database calls are visible in traces, slow ones flagged; outages become the client's 503. */
class StoreCallsTest {

    /** Records what is set on spans. */
    private static final class RecordingSpan implements TraceSpan {
        final String name;
        final Map<String, Object> attributes = new ConcurrentHashMap<>();
        final List<RecordingSpan> children = new CopyOnWriteArrayList<>();
        volatile boolean ended;
        volatile String failure;

        RecordingSpan(String name, Map<String, Object> attributes) {
            this.name = name;
            this.attributes.putAll(attributes);
        }

        @Override
        public TraceSpan child(String childName, Map<String, Object> childAttributes) {
            RecordingSpan child = new RecordingSpan(childName, childAttributes);
            children.add(child);
            return child;
        }

        @Override
        public void set(String key, Object value) {
            attributes.put(key, value);
        }

        @Override
        public void event(String eventName, Map<String, Object> eventAttributes) {
        }

        @Override
        public void fail(String message) {
            failure = message;
        }

        @Override
        public void end() {
            ended = true;
        }

        @Override
        public Scope activate() {
            return () -> { };
        }

        @Override
        public String traceparent() {
            return null;
        }

        @Override
        public String traceId() {
            return "";
        }
    }

    @Test
    void eachCallIsAChildSpanWithItsDurationAndSlowOnesAreFlagged() throws Exception {
        RecordingSpan request = new RecordingSpan("chat", Map.of());
        StoreCalls fastThreshold = new StoreCalls(Duration.ofSeconds(10), Duration.ofSeconds(2));
        fastThreshold.traced(request, "conversation.load", Map.of("meridian.conversation.id", "c"), () -> CompletableFuture.completedFuture(1)).get();
        StoreCalls everythingIsSlow = new StoreCalls(Duration.ZERO, Duration.ofSeconds(2));
        everythingIsSlow.traced(request, "conversation.append", Map.of(), () -> CompletableFuture.completedFuture(2)).get();

        assertThat(request.children).extracting(s -> s.name).containsExactly("db conversation.load", "db conversation.append");
        RecordingSpan load = request.children.get(0);
        assertThat(load.ended).isTrue();
        assertThat(load.attributes).containsEntry("db.operation.name", "conversation.load").containsKey("db.duration_ms")
                .containsEntry("meridian.conversation.id", "c").doesNotContainKey("db.slow");
        assertThat(request.children.get(1).attributes).containsEntry("db.slow", true);
    }

    @Test
    void anOutageFailsTheSpanAndBecomesA503WithRetryAfter() {
        RecordingSpan request = new RecordingSpan("chat", Map.of());
        StoreCalls calls = new StoreCalls(Duration.ofSeconds(1), Duration.ofSeconds(3));
        CompletableFuture<Object> failed = calls.traced(request, "conversation.load", Map.of(),
                () -> CompletableFuture.failedFuture(new ConversationStoreUnavailableException("connection refused", null)));
        assertThat(failed).isCompletedExceptionally();
        assertThat(request.children.get(0).failure).contains("connection refused");
        Throwable client = calls.clientError(failed.handle((v, e) -> e).join());
        assertThat(client).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.error().kind()).isEqualTo(ErrorKind.UNAVAILABLE);
            assertThat(e.error().retryAfter()).isEqualTo(Duration.ofSeconds(3));
            assertThat(e.error().message()).doesNotContain("connection refused");
        });
    }
}

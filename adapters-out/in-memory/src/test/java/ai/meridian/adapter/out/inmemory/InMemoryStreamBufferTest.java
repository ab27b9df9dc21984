package ai.meridian.adapter.out.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.StreamBufferPort;
import ai.meridian.application.port.out.StreamBufferPort.Limits;
import ai.meridian.application.port.out.StreamBufferPort.StreamRecording;
import ai.meridian.application.port.out.StreamEvent;
import ai.meridian.application.port.out.StreamKey;
import ai.meridian.domain.chat.Delta;
import ai.meridian.testkit.StreamBufferContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The in-process stream buffer passes the contract, and keeps all streams together within its memory budget. */
class InMemoryStreamBufferTest extends StreamBufferContract {
    private static final InMemoryStreamBuffer BUFFER = new InMemoryStreamBuffer(64L << 20, Duration.ofMillis(50));

    @Override
    protected StreamBufferPort buffer() {
        return BUFFER;
    }

    @Override
    protected Duration expiryGrace() {
        return Duration.ofSeconds(1);
    }

    @AfterAll
    static void close() {
        BUFFER.close();
    }

    @Test
    void allStreamsTogetherStayWithinTheMemoryBudgetFinishedOnesGoingFirst() throws Exception {
        InMemoryStreamBuffer small = new InMemoryStreamBuffer(256 * 1024, Duration.ofMillis(20));
        try {
            Limits limits = new Limits(100_000, Duration.ofMinutes(5), Duration.ofMinutes(10));
            String text = "x".repeat(1000);
            StreamKey finished = key("acme");
            StreamRecording done = small.record(finished, limits);
            done.append(1, start(finished));
            for (int i = 2; i <= 60; i++) {
                done.append(i, new StreamEvent.Piece(Delta.of(text)));
            }
            done.close();
            StreamKey live = key("acme");
            StreamRecording running = small.record(live, limits);
            running.append(1, start(live));
            for (int i = 2; i <= 400; i++) {
                running.append(i, new StreamEvent.Piece(Delta.of(text)));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (small.usedBytes() > 256 * 1024 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(small.usedBytes()).as("within the budget").isLessThanOrEqualTo(256 * 1024);
            Heard gone = new Heard();
            small.follow(finished, 0, gone);
            assertThat(gone.end()).as("the finished stream went first").isEqualTo("missing");
            Heard kept = new Heard();
            small.follow(live, 399, kept);
            Thread.sleep(50);
            assertThat(kept.numbers()).as("the live stream keeps its start and newest events").containsExactly(1L, 400L);
        } finally {
            small.close();
        }
    }
}

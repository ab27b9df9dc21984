package ai.meridian.adapter.out.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.StreamBufferPort;
import ai.meridian.application.port.out.StreamBufferPort.StreamRecording;
import ai.meridian.application.port.out.StreamEvent;
import ai.meridian.application.port.out.StreamKey;
import ai.meridian.domain.chat.Delta;
import ai.meridian.testkit.RedisServer;
import ai.meridian.testkit.StreamBufferContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis Streams buffer passes the contract on a real redis-server, and a stream recorded through one replica is followed through another. */
class RedisStreamBufferTest extends StreamBufferContract {
    private static RedisServer redis;
    private static RedisConnection connection;
    private static RedisConnection otherConnection;
    private static RedisStreamBuffer buffer;
    private static RedisStreamBuffer otherReplica;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        // The gateway's default command timeout (meridian.redis.command-timeout, 1 s), doubled for a busy build host.
        RedisSettings settings = new RedisSettings(redis.url(), java.util.List.of(), "meridian:", Duration.ofSeconds(2), Duration.ofSeconds(2));
        connection = RedisConnection.open(settings);
        otherConnection = RedisConnection.open(settings);
        connection.ping().get(10, java.util.concurrent.TimeUnit.SECONDS);
        otherConnection.ping().get(10, java.util.concurrent.TimeUnit.SECONDS);
        buffer = new RedisStreamBuffer(connection);
        otherReplica = new RedisStreamBuffer(otherConnection);
    }

    @AfterAll
    static void stop() throws Exception {
        if (buffer != null) {
            buffer.close();
            otherReplica.close();
            connection.close();
            otherConnection.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected StreamBufferPort buffer() {
        return buffer;
    }

    @Override
    protected Duration expiryGrace() {
        return RedisStreamBuffer.LEASE.plusSeconds(2);
    }

    @Test
    void aStreamRecordedOnOneReplicaIsFollowedLiveOnAnotherAndStoppedFromThere() throws Exception {
        StreamKey key = key("acme");
        StreamRecording recording = buffer.record(key, ROOMY);
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        recording.onStopRequested(stopped::countDown);
        recording.append(1, start(key));
        recording.append(2, new StreamEvent.Piece(Delta.of("one")));
        connection.ping().get(10, java.util.concurrent.TimeUnit.SECONDS); // the writes landed: another connection may read them
        Heard heard = new Heard();
        otherReplica.follow(key, 1, heard);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (heard.numbers().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        recording.append(3, new StreamEvent.Piece(Delta.of("two")));
        while (heard.numbers().size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(heard.numbers()).containsExactly(1L, 2L, 3L);
        assertThat(recording.readersPresent().get()).as("a reader on the other replica counts").isTrue();
        assertThat(otherReplica.requestStop(key).get()).isTrue();
        assertThat(stopped.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void followersElsewhereAreToldWhenTheReplicaRecordingAStreamDiesBeforeItsEnd() throws Exception {
        RedisConnection doomedConnection = RedisConnection.open(new RedisSettings(redis.url(), java.util.List.of(), "meridian:",
                Duration.ofSeconds(2), Duration.ofSeconds(2)));
        doomedConnection.ping().get(10, java.util.concurrent.TimeUnit.SECONDS);
        RedisStreamBuffer doomed = new RedisStreamBuffer(doomedConnection);
        StreamKey key = key("acme");
        StreamRecording recording = doomed.record(key, ROOMY);
        recording.append(1, start(key));
        recording.append(2, new StreamEvent.Piece(Delta.of("one")));
        doomedConnection.ping().get(10, java.util.concurrent.TimeUnit.SECONDS); // after the writes on its connection
        Heard early = new Heard();
        otherReplica.follow(key, 1, early);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (early.numbers().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        recording.append(3, new StreamEvent.Piece(Delta.of("two")));
        Thread.sleep(RedisStreamBuffer.REPLICA_TTL.toMillis() + 3_000); // quiet past the point where followers start asking
        assertThat(early.isOver() ? early.end() : "following").as("a live writer keeps its followers").isEqualTo("following");

        // The replica dies without ending the stream: no close of the recording, its heartbeat stops.
        doomed.close();
        doomedConnection.close();
        long died = System.nanoTime();
        assertThat(early.end()).isEqualTo("abandoned");
        assertThat(early.numbers()).as("everything recorded was delivered first").containsExactly(1L, 2L, 3L);
        Heard late = new Heard();
        otherReplica.follow(key, 1, late);
        assertThat(late.end()).as("a follower that comes later").isEqualTo("abandoned");
        assertThat(late.numbers()).containsExactly(1L, 2L, 3L);
        assertThat(Duration.ofNanos(System.nanoTime() - died)).isLessThan(Duration.ofSeconds(9));

        StreamKey ended = key("acme");
        StreamRecording finished = buffer.record(ended, ROOMY);
        finished.append(1, start(ended));
        finished.append(2, new StreamEvent.End(new ai.meridian.application.port.in.StreamEnd(java.util.List.of(ai.meridian.domain.chat.FinishReason.STOP), new ai.meridian.domain.chat.TokenUsage(5, 8))));
        finished.close();
        connection.ping().get(10, java.util.concurrent.TimeUnit.SECONDS);
        Heard after = new Heard();
        otherReplica.follow(ended, 1, after);
        assertThat(after.end()).as("an ended stream ends with its last event").isEqualTo("last");
    }
}

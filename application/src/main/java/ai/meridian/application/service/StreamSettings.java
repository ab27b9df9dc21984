package ai.meridian.application.service;

import ai.meridian.application.port.out.StreamBufferPort;
import java.time.Duration;
import java.util.Objects;

/**
 * How streamed answers outlive their client. {@code resumeWindow}: how long an answer goes on after its client left
 * (and how long a finished stream's events are kept) so that the client can resume it; zero turns resuming off, and a
 * client that leaves then cancels the upstream call at once. {@code maxEvents}: events kept per stream (its start and
 * the newest after it). {@code maxLifetime}: the longest a stream's buffer is kept at all.
 */
public record StreamSettings(Duration resumeWindow, int maxEvents, Duration maxLifetime) {

    public static final StreamSettings OFF = new StreamSettings(Duration.ZERO, 4096, Duration.ofMinutes(30));

    public StreamSettings {
        Objects.requireNonNull(resumeWindow, "resumeWindow");
        if (resumeWindow.isNegative()) {
            throw new IllegalArgumentException("meridian.streams.resume-window must not be negative");
        }
        if (maxEvents < 2) {
            throw new IllegalArgumentException("meridian.streams.max-events must be at least 2");
        }
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        if (maxLifetime.compareTo(resumeWindow) < 0) {
            throw new IllegalArgumentException("meridian.streams.max-lifetime must not be shorter than the resume window");
        }
    }

    public boolean resumable() {
        return !resumeWindow.isZero();
    }

    StreamBufferPort.Limits limits() {
        return new StreamBufferPort.Limits(maxEvents, resumeWindow, maxLifetime);
    }

    /** How often a stream whose client left checks whether someone follows it again: a tenth of the window, 50 ms to 1 s. */
    Duration awayCheck() {
        long tenth = resumeWindow.toMillis() / 10;
        return Duration.ofMillis(Math.max(50, Math.min(1000, tenth)));
    }
}

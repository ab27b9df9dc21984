package ai.meridian.application.port.in;

import java.util.Objects;

/** Sent once, before the first delta of a stream: what every chunk carries and who is serving. */
public record StreamStart(String id, long created, String model, ServedBy servedBy) {

    public StreamStart {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(servedBy, "servedBy");
    }
}

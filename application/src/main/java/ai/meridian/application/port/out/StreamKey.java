package ai.meridian.application.port.out;

/**
 * A stream as its buffer knows it: the tenant it belongs to and its id (the answer's completion id). Another tenant's
 * key never finds it.
 */
public record StreamKey(String tenant, String streamId) {

    public StreamKey {
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("a stream belongs to a tenant");
        }
        if (streamId == null || streamId.isBlank() || streamId.length() > 128) {
            throw new IllegalArgumentException("a stream id is 1 to 128 characters");
        }
    }
}

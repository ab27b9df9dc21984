package ai.meridian.adapter.out.triton;

/** Triton answered something this adapter cannot read (a malformed tensor, a missing output). */
final class TritonProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TritonProtocolException(String message) {
        super(message, null, false, false);
    }
}

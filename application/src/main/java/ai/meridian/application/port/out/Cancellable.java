package ai.meridian.application.port.out;

/** Something under way that can be called off; calling off twice is harmless. */
@FunctionalInterface
public interface Cancellable {
    void cancel();
}

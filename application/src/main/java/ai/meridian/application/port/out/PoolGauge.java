package ai.meridian.application.port.out;

/**
 * How loaded one of the replica's pools is (database connections, ingestion workers, embedding threads),
 * for readiness: an orchestrator should stop sending traffic to a replica whose essential pool is
 * saturated, instead of letting requests queue there until they time out.
 */
public interface PoolGauge {

    /** The pool's name in the readiness answer, e.g. {@code database}. */
    String name();

    Load load();

    /** Whether most requests need this pool, so that its saturation makes the replica not ready. */
    boolean essential();

    /**
     * {@code busy} of {@code size} workers (or connections) in use, {@code waiting} units of work queued for
     * one; {@code saturated} when new work waits or is refused.
     */
    record Load(int busy, int size, int waiting, boolean saturated) {
        public Load {
            if (busy < 0 || size < 0 || waiting < 0) {
                throw new IllegalArgumentException("a pool's load cannot be negative");
            }
        }
    }
}

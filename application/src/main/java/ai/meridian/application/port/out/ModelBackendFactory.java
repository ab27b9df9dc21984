package ai.meridian.application.port.out;

/**
 * Makes backends of one technology from configuration. A new kind of backend is a new adapter module
 * with one of these, selected by {@code type} in configuration; the core does not change.
 */
public interface ModelBackendFactory {

    /** The {@code type} value in configuration this factory serves, e.g. {@code openai}. */
    String type();

    /** Creates the backend, or throws {@link IllegalArgumentException} naming the bad setting. */
    ModelBackend create(BackendSettings settings);
}

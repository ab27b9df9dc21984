package ai.meridian.adapter.out.extractive;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.ModelBackendFactory;

/** Makes {@code type: extractive} backends. */
public final class ExtractiveBackendFactory implements ModelBackendFactory {
    public static final String TYPE = "extractive";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ModelBackend create(BackendSettings settings) {
        try {
            return new ExtractiveAnswerer(settings.id(), ExtractiveSettings.from(settings));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("meridian.backends." + settings.id() + ": " + e.getMessage(), e);
        }
    }
}

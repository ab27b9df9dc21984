package ai.meridian.application.port.in;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A client wants to know which models it can ask for. */
public interface ListModelsUseCase {

    List<ModelInfo> listModels();

    Optional<ModelInfo> findModel(String name);

    /**
     * A name a client may use as {@code model}: a model's id or one of its aliases, and what it can do through its
     * routes ({@code capabilities}: capability names to true/false, {@code context_window} and
     * {@code max_output_tokens} when known; empty when nothing is known).
     */
    record ModelInfo(String id, String ownedBy, long created, String aliasOf, Map<String, Object> capabilities) {
        public ModelInfo {
            capabilities = capabilities == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(capabilities));
        }

        public ModelInfo(String id, String ownedBy, long created, String aliasOf) {
            this(id, ownedBy, created, aliasOf, Map.of());
        }
    }
}

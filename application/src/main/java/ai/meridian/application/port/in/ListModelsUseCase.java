package ai.meridian.application.port.in;

import java.util.List;
import java.util.Optional;

/** A client wants to know which models it can ask for. */
public interface ListModelsUseCase {

    List<ModelInfo> listModels();

    Optional<ModelInfo> findModel(String name);

    /** A name a client may use as {@code model}: a model's id or one of its aliases. */
    record ModelInfo(String id, String ownedBy, long created, String aliasOf) {
    }
}

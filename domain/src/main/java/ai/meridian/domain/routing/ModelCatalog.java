package ai.meridian.domain.routing;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The public models by id and alias. An alias may not shadow another model's id or alias. */
public final class ModelCatalog {
    private final Map<String, ModelDefinition> byId = new LinkedHashMap<>();
    private final Map<String, ModelDefinition> byName = new LinkedHashMap<>();

    public ModelCatalog(List<ModelDefinition> models) {
        for (ModelDefinition model : models) {
            if (byId.putIfAbsent(model.id(), model) != null) {
                throw new IllegalArgumentException("model declared twice: " + model.id());
            }
        }
        for (ModelDefinition model : models) {
            register(model.id(), model);
            for (String alias : model.aliases()) {
                register(alias, model);
            }
        }
    }

    private void register(String name, ModelDefinition model) {
        ModelDefinition previous = byName.putIfAbsent(name, model);
        if (previous != null && previous != model) {
            throw new IllegalArgumentException("name " + name + " is used by both " + previous.id() + " and " + model.id());
        }
    }

    public Optional<ModelDefinition> resolve(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<ModelDefinition> models() {
        return Collections.unmodifiableCollection(byId.values());
    }

    /** Every name a client may use: ids and aliases. */
    public Collection<String> names() {
        return Collections.unmodifiableCollection(byName.keySet());
    }
}

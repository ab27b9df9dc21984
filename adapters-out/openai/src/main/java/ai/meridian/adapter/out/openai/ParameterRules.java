package ai.meridian.adapter.out.openai;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.domain.routing.ModelCapabilities.ParameterSupport;
import ai.meridian.support.json.RawJson;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an operator allows of the pass-through fields for one backend ({@code meridian.backends.<id>.parameters}):
 * {@code deny} refuses requests that carry a field (routing skips the backend, or the client gets a 400 naming
 * it), {@code drop} removes it, {@code rename} sends it under another name, {@code set} sends a fixed value
 * (JSON text) whatever the client said. Everything else is forwarded as the client wrote it.
 */
record ParameterRules(Set<String> deny, Set<String> drop, Map<String, String> rename, Map<String, String> set) {
    static final ParameterRules NONE = new ParameterRules(Set.of(), Set.of(), Map.of(), Map.of());

    ParameterRules {
        deny = Set.copyOf(deny);
        drop = Set.copyOf(drop);
        rename = Map.copyOf(rename);
        set = Collections.unmodifiableMap(new LinkedHashMap<>(set));
    }

    static ParameterRules from(BackendSettings s) {
        Map<String, String> set = new LinkedHashMap<>(s.under("parameters.set"));
        set.forEach((name, json) -> {
            try {
                RawJson.objectMembers("{\"v\":" + json + "}");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("meridian.backends." + s.id() + ".parameters.set." + name
                        + " must be a JSON value (quote strings: '\"value\"'): " + json);
            }
        });
        return new ParameterRules(Set.copyOf(s.list("parameters.deny")), Set.copyOf(s.list("parameters.drop")),
                s.under("parameters.rename"), set);
    }

    /** The fields to send, after the rules. */
    Map<String, String> apply(Map<String, String> fields) {
        if (drop.isEmpty() && rename.isEmpty() && set.isEmpty()) {
            return fields;
        }
        Map<String, String> sent = new LinkedHashMap<>(fields.size() + set.size());
        for (Map.Entry<String, String> field : fields.entrySet()) {
            if (!drop.contains(field.getKey())) {
                sent.put(rename.getOrDefault(field.getKey(), field.getKey()), field.getValue());
            }
        }
        sent.putAll(set);
        return sent;
    }

    ParameterSupport support() {
        return deny.isEmpty() ? ParameterSupport.ANY : ParameterSupport.anyBut(List.copyOf(deny));
    }
}

package ai.meridian.adapter.out.openai;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.SettingsMap;
import ai.meridian.domain.routing.Capability;
import ai.meridian.domain.routing.ModelCapabilities;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What configuration says about the upstream's models ({@code meridian.backends.<id>.models}, a list because
 * model ids hold dots and slashes): per {@code name}, the capabilities it has ({@code capabilities}) and lacks
 * ({@code unsupported}), its {@code context-window} and {@code max-output-tokens}. Declarations win over what
 * the upstream's model list says.
 */
final class ModelDeclarations {
    private static final Set<String> KEYS = Set.of("name", "capabilities", "unsupported", "context-window", "max-output-tokens");

    private ModelDeclarations() {
    }

    static Map<String, ModelCapabilities> from(BackendSettings s) {
        Map<String, ModelCapabilities> declared = new LinkedHashMap<>();
        for (SettingsMap entry : s.entries("models")) {
            for (String key : entry.properties().keySet()) {
                String base = key.replaceAll("\\[\\d+]$", "");
                if (!KEYS.contains(base)) {
                    throw new IllegalArgumentException(entry.key(key) + " is not a key of a model entry; known: " + new TreeSet<>(KEYS));
                }
            }
            String name = entry.required("name");
            EnumSet<Capability> yes = capabilities(entry, "capabilities");
            EnumSet<Capability> no = capabilities(entry, "unsupported");
            EnumSet<Capability> both = EnumSet.copyOf(yes);
            both.retainAll(no);
            if (!both.isEmpty()) {
                throw new IllegalArgumentException(entry.path() + " lists " + names(both) + " both as capabilities and as unsupported");
            }
            int window = entry.integer("context-window", 0);
            int output = entry.integer("max-output-tokens", 0);
            if (window < 0 || output < 0) {
                throw new IllegalArgumentException(entry.path() + ": context-window and max-output-tokens must not be negative");
            }
            if (window > 0 && output > window) {
                throw new IllegalArgumentException(entry.key("max-output-tokens") + " (" + output + ") must not exceed context-window (" + window + ")");
            }
            if (declared.put(name, new ModelCapabilities(yes, no, window, output, ModelCapabilities.ParameterSupport.ANY)) != null) {
                throw new IllegalArgumentException(entry.key("name") + " '" + name + "' is listed twice");
            }
        }
        return declared;
    }

    private static EnumSet<Capability> capabilities(SettingsMap entry, String key) {
        EnumSet<Capability> found = EnumSet.noneOf(Capability.class);
        for (String name : entry.list(key)) {
            found.add(Capability.fromConfig(name).orElseThrow(() -> new IllegalArgumentException(entry.key(key) + ": unknown capability '"
                    + name + "'; known: " + Arrays.stream(Capability.values()).map(Capability::configName).collect(Collectors.joining(", ")))));
        }
        return found;
    }

    private static String names(Set<Capability> capabilities) {
        return capabilities.stream().map(Capability::configName).collect(Collectors.joining(", "));
    }
}

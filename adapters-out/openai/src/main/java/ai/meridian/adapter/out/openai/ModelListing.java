package ai.meridian.adapter.out.openai;

import ai.meridian.domain.routing.Capability;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An upstream's {@code GET /models} answer read for what it says about each model. OpenAI-compatible servers
 * list ids; some say more, and that is used where it is documented:
 * <ul>
 * <li>vLLM: {@code max_model_len}, the context window it serves the model with;</li>
 * <li>OpenRouter: {@code context_length}; {@code top_provider.max_completion_tokens}; {@code architecture.input_modalities}
 *     ({@code image}, {@code audio}, {@code file}: vision, audio and file input, the ones not listed are unsupported);
 *     {@code supported_parameters} ({@code tools}, {@code response_format}, {@code structured_outputs},
 *     {@code logprobs}, {@code reasoning}: what is not listed no provider of the model supports).</li>
 * </ul>
 * Ollama's and LM Studio's OpenAI endpoints and the DeepSeek API list ids and owners only: their models' abilities
 * come from configuration.
 */
final class ModelListing {

    /** One listed model: its id and what the listing says it can do ({@link ModelCapabilities#UNKNOWN} when nothing). */
    record Listed(String id, ModelCapabilities capabilities) {
    }

    private static final Map<String, Capability> MODALITIES = Map.of("image", Capability.VISION, "audio", Capability.AUDIO,
            "file", Capability.FILES);
    private static final Map<String, Capability> PARAMETERS = Map.of("tools", Capability.TOOLS, "response_format", Capability.JSON_OBJECT,
            "structured_outputs", Capability.JSON_SCHEMA, "logprobs", Capability.LOGPROBS, "reasoning", Capability.REASONING);

    private ModelListing() {
    }

    /** The models of a listing; throws {@link IOException} when it is not an object with a {@code data} array. */
    static List<Listed> parse(byte[] body, int length) throws IOException {
        List<Listed> models = new ArrayList<>();
        boolean sawData = false;
        try (JsonParser p = RawJson.FACTORY.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the model list is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!field.equals("data") || value != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                sawData = true;
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    Map<String, String> model = RawJson.readObject(p);
                    String id = model.containsKey("id") ? RawJson.stringValue(model.get("id")) : null;
                    if (id != null && !id.isBlank()) {
                        models.add(new Listed(id, capabilitiesOf(model)));
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("the model list is not valid JSON: " + e.getMessage(), e);
        }
        if (!sawData) {
            throw new IOException("the model list has no 'data' array");
        }
        return models;
    }

    static ModelCapabilities capabilitiesOf(Map<String, String> model) {
        EnumSet<Capability> yes = EnumSet.noneOf(Capability.class);
        EnumSet<Capability> no = EnumSet.noneOf(Capability.class);
        int window = positive(model.get("max_model_len"));
        if (window == 0) {
            window = positive(model.get("context_length"));
        }
        int output = 0;
        String topProvider = model.get("top_provider");
        if (topProvider != null && RawJson.isObject(topProvider)) {
            output = positive(RawJson.objectMembers(topProvider).get("max_completion_tokens"));
        }
        String architecture = model.get("architecture");
        if (architecture != null && RawJson.isObject(architecture)) {
            List<String> modalities = strings(RawJson.objectMembers(architecture).get("input_modalities"));
            if (modalities != null) {
                MODALITIES.forEach((name, capability) -> (modalities.contains(name) ? yes : no).add(capability));
            }
        }
        List<String> parameters = strings(model.get("supported_parameters"));
        if (parameters != null) {
            PARAMETERS.forEach((name, capability) -> (parameters.contains(name) ? yes : no).add(capability));
        }
        if (yes.isEmpty() && no.isEmpty() && window == 0 && output == 0) {
            return ModelCapabilities.UNKNOWN;
        }
        if (window > 0 && output > window) {
            output = 0; // contradictory: trust the window
        }
        return new ModelCapabilities(yes, no, window, output, ModelCapabilities.ParameterSupport.ANY);
    }

    private static int positive(String json) {
        if (json == null) {
            return 0;
        }
        Long value = RawJson.longValue(json);
        return value == null || value <= 0 ? 0 : (int) Math.min(value, Integer.MAX_VALUE);
    }

    /** A JSON array of strings, or null when {@code json} is not one. */
    private static List<String> strings(String json) {
        if (json == null || !json.stripLeading().startsWith("[")) {
            return null;
        }
        Map<String, String> wrapped = RawJson.objectMembers("{\"a\":" + json + "}");
        List<String> items = new ArrayList<>();
        try (JsonParser p = RawJson.FACTORY.createParser(wrapped.get("a"))) {
            p.nextToken();
            while (p.nextToken() == JsonToken.VALUE_STRING) {
                items.add(p.getText());
            }
        } catch (IOException e) {
            return null;
        }
        return items;
    }

    /** For callers that want the listing's ids in order. */
    static Map<String, ModelCapabilities> byId(List<Listed> listed) {
        Map<String, ModelCapabilities> byId = new LinkedHashMap<>();
        listed.forEach(l -> byId.putIfAbsent(l.id(), l.capabilities()));
        return byId;
    }
}

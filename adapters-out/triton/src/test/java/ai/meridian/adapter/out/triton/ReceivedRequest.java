package ai.meridian.adapter.out.triton;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An inference request as the fake Triton decoded it, independently of the adapter's own codec:
 * each input's datatype, shape and values (strings, booleans, longs or doubles).
 */
record ReceivedRequest(String rpc, String model, String id, Map<String, Boolean> boolParameters,
                       Map<String, Input> inputs, List<String> requestedOutputs, String traceparent) {

    record Input(String datatype, List<Long> shape, List<Object> values) {
    }

    String text(String name) {
        return (String) single(name);
    }

    List<Object> values(String name) {
        Input input = inputs.get(name);
        if (input == null) {
            throw new AssertionError("no input " + name + " among " + inputs.keySet());
        }
        return input.values();
    }

    Object single(String name) {
        List<Object> values = values(name);
        if (values.size() != 1) {
            throw new AssertionError(name + " has " + values.size() + " values");
        }
        return values.get(0);
    }

    boolean flag(String name) {
        return inputs.containsKey(name) && (Boolean) single(name);
    }

    /**
     * The vLLM {@code sampling_parameters} JSON, read flat: numbers, strings, booleans and lists of strings; a nested
     * object (guided decoding) as its compact JSON text.
     */
    Map<String, Object> samplingParameters() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(text("sampling_parameters"))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new AssertionError("sampling_parameters is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken token = p.nextToken();
                if (token == JsonToken.START_OBJECT) {
                    parameters.put(name, ai.meridian.support.json.RawJson.read(p));
                } else if (token == JsonToken.START_ARRAY) {
                    List<String> items = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        items.add(p.getText());
                    }
                    parameters.put(name, items);
                } else if (token == JsonToken.VALUE_NUMBER_INT) {
                    parameters.put(name, p.getLongValue());
                } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
                    parameters.put(name, p.getDoubleValue());
                } else if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
                    parameters.put(name, p.getBooleanValue());
                } else {
                    parameters.put(name, p.getText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parameters;
    }
}

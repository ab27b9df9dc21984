package ai.meridian.adapter.out.triton;

import ai.meridian.adapter.out.triton.proto.ModelMetadataResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What a Triton model takes and returns, from its {@code ModelMetadata}. */
record ModelSignature(String model, Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs) {

    ModelSignature {
        inputs = Map.copyOf(inputs);
        outputs = Map.copyOf(outputs);
    }

    static ModelSignature of(String model, ModelMetadataResponse metadata) {
        Map<String, TensorSpec> inputs = new LinkedHashMap<>();
        metadata.getInputsList().forEach(t -> inputs.put(t.getName(), new TensorSpec(t.getName(), t.getDatatype(), t.getShapeList())));
        Map<String, TensorSpec> outputs = new LinkedHashMap<>();
        metadata.getOutputsList().forEach(t -> outputs.put(t.getName(), new TensorSpec(t.getName(), t.getDatatype(), t.getShapeList())));
        return new ModelSignature(model, inputs, outputs);
    }

    Optional<TensorSpec> input(String name) {
        return Optional.ofNullable(inputs.get(name));
    }

    boolean hasOutput(String name) {
        return outputs.containsKey(name);
    }
}

package ai.meridian.adapter.out.triton;

import ai.meridian.adapter.out.triton.proto.ModelInferRequest;
import ai.meridian.adapter.out.triton.proto.ModelInferRequest.InferInputTensor;
import com.google.protobuf.ByteString;
import java.util.List;

/**
 * Adds input tensors to a request in the raw form (all inputs raw, as KServe v2 requires when any is),
 * shaped and typed as the model's metadata says. Inputs the model does not have are left out.
 */
final class RequestInputs {
    private final ModelInferRequest.Builder request;
    private final ModelSignature signature;

    RequestInputs(ModelInferRequest.Builder request, ModelSignature signature) {
        this.request = request;
        this.signature = signature;
    }

    ModelSignature signature() {
        return signature;
    }

    void text(String name, String value) {
        signature.input(name).ifPresent(spec -> add(spec, 1, TensorCodec.encodeBytes(List.of(value))));
    }

    void texts(String name, List<String> values) {
        if (!values.isEmpty()) {
            signature.input(name).ifPresent(spec -> add(spec, values.size(), TensorCodec.encodeBytes(values)));
        }
    }

    void flag(String name, boolean value) {
        signature.input(name).ifPresent(spec -> add(spec, 1, TensorCodec.encodeFlag(value)));
    }

    void integer(String name, Number value) {
        if (value != null) {
            signature.input(name).ifPresent(spec -> add(spec, 1, TensorCodec.encodeInteger(spec.datatype(), value.longValue())));
        }
    }

    void real(String name, Double value) {
        if (value != null) {
            signature.input(name).ifPresent(spec -> add(spec, 1, TensorCodec.encodeReal(spec.datatype(), value)));
        }
    }

    private void add(TensorSpec spec, int elements, ByteString raw) {
        InferInputTensor.Builder tensor = request.addInputsBuilder().setName(spec.name()).setDatatype(spec.datatype());
        for (long dim : spec.shapeFor(elements)) {
            tensor.addShape(dim);
        }
        request.addRawInputContents(raw);
    }
}

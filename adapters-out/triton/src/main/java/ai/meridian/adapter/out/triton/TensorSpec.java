package ai.meridian.adapter.out.triton;

import java.util.List;
import java.util.Objects;

/** A model input or output as Triton describes it: name, datatype and shape (-1 for a variable size). */
record TensorSpec(String name, String datatype, List<Long> shape) {

    TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(datatype, "datatype");
        shape = List.copyOf(shape);
    }

    /**
     * The shape of one request's tensor with {@code elements} values: every variable dimension (the
     * batch dimension of a batching model among them) is 1, except that the last one holds a list.
     * So an ensemble's {@code [-1, 1]} gives {@code [1, 1]}, vLLM's {@code [1]} stays {@code [1]}, and
     * {@code stop_words [-1, -1]} with three words gives {@code [1, 3]}.
     */
    long[] shapeFor(int elements) {
        if (shape.isEmpty()) {
            return new long[] {elements};
        }
        long[] resolved = new long[shape.size()];
        for (int i = 0; i < resolved.length; i++) {
            resolved[i] = shape.get(i) < 0 ? 1 : shape.get(i);
        }
        if (elements != 1 && shape.get(shape.size() - 1) < 0) {
            resolved[resolved.length - 1] = elements;
        }
        return resolved;
    }

    /** Whether the model takes a list here (its last dimension is variable). */
    boolean takesList() {
        return !shape.isEmpty() && shape.get(shape.size() - 1) < 0;
    }
}

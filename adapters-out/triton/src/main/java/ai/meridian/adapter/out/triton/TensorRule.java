package ai.meridian.adapter.out.triton;

import java.util.Set;

/** A tensor a convention sends or reads: its name, the kind of value, and whether the model must have it. */
record TensorRule(String name, Kind kind, boolean required) {

    /** The kind of value, and the Triton datatypes that can carry it. */
    enum Kind {
        TEXT(Set.of(TensorCodec.BYTES), "BYTES"),
        FLAG(Set.of(TensorCodec.BOOL), "BOOL"),
        INTEGER(TensorCodec.INTEGER_TYPES.keySet(), "an integer type"),
        REAL(TensorCodec.REAL_TYPES, "FP32 or FP64");

        private final Set<String> datatypes;
        private final String description;

        Kind(Set<String> datatypes, String description) {
            this.datatypes = datatypes;
            this.description = description;
        }

        boolean accepts(String datatype) {
            return datatypes.contains(datatype);
        }

        String description() {
            return description;
        }
    }

    static TensorRule required(String name, Kind kind) {
        return new TensorRule(name, kind, true);
    }

    static TensorRule optional(String name, Kind kind) {
        return new TensorRule(name, kind, false);
    }
}

package ai.meridian.adapter.out.triton;

/** Which RPC carries a whole (non-streamed) answer. */
enum CompleteRpc {
    /** {@code ModelStreamInfer} with {@code stream=false}: works for decoupled models, which LLMs on Triton usually are. */
    STREAM,
    /** {@code ModelInfer}: one round trip, only for models that are not decoupled. */
    UNARY
}

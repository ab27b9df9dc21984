package ai.meridian.adapter.out.triton;

/** The backend contract against a TensorRT-LLM ensemble (batching, one tensor per control, empty final response). */
class TrtLlmBackendContractTest extends TritonBackendContractTest {
    @Override
    Convention convention() {
        return Convention.TRTLLM;
    }
}

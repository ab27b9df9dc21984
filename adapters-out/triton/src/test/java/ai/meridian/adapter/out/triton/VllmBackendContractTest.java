package ai.meridian.adapter.out.triton;

/** The backend contract against a vLLM-backend model (no batch dimension, JSON sampling parameters, token counts). */
class VllmBackendContractTest extends TritonBackendContractTest {
    @Override
    Convention convention() {
        return Convention.VLLM;
    }
}

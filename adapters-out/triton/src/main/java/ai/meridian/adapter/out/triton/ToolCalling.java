package ai.meridian.adapter.out.triton;

import java.util.Locale;

/** How a Triton model's chat template offers tools and how its output carries calls. */
enum ToolCalling {
    /** The model's template cannot do tools: requests with tools are not sent to it. */
    NONE("none"),
    /**
     * The Hermes/Qwen convention (Qwen2.5, Hermes 2 Pro/3, the format vLLM's {@code hermes} parser reads): tool
     * signatures in a {@code <tools>} system section, calls written as {@code <tool_call>{json}</tool_call>},
     * results as {@code <tool_response>} turns. Needs the {@code chatml} template.
     */
    HERMES("hermes");

    private final String configName;

    ToolCalling(String configName) {
        this.configName = configName;
    }

    String configName() {
        return configName;
    }

    static ToolCalling named(String name) {
        for (ToolCalling t : values()) {
            if (t.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown tool calling '" + name + "'");
    }
}

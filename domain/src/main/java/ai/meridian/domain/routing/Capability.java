package ai.meridian.domain.routing;

import java.util.Locale;
import java.util.Optional;

/** Something a request may need from the model that serves it. */
public enum Capability {
    /** Calling the request's tools. */
    TOOLS,
    /** Image content parts. */
    VISION,
    /** Audio content parts. */
    AUDIO,
    /** File content parts. */
    FILES,
    /** Reasoning output (thinking). */
    REASONING,
    /** {@code response_format: json_object}. */
    JSON_OBJECT,
    /** {@code response_format: json_schema}. */
    JSON_SCHEMA,
    /** Token log probabilities. */
    LOGPROBS,
    /** More than one choice per request ({@code n > 1}). */
    MULTIPLE_CHOICES,
    /**
     * Continuing raw text prompts, no chat template (the legacy Completions API). A mode the backend must implement,
     * so unlike the others it is never assumed: a route serves it only when its backend says it does.
     */
    TEXT_COMPLETION;

    /** True for what a backend must say it does before a request needing it is sent there (unknown counts as no). */
    public boolean mustBeDeclared() {
        return this == TEXT_COMPLETION;
    }

    /** The name used in configuration and in {@code GET /v1/models}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Capability> fromConfig(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String normal = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Capability c : values()) {
            if (c.name().equals(normal)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** What the request asks for, in a client's words, for error messages. */
    public String describe() {
        switch (this) {
            case TOOLS:
                return "tool calling ('tools')";
            case VISION:
                return "image input ('image_url' content parts)";
            case AUDIO:
                return "audio input ('input_audio' content parts)";
            case FILES:
                return "file input ('file' content parts)";
            case REASONING:
                return "reasoning output";
            case JSON_OBJECT:
                return "JSON mode ('response_format' json_object)";
            case JSON_SCHEMA:
                return "structured output ('response_format' json_schema)";
            case LOGPROBS:
                return "log probabilities ('logprobs')";
            case MULTIPLE_CHOICES:
                return "several choices ('n' > 1, or several prompts)";
            case TEXT_COMPLETION:
                return "raw text prompts ('prompt' of the Completions API)";
            default:
                return configName();
        }
    }

    /** The request field a client changes to do without it. */
    public String param() {
        switch (this) {
            case TOOLS:
                return "tools";
            case VISION:
            case AUDIO:
            case FILES:
                return "messages";
            case JSON_OBJECT:
            case JSON_SCHEMA:
                return "response_format";
            case LOGPROBS:
                return "logprobs";
            case MULTIPLE_CHOICES:
                return "n";
            case TEXT_COMPLETION:
                return "prompt";
            default:
                return null;
        }
    }
}

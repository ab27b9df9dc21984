package ai.meridian.adapter.out.extractive;

import ai.meridian.application.port.out.BackendSettings;

/** How many sentences an extractive answer takes at most, and what it says when it has no sources. */
public record ExtractiveSettings(int maxSentences, String noSourcesAnswer) {

    public static final String DEFAULT_NO_SOURCES_ANSWER =
            "I could not find any sources for this question, and no language model is available to answer it.";

    public ExtractiveSettings {
        if (maxSentences < 1 || maxSentences > 20) {
            throw new IllegalArgumentException("max-sentences must be between 1 and 20");
        }
        if (noSourcesAnswer == null || noSourcesAnswer.isBlank()) {
            throw new IllegalArgumentException("no-sources-answer must not be empty");
        }
    }

    static ExtractiveSettings from(BackendSettings s) {
        return new ExtractiveSettings(s.integer("max-sentences", 4), s.string("no-sources-answer", DEFAULT_NO_SOURCES_ANSWER));
    }
}

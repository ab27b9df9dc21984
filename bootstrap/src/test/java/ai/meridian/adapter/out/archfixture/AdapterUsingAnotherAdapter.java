package ai.meridian.adapter.out.archfixture;

import ai.meridian.adapter.out.openai.OpenAiBackendFactory;

/** Deliberately breaks the rules: one adapter depending on another. Used only to prove the rule bites. */
public final class AdapterUsingAnotherAdapter {
    public String borrowed() {
        return new OpenAiBackendFactory().type(); // a call, not a constant javac would inline
    }
}

package ai.meridian.application.archfixture;

import ai.meridian.adapter.out.openai.OpenAiBackendFactory;

/** Deliberately breaks the rules: the core naming a concrete adapter. Used only to prove the rule bites. */
public final class ServiceUsingAnAdapter {
    public String type() {
        return new OpenAiBackendFactory().type();
    }
}

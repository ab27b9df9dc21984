package ai.meridian.adapter.in.anthropic.archfixture;

import ai.meridian.adapter.in.responses.archfixture.OtherDoorTranslator;

/** Breaks the rule on purpose: one protocol door borrowing another's translation (only ArchitectureTest imports it). */
public final class DoorUsingAnotherDoor {
    public String translate(String body) {
        return OtherDoorTranslator.translate(body);
    }
}

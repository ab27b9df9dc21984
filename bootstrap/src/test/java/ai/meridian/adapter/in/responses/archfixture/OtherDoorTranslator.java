package ai.meridian.adapter.in.responses.archfixture;

/** A class of another protocol door (a fixture: only ArchitectureTest imports it). */
public final class OtherDoorTranslator {
    public static String translate(String body) {
        return body;
    }
}

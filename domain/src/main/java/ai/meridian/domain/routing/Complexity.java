package ai.meridian.domain.routing;

/** How demanding a prompt looks to the rule-based classifier. */
public enum Complexity {
    SIMPLE, COMPLEX
}

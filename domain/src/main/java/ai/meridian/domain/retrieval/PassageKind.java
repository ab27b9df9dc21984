package ai.meridian.domain.retrieval;

/** Where a passage came from: the live web or one of the tenant's knowledge bases. */
public enum PassageKind {
    WEB("web"), KNOWLEDGE_BASE("knowledge_base");

    private final String wireName;

    PassageKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name clients see in {@code search_results[].source}. */
    public String wireName() {
        return wireName;
    }
}

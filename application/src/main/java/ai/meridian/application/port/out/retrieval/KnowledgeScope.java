package ai.meridian.application.port.out.retrieval;

/** One knowledge base of one tenant: every index operation is scoped by both. */
public record KnowledgeScope(String tenant, String knowledgeBase) {

    public KnowledgeScope {
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant is required");
        }
        if (knowledgeBase == null || knowledgeBase.isBlank()) {
            throw new IllegalArgumentException("knowledge base is required");
        }
    }
}

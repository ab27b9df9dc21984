package ai.meridian.adapter.out.qdrant;

/** The knowledge-index contract with a collection per tenant and knowledge base. */
class QdrantCollectionPerKnowledgeBaseContractTest extends QdrantContractSupport {
    @Override
    CollectionLayout layout() {
        return CollectionLayout.PER_KNOWLEDGE_BASE;
    }
}

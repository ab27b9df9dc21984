package ai.meridian.adapter.out.qdrant;

/** The knowledge-index contract with one shared collection, tenant and base as payload filters. */
class QdrantSharedCollectionContractTest extends QdrantContractSupport {
    @Override
    CollectionLayout layout() {
        return CollectionLayout.SHARED;
    }
}

package ai.meridian.adapter.out.qdrant;

/** How chunks are spread over Qdrant collections ({@code meridian.knowledge.qdrant.layout}). */
public enum CollectionLayout {
    /**
     * One collection for every tenant and knowledge base, with tenant and base as indexed payload filters
     * (the tenant index marked {@code is_tenant}, so Qdrant keeps each tenant's points together). Qdrant's
     * recommendation for many small tenants: one HNSW graph and one set of segments instead of thousands.
     * The default.
     */
    SHARED,
    /**
     * One collection per tenant and knowledge base: isolation by construction, deleting a base drops its
     * collection, and keyword IDF is computed per base. Costs a collection (segments, HNSW graph) per base.
     */
    PER_KNOWLEDGE_BASE
}

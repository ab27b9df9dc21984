package ai.meridian.domain.tenancy;

/** The kinds of things a caller asks to do; {@link Role#permits} says who may. */
public enum Action {
    /** List, read, search: changes nothing. */
    READ,
    /** Create, change or delete a resource of the tenant. */
    WRITE,
    /** Call a model (chat, embeddings): spends the tenant's budget. */
    USE_MODELS,
    /** Manage the tenant's keys, read its usage and audit log. */
    ADMINISTER
}

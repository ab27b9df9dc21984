package ai.meridian.application.port.out;

import ai.meridian.domain.tenancy.ApiKey;
import ai.meridian.domain.tenancy.Tenant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where tenants and keys are kept. Every change raises the directory's revision in the same transaction, so a
 * replica that knows revision r asks for what changed since r (a tiny query when nothing did) and keeps the
 * whole directory in memory; the request path never reads this store. Keys are never deleted (revoked
 * instead), so changes are always rows to upsert.
 */
public interface TenantDirectoryStore {

    /** Tenants and keys changed after {@code revision} (all of them for 0), and the revision they bring the reader to. */
    CompletableFuture<DirectoryChanges> changesSince(long revision);

    /** Adds a tenant; false when its id is taken. */
    CompletableFuture<Boolean> createTenant(Tenant tenant);

    /** Replaces a tenant's row; false when there is none. */
    CompletableFuture<Boolean> updateTenant(Tenant tenant);

    /** Adds a key; false when its id is taken. */
    CompletableFuture<Boolean> createKey(ApiKey key);

    /** Replaces a key's row (same id and tenant); false when there is none. */
    CompletableFuture<Boolean> updateKey(ApiKey key);

    record DirectoryChanges(long revision, List<Tenant> tenants, List<ApiKey> keys) {
        public DirectoryChanges {
            tenants = List.copyOf(tenants);
            keys = List.copyOf(keys);
        }
    }
}

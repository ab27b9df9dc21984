package ai.meridian.application.port.in;

import ai.meridian.domain.tenancy.Tenant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The operator wants to manage the teams behind the gateway: create, list, read, update and disable tenants.
 * Only the operator (master key) creates and changes tenants; a tenant's admin key sees its own tenant only,
 * and any other tenant is a 404 to it. Futures fail with a {@code GatewayException}.
 */
public interface ManageTenantsUseCase {

    CompletableFuture<Tenant> createTenant(CallerContext caller, TenantDraft draft);

    CompletableFuture<List<Tenant>> listTenants(CallerContext caller);

    CompletableFuture<Tenant> getTenant(CallerContext caller, String id);

    CompletableFuture<Tenant> updateTenant(CallerContext caller, String id, TenantChanges changes);

    /** A new tenant: id, display name (optional), browser origins (optional). */
    record TenantDraft(String id, String name, List<String> corsOrigins) {
    }

    /** What to change; empty fields stay as they are. */
    record TenantChanges(Optional<String> name, Optional<Boolean> enabled, Optional<List<String>> corsOrigins) {
        public TenantChanges {
            name = name == null ? Optional.empty() : name;
            enabled = enabled == null ? Optional.empty() : enabled;
            corsOrigins = corsOrigins == null ? Optional.empty() : corsOrigins;
        }
    }
}

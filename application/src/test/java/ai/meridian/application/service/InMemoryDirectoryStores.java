package ai.meridian.application.service;

import ai.meridian.application.port.in.ReadAuditLogUseCase.AuditPage;
import ai.meridian.application.port.in.ReadAuditLogUseCase.AuditQuery;
import ai.meridian.application.port.out.AuditLogStore;
import ai.meridian.application.port.out.TenantDirectoryStore;
import ai.meridian.domain.audit.AuditEntry;
import ai.meridian.domain.tenancy.ApiKey;
import ai.meridian.domain.tenancy.Tenant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** Directory and audit stores in memory, counting reads: the core's tests need to see that requests never read them. */
final class InMemoryDirectoryStores {
    private InMemoryDirectoryStores() {
    }

    static final class Directory implements TenantDirectoryStore {
        private final Map<String, Row<Tenant>> tenants = new LinkedHashMap<>();
        private final Map<String, Row<ApiKey>> keys = new LinkedHashMap<>();
        private long revision;
        final AtomicInteger reads = new AtomicInteger();
        volatile boolean failing;

        private record Row<T>(T value, long revision) {
        }

        @Override
        public synchronized CompletableFuture<DirectoryChanges> changesSince(long since) {
            reads.incrementAndGet();
            if (failing) {
                return CompletableFuture.failedFuture(new IllegalStateException("directory store down"));
            }
            return CompletableFuture.completedFuture(new DirectoryChanges(revision,
                    tenants.values().stream().filter(r -> r.revision > since).map(Row::value).toList(),
                    keys.values().stream().filter(r -> r.revision > since).map(Row::value).toList()));
        }

        @Override
        public synchronized CompletableFuture<Boolean> createTenant(Tenant tenant) {
            if (tenants.containsKey(tenant.id())) {
                return CompletableFuture.completedFuture(false);
            }
            tenants.put(tenant.id(), new Row<>(tenant, ++revision));
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public synchronized CompletableFuture<Boolean> updateTenant(Tenant tenant) {
            if (!tenants.containsKey(tenant.id())) {
                return CompletableFuture.completedFuture(false);
            }
            tenants.put(tenant.id(), new Row<>(tenant, ++revision));
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public synchronized CompletableFuture<Boolean> createKey(ApiKey key) {
            if (keys.containsKey(key.id())) {
                return CompletableFuture.completedFuture(false);
            }
            keys.put(key.id(), new Row<>(key, ++revision));
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public synchronized CompletableFuture<Boolean> updateKey(ApiKey key) {
            Row<ApiKey> old = keys.get(key.id());
            if (old == null || !old.value.tenant().equals(key.tenant())) {
                return CompletableFuture.completedFuture(false);
            }
            keys.put(key.id(), new Row<>(key, ++revision));
            return CompletableFuture.completedFuture(true);
        }
    }

    static final class Audit implements AuditLogStore {
        final List<AuditEntry> entries = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<Void> append(List<AuditEntry> batch) {
            batch.forEach(e -> entries.add(e.withId(entries.size() + 1)));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public synchronized CompletableFuture<AuditPage> query(AuditQuery query) {
            List<AuditEntry> found = entries.stream().filter(e -> query.tenant().map(e.tenant()::equals).orElse(true))
                    .sorted((a, b) -> Long.compare(b.id(), a.id())).limit(query.limit()).toList();
            return CompletableFuture.completedFuture(new AuditPage(found, OptionalLong.empty()));
        }

        synchronized List<AuditEntry> all() {
            return List.copyOf(entries);
        }
    }
}

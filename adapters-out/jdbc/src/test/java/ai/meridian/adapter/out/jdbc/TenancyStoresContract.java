package ai.meridian.adapter.out.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.in.ReadAuditLogUseCase.AuditPage;
import ai.meridian.application.port.in.ReadAuditLogUseCase.AuditQuery;
import ai.meridian.application.port.in.ReadUsageUseCase.UsagePage;
import ai.meridian.application.port.in.ReadUsageUseCase.UsageQuery;
import ai.meridian.application.port.out.TenantDirectoryStore.DirectoryChanges;
import ai.meridian.application.port.out.UsageLedgerStore.SpentTokens;
import ai.meridian.domain.audit.AuditEntry;
import ai.meridian.domain.tenancy.ApiKey;
import ai.meridian.domain.tenancy.KeyHash;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.KeySecret;
import ai.meridian.domain.tenancy.KeyStatus;
import ai.meridian.domain.tenancy.Role;
import ai.meridian.domain.tenancy.Tenant;
import ai.meridian.domain.usage.UsageRecord;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** The key directory, usage ledger and audit log stores: what every database must do (run on H2 and PostgreSQL). */
abstract class TenancyStoresContract {
    private static final SecureRandom RANDOM = new SecureRandom();

    abstract JdbcConversationStore store();

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(20, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static String unique(String prefix) {
        return prefix + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    private static ApiKey key(String tenant, KeyLimits limits) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        KeySecret secret = KeySecret.generate(RANDOM);
        return new ApiKey(secret.id(), tenant, "ci", Role.MEMBER, List.of("chat", "Qwen/Qwen2.5-7B"), List.of("docs"), limits,
                Optional.of(now.plusSeconds(3600)), KeyStatus.ACTIVE, KeyHash.of(secret.secret(), new byte[0], RANDOM), Optional.empty(),
                Optional.empty(), now, now);
    }

    @Test
    void theDirectoryHandsOutEveryChangeOnceByRevision() throws Exception {
        JdbcTenantDirectory directory = store().tenantDirectory();
        DirectoryChanges all = get(directory.changesSince(0));
        assertThat(all.tenants()).extracting(Tenant::id).contains(Tenant.DEFAULT);
        long known = all.revision();
        assertThat(get(directory.changesSince(known)).tenants()).isEmpty();

        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String id = unique("t");
        Tenant tenant = new Tenant(id, "Team", true, List.of("https://a.example", "https://b.example:8443"), now, now);
        assertThat(get(directory.createTenant(tenant))).isTrue();
        assertThat(get(directory.createTenant(tenant))).as("ids are unique").isFalse();
        ApiKey key = key(id, new KeyLimits(60L, 1000L, null, 100_000L));
        assertThat(get(directory.createKey(key))).isTrue();

        DirectoryChanges changes = get(directory.changesSince(known));
        assertThat(changes.revision()).isGreaterThan(known);
        assertThat(changes.tenants()).containsExactly(tenant);
        assertThat(changes.keys()).containsExactly(key);
        assertThat(get(directory.changesSince(changes.revision())).keys()).isEmpty();

        ApiKey revoked = new ApiKey(key.id(), key.tenant(), "renamed", Role.READER, List.of(), List.of(), KeyLimits.NONE, Optional.empty(),
                KeyStatus.REVOKED, KeyHash.of("x".repeat(40), new byte[0], RANDOM), Optional.of(key.hash()),
                Optional.of(now.plusSeconds(60)), key.createdAt(), now.plusSeconds(1));
        assertThat(get(directory.updateKey(revoked))).isTrue();
        ApiKey otherTenant = new ApiKey(key.id(), Tenant.DEFAULT, "", Role.ADMIN, List.of(), List.of(), KeyLimits.NONE, Optional.empty(),
                KeyStatus.ACTIVE, key.hash(), Optional.empty(), Optional.empty(), now, now);
        assertThat(get(directory.updateKey(otherTenant))).as("a key never moves to another tenant").isFalse();
        Tenant disabled = new Tenant(id, "Team", false, List.of(), now, now.plusSeconds(2));
        assertThat(get(directory.updateTenant(disabled))).isTrue();
        assertThat(get(directory.updateTenant(new Tenant(unique("none"), "", true, List.of(), now, now)))).isFalse();

        DirectoryChanges later = get(directory.changesSince(changes.revision()));
        assertThat(later.keys()).containsExactly(revoked);
        assertThat(later.tenants()).containsExactly(disabled);
    }

    @Test
    void usageLinesAddUpAndArePagedAndFiltered() throws Exception {
        JdbcUsageLedger ledger = store().usageLedger();
        String tenant = unique("u");
        LocalDate day = LocalDate.of(2026, 11, 27);
        List<UsageRecord> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(new UsageRecord(day, tenant, "key" + i, "chat", "up", 1, 10, 20, 3));
        }
        get(ledger.add(batch));
        get(ledger.add(List.of(new UsageRecord(day, tenant, "key0", "chat", "up", 2, 5, 5, 0),
                new UsageRecord(day.minusDays(1), tenant, "key0", "chat", "up", 1, 100, 100, 0))));

        UsageQuery q = new UsageQuery(Optional.of(tenant), Optional.empty(), Optional.empty(), Optional.empty(), day.minusDays(7), day, 2,
                Optional.empty());
        List<UsageRecord> seen = new ArrayList<>();
        UsagePage page = get(ledger.query(q));
        seen.addAll(page.lines());
        while (page.next().isPresent()) {
            page = get(ledger.query(new UsageQuery(q.tenant(), q.keyId(), q.model(), q.backend(), q.from(), q.to(), 2, page.next())));
            seen.addAll(page.lines());
        }
        assertThat(seen).hasSize(6);
        assertThat(seen.get(0).day()).isEqualTo(day.minusDays(1));
        assertThat(seen).filteredOn(r -> r.day().equals(day) && r.keyId().equals("key0")).singleElement()
                .isEqualTo(new UsageRecord(day, tenant, "key0", "chat", "up", 3, 15, 25, 3));
        assertThat(get(ledger.query(new UsageQuery(Optional.of(tenant), Optional.of("key3"), Optional.empty(), Optional.empty(), day, day, 10,
                Optional.empty()))).lines()).hasSize(1);
        assertThat(get(ledger.query(new UsageQuery(Optional.of(unique("x")), Optional.empty(), Optional.empty(), Optional.empty(), day, day, 10,
                Optional.empty()))).lines()).as("another tenant sees none of it").isEmpty();

        Map<String, SpentTokens> spent = get(ledger.spentSince(day, day.withDayOfMonth(1)));
        assertThat(spent.get("key0").day()).isGreaterThanOrEqualTo(40);
        assertThat(spent.get("key0").month()).isGreaterThanOrEqualTo(240);
    }

    @Test
    void auditEntriesAreReadNewestFirstByTenantAndPage() throws Exception {
        JdbcAuditLog log = store().auditLog();
        String tenant = unique("a");
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<AuditEntry> entries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            entries.add(new AuditEntry(0, at.plusMillis(i), tenant, "master", "key.create", "sk-mer-x" + i, AuditEntry.OK, "127.0.0.1",
                    "req_" + i, "role=member"));
        }
        get(log.append(entries));
        AuditPage first = get(log.query(new AuditQuery(Optional.of(tenant), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 3, OptionalLong.empty())));
        assertThat(first.entries()).extracting(AuditEntry::target).containsExactly("sk-mer-x4", "sk-mer-x3", "sk-mer-x2");
        assertThat(first.entries().get(0).clientAddress()).isEqualTo("127.0.0.1");
        AuditPage second = get(log.query(new AuditQuery(Optional.of(tenant), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 3, first.next())));
        assertThat(second.entries()).extracting(AuditEntry::target).containsExactly("sk-mer-x1", "sk-mer-x0");
        assertThat(second.next()).isEmpty();
        assertThat(get(log.query(new AuditQuery(Optional.of(tenant), Optional.empty(), Optional.of("key.revoke"), Optional.empty(),
                Optional.empty(), 10, OptionalLong.empty()))).entries()).isEmpty();
    }
}

package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ManageApiKeysUseCase.IssuedKey;
import ai.meridian.application.port.in.ManageApiKeysUseCase.KeyChanges;
import ai.meridian.application.port.in.ManageApiKeysUseCase.KeyDraft;
import ai.meridian.application.port.in.ManageTenantsUseCase.TenantChanges;
import ai.meridian.application.port.in.ManageTenantsUseCase.TenantDraft;
import ai.meridian.domain.audit.AuditEntry;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.Access;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.Role;
import ai.meridian.domain.tenancy.Tenant;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Keys and tenants in the core: issuing, authenticating from memory, scoping, rotation, revocation, the audit trail. */
class TenancyTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    private InMemoryDirectoryStores.Directory store;
    private InMemoryDirectoryStores.Audit auditStore;
    private AuditTrail audit;
    private KeyDirectory directory;
    private TenantAdministration admin;
    private final AtomicInteger notified = new AtomicInteger();
    private static final CallerContext OPERATOR = new CallerContext("req-op", Tenant.DEFAULT, KeyDirectory.MASTER, null, 0);

    @BeforeEach
    void setUp() throws Exception {
        store = new InMemoryDirectoryStores.Directory();
        store.createTenant(new Tenant(Tenant.DEFAULT, "Default", true, List.of(), clock.instant(), clock.instant())).get();
        auditStore = new InMemoryDirectoryStores.Audit();
        audit = new AuditTrail(auditStore, clock, 100);
        directory = new KeyDirectory(store, "sk-master", "pepper".getBytes(), clock, audit, true, List.of("https://ops.example"));
        directory.refresh().get();
        SecureRandom random = new SecureRandom();
        admin = new TenantAdministration(store, directory, audit, clock, () -> random, notified::incrementAndGet);
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get();
    }

    private static GatewayException failure(CompletableFuture<?> future) {
        try {
            future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GatewayException g) {
                return g;
            }
            throw new AssertionError("not a gateway error", e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure");
    }

    private CallerContext as(Caller caller) {
        return CallerContext.of(caller, "req-1", null, 0, "10.1.2.3");
    }

    private IssuedKey key(String tenant, Role role, KeyLimits limits) throws Exception {
        return get(admin.createKey(OPERATOR, new KeyDraft(Optional.of(tenant), "k", role, List.of(), List.of(), limits, Optional.empty())));
    }

    @Test
    void anIssuedKeyAuthenticatesFromMemoryAndItsSecretIsNeverStored() throws Exception {
        get(admin.createTenant(OPERATOR, new TenantDraft("acme", "Acme", List.of())));
        IssuedKey issued = key("acme", Role.MEMBER, KeyLimits.NONE);
        assertThat(issued.secret()).startsWith("sk-mer-" + issued.key().id() + "_").hasSize(7 + 12 + 1 + 40);
        assertThat(issued.key().hash().hash()).doesNotContain(issued.secret().substring(20));
        int reads = store.reads.get();
        for (int i = 0; i < 1000; i++) {
            assertThat(directory.authenticate(issued.secret(), "1.2.3.4")).map(Caller::tenant).contains("acme");
            assertThat(directory.authenticate("sk-mer-" + issued.key().id() + "_" + "A".repeat(40), "1.2.3.4")).isEmpty();
            assertThat(directory.authenticate("sk-mer-zzzzzzzzzzzz_" + "B".repeat(40), "1.2.3.4")).isEmpty();
        }
        assertThat(store.reads.get()).as("authentication reads nothing").isEqualTo(reads);
        assertThat(directory.authenticate(issued.secret(), null).orElseThrow().access().role()).isEqualTo(Role.MEMBER);
    }

    @Test
    void theMasterKeyIsTheOperatorAndAnOpenGatewayLetsCallersWithoutKeysIn() throws Exception {
        assertThat(directory.authenticate("sk-master", null)).contains(new Caller(Tenant.DEFAULT, KeyDirectory.MASTER, Access.OPERATOR));
        assertThat(directory.authenticate(null, null)).isEmpty();
        assertThat(directory.authenticate("sk-master ", null)).isEmpty();
        KeyDirectory open = new KeyDirectory(store, "", new byte[0], clock, audit, false, List.of());
        open.refresh().get();
        assertThat(open.isOpen()).isTrue();
        assertThat(open.authenticate(null, null)).contains(new Caller(Tenant.DEFAULT, KeyDirectory.ANONYMOUS, Access.OPERATOR));
        assertThat(open.authenticate("anything", null)).isPresent();
        assertThat(open.authenticate("sk-mer-nonsense", null)).as("a Meridian key is checked even when open").isEmpty();
    }

    @Test
    void revokedExpiredAndDisabledAreRefusedAndEachRefusalIsAudited() throws Exception {
        get(admin.createTenant(OPERATOR, new TenantDraft("acme", "", List.of())));
        IssuedKey revoked = key("acme", Role.MEMBER, KeyLimits.NONE);
        get(admin.revokeKey(OPERATOR, revoked.key().id()));
        assertThat(directory.authenticate(revoked.secret(), "10.0.0.9")).isEmpty();

        IssuedKey expiring = get(admin.createKey(OPERATOR, new KeyDraft(Optional.of("acme"), "", Role.MEMBER, List.of(), List.of(),
                KeyLimits.NONE, Optional.of(clock.instant().plusSeconds(60)))));
        assertThat(directory.authenticate(expiring.secret(), null)).isPresent();
        clock.advance(Duration.ofSeconds(61));
        assertThat(directory.authenticate(expiring.secret(), null)).isEmpty();

        IssuedKey member = key("acme", Role.MEMBER, KeyLimits.NONE);
        get(admin.updateTenant(OPERATOR, "acme", new TenantChanges(Optional.empty(), Optional.of(false), Optional.empty())));
        assertThat(directory.authenticate(member.secret(), null)).isEmpty();
        get(admin.updateTenant(OPERATOR, "acme", new TenantChanges(Optional.empty(), Optional.of(true), Optional.empty())));
        assertThat(directory.authenticate(member.secret(), null)).isPresent();

        audit.flush().get();
        assertThat(auditStore.all()).filteredOn(e -> e.action().equals("auth.refused")).extracting(AuditEntry::detail)
                .contains("revoked key", "expired key", "tenant disabled");
        assertThat(auditStore.all()).filteredOn(e -> e.action().equals("auth.refused")).allSatisfy(e -> {
            assertThat(e.detail() + e.actor() + e.target()).doesNotContain(member.secret().substring(20));
        });
        assertThat(auditStore.all()).extracting(AuditEntry::action).contains("tenant.create", "key.create", "key.revoke", "tenant.update");
        assertThat(auditStore.all()).filteredOn(e -> e.action().equals("auth.refused")).extracting(AuditEntry::clientAddress).contains("10.0.0.9");
    }

    @Test
    void aRotatedKeyKeepsItsOldSecretOnlyForTheGracePeriod() throws Exception {
        IssuedKey first = key(Tenant.DEFAULT, Role.MEMBER, KeyLimits.NONE);
        IssuedKey second = get(admin.rotateKey(OPERATOR, first.key().id(), Duration.ofSeconds(30)));
        assertThat(second.key().id()).isEqualTo(first.key().id());
        assertThat(directory.authenticate(second.secret(), null)).isPresent();
        assertThat(directory.authenticate(first.secret(), null)).as("within the grace period").isPresent();
        clock.advance(Duration.ofSeconds(31));
        assertThat(directory.authenticate(first.secret(), null)).isEmpty();
        IssuedKey third = get(admin.rotateKey(OPERATOR, first.key().id(), Duration.ZERO));
        assertThat(directory.authenticate(second.secret(), null)).isEmpty();
        assertThat(directory.authenticate(third.secret(), null)).isPresent();
    }

    @Test
    void anAdminKeySeesItsOwnTenantOnlyAndOtherTenantsAre404s() throws Exception {
        get(admin.createTenant(OPERATOR, new TenantDraft("acme", "", List.of())));
        get(admin.createTenant(OPERATOR, new TenantDraft("globex", "", List.of())));
        IssuedKey acmeAdmin = key("acme", Role.ADMIN, KeyLimits.NONE);
        IssuedKey globexKey = key("globex", Role.MEMBER, KeyLimits.NONE);
        CallerContext acme = as(directory.authenticate(acmeAdmin.secret(), null).orElseThrow());

        assertThat(get(admin.listTenants(acme))).extracting(Tenant::id).containsExactly("acme");
        assertThat(failure(admin.getTenant(acme, "globex")).error().kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(failure(admin.getKey(acme, globexKey.key().id())).error().kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(failure(admin.revokeKey(acme, globexKey.key().id())).error().kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(failure(admin.listKeys(acme, Optional.of("globex"))).error().kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(failure(admin.createKey(acme, new KeyDraft(Optional.of("globex"), "", Role.ADMIN, List.of(), List.of(), KeyLimits.NONE,
                Optional.empty()))).error().kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(failure(admin.createTenant(acme, new TenantDraft("evil", "", List.of()))).error().kind()).isEqualTo(ErrorKind.PERMISSION);
        assertThat(get(admin.listKeys(acme, Optional.empty()))).extracting(k -> k.tenant()).containsOnly("acme");

        IssuedKey own = get(admin.createKey(acme, new KeyDraft(Optional.empty(), "mine", Role.READER, List.of(), List.of(), KeyLimits.NONE,
                Optional.empty())));
        assertThat(own.key().tenant()).isEqualTo("acme");
        CallerContext reader = as(directory.authenticate(own.secret(), null).orElseThrow());
        assertThat(failure(admin.listKeys(reader, Optional.empty())).error().kind()).isEqualTo(ErrorKind.PERMISSION);
        assertThat(get(admin.updateKey(acme, own.key().id(), new KeyChanges(Optional.empty(), Optional.of(Role.MEMBER), Optional.empty(),
                Optional.empty(), Optional.of(new KeyLimits(10L, null, null, null)), Optional.empty()))).limits().requestsPerMinute()).isEqualTo(10L);
        assertThat(directory.authenticate(own.secret(), null).orElseThrow().access().role()).isEqualTo(Role.MEMBER);
        assertThat(notified.get()).as("other replicas are told of every change").isGreaterThanOrEqualTo(6);
    }

    @Test
    void badValuesAre400sNamingTheField() throws Exception {
        assertThat(failure(admin.createTenant(OPERATOR, new TenantDraft("Bad Id", "", List.of()))).error().param()).isEqualTo("id");
        assertThat(failure(admin.createTenant(OPERATOR, new TenantDraft("ok", "", List.of("ftp://x")))).error().param()).isEqualTo("cors_origins");
        get(admin.createTenant(OPERATOR, new TenantDraft("dup", "", List.of())));
        assertThat(failure(admin.createTenant(OPERATOR, new TenantDraft("dup", "", List.of()))).error().kind()).isEqualTo(ErrorKind.CONFLICT);
        assertThat(failure(admin.createKey(OPERATOR, new KeyDraft(Optional.of("nope"), "", Role.MEMBER, List.of(), List.of(), KeyLimits.NONE,
                Optional.empty()))).error().kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(failure(admin.createKey(OPERATOR, new KeyDraft(Optional.empty(), "", Role.MEMBER, List.of(), List.of(), KeyLimits.NONE,
                Optional.of(clock.instant().minusSeconds(1))))).error().param()).isEqualTo("expires_at");
        assertThat(failure(admin.updateTenant(OPERATOR, Tenant.DEFAULT, new TenantChanges(Optional.empty(), Optional.of(false),
                Optional.empty()))).error().param()).isEqualTo("enabled");
    }

    @Test
    void aChangeMadeByAnotherReplicaIsSeenAtTheNextRefreshAndAStoreOutageKeepsTheLastKeys() throws Exception {
        KeyDirectory other = new KeyDirectory(store, "sk-master", "pepper".getBytes(), clock, audit, false, List.of());
        other.refresh().get();
        IssuedKey key = key(Tenant.DEFAULT, Role.MEMBER, KeyLimits.NONE);
        assertThat(other.authenticate(key.secret(), null)).as("not yet refreshed").isEmpty();
        other.refresh().get();
        assertThat(other.authenticate(key.secret(), null)).isPresent();
        get(admin.revokeKey(OPERATOR, key.key().id()));
        store.failing = true;
        other.refresh().exceptionally(e -> null).get();
        assertThat(other.authenticate(key.secret(), null)).as("the outage keeps the last known state").isPresent();
        store.failing = false;
        other.refresh().get();
        assertThat(other.authenticate(key.secret(), null)).isEmpty();
    }

    @Test
    void corsOriginsComeFromConfigurationAndTheCallersTenant() throws Exception {
        get(admin.createTenant(OPERATOR, new TenantDraft("acme", "", List.of("https://app.acme.example"))));
        IssuedKey acme = key("acme", Role.MEMBER, KeyLimits.NONE);
        IssuedKey other = key(Tenant.DEFAULT, Role.MEMBER, KeyLimits.NONE);
        assertThat(directory.allowsPreflight("https://app.acme.example")).isTrue();
        assertThat(directory.allowsPreflight("https://ops.example")).isTrue();
        assertThat(directory.allowsPreflight("https://evil.example")).isFalse();
        Caller acmeCaller = directory.authenticate(acme.secret(), null).orElseThrow();
        Caller otherCaller = directory.authenticate(other.secret(), null).orElseThrow();
        assertThat(directory.allows(acmeCaller, "https://app.acme.example")).isTrue();
        assertThat(directory.allows(otherCaller, "https://app.acme.example")).isFalse();
        assertThat(directory.allows(otherCaller, "https://ops.example")).isTrue();
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}

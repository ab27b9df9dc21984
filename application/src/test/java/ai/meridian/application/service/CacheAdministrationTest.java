package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ManageCacheUseCase.Purge;
import ai.meridian.application.port.out.CachedAnswer;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.Access;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.Role;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Purges and the cache's state for administrators; a knowledge-base write makes answers grounded in the base stale. */
class CacheAdministrationTest {
    private final MapResponseCache l1 = new MapResponseCache();
    private final MapResponseCache l2 = new MapResponseCache();
    private final ResponseCache cache = new ResponseCache(l1, Optional.of(l2), Duration.ofSeconds(1), Duration.ofMinutes(5),
            GatewayMetrics.NOOP, Clock.systemUTC());
    private final CacheSettings settings = new CacheSettings(true, Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(10),
            Duration.ofMinutes(5), true, "", Map.of(), Map.of(), CacheSettings.Semantic.OFF);
    private final CacheAdministration admin = new CacheAdministration(cache, settings);
    private int keys;

    private static CallerContext caller(String tenant, Role role) {
        return new CallerContext("r", tenant, "k", null, System.nanoTime(), Map.of(),
                new Access(role, List.of(), List.of(), KeyLimits.NONE, false), "");
    }

    private static final CallerContext OPERATOR = new CallerContext("r", "default", "master", null, System.nanoTime());

    /** Keeps an answer of the tenant and model under the scopes the cache stage would record, and says whether it is served. */
    private String keep(String tenant, String model, List<String> bases) throws Exception {
        String key = String.format("%064x", ++keys);
        List<String> scopes = CacheKeys.scopes(tenant, model, bases);
        List<Long> generations = cache.generations(scopes).get(5, TimeUnit.SECONDS);
        Map<String, Long> recorded = new java.util.HashMap<>();
        for (int i = 0; i < scopes.size(); i++) {
            recorded.put(scopes.get(i), generations.get(i));
        }
        long now = System.currentTimeMillis();
        cache.store(CacheKeys.storeKey(tenant, key), new CachedAnswer(tenant, model, new Completion("answer", "", FinishReason.STOP,
                Optional.empty(), "m"), TokenUsage.ZERO, List.of(), recorded, now, now + 60_000), Duration.ofMinutes(1));
        return key;
    }

    private boolean served(String tenant, String model, List<String> bases, String key) throws Exception {
        return cache.lookup(tenant, CacheKeys.storeKey(tenant, key), CacheKeys.scopes(tenant, model, bases), Optional.empty())
                .get(5, TimeUnit.SECONDS).found().isPresent();
    }

    @Test
    void purgingATenantLeavesOtherTenantsAnswers() throws Exception {
        String acme = keep("acme", "chat", List.of());
        String globex = keep("globex", "chat", List.of());
        Purge purge = admin.purge(OPERATOR, Optional.of("acme"), Optional.empty(), Optional.empty()).get(5, TimeUnit.SECONDS);
        assertThat(purge.scope()).isEqualTo("tenant");
        assertThat(purge.shared()).isTrue();
        assertThat(served("acme", "chat", List.of(), acme)).isFalse();
        assertThat(served("globex", "chat", List.of(), globex)).isTrue();
    }

    @Test
    void purgingAModelReachesEveryTenantAndPurgingAKeyOneAnswer() throws Exception {
        String acmeChat = keep("acme", "chat", List.of());
        String acmeOther = keep("acme", "other", List.of());
        String globexChat = keep("globex", "chat", List.of());
        admin.purge(OPERATOR, Optional.empty(), Optional.of("chat"), Optional.empty()).get(5, TimeUnit.SECONDS);
        assertThat(served("acme", "chat", List.of(), acmeChat)).isFalse();
        assertThat(served("globex", "chat", List.of(), globexChat)).isFalse();
        assertThat(served("acme", "other", List.of(), acmeOther)).isTrue();
        Purge byKey = admin.purge(caller("acme", Role.ADMIN), Optional.empty(), Optional.empty(), Optional.of(acmeOther))
                .get(5, TimeUnit.SECONDS);
        assertThat(byKey.found()).isTrue();
        assertThat(l2.entries).doesNotContainKey(CacheKeys.storeKey("acme", acmeOther));
        assertThat(served("acme", "other", List.of(), acmeOther)).isFalse();
    }

    @Test
    void aTenantsAdminPurgesOnlyItsOwnTenantAndOthersMayNotPurge() throws Exception {
        String globex = keep("globex", "chat", List.of());
        assertThatThrownBy(() -> admin.purge(caller("acme", Role.ADMIN), Optional.of("globex"), Optional.empty(), Optional.empty())
                .get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause().isInstanceOf(GatewayException.class)
                .hasMessageContaining("does not exist");
        // a purge of "every answer" by a tenant's admin is its own tenant's
        Purge own = admin.purge(caller("acme", Role.ADMIN), Optional.empty(), Optional.empty(), Optional.empty()).get(5, TimeUnit.SECONDS);
        assertThat(own.scope()).isEqualTo("tenant");
        assertThat(served("globex", "chat", List.of(), globex)).isTrue();
        assertThatThrownBy(() -> admin.purge(caller("acme", Role.MEMBER), Optional.empty(), Optional.empty(), Optional.empty())
                .get(5, TimeUnit.SECONDS)).cause().isInstanceOf(GatewayException.class);
        assertThatThrownBy(() -> admin.purge(OPERATOR, Optional.empty(), Optional.empty(), Optional.of("not-a-key"))
                .get(5, TimeUnit.SECONDS)).cause().isInstanceOf(GatewayException.class).hasMessageContaining("key");
    }

    @Test
    void theStateTellsWhetherTheSharedLevelIsUp() throws Exception {
        assertThat(admin.state(OPERATOR).get(5, TimeUnit.SECONDS).sharedUp()).isTrue();
        l2.down = true;
        keep("acme", "chat", List.of());
        var state = admin.state(OPERATOR).get(5, TimeUnit.SECONDS);
        assertThat(state.sharedLevel()).isTrue();
        assertThat(state.sharedUp()).isFalse();
        assertThat(state.lastFailure()).contains("down");
        l2.down = false;
        assertThat(cache.probeOnce().get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(admin.state(OPERATOR).get(5, TimeUnit.SECONDS).sharedUp()).isTrue();
    }

    @Test
    void aWriteToAKnowledgeBaseMakesAnswersGroundedInItStale() throws Exception {
        String grounded = keep("acme", "chat", List.of("docs"));
        String other = keep("acme", "chat", List.of("faq"));
        String ungrounded = keep("acme", "plain", List.of());
        CacheInvalidatingIndex index = new CacheInvalidatingIndex(new KnowledgeBaseServiceTest.MapIndex(), cache);
        index.deleteDocument(new KnowledgeScope("acme", "docs"), "doc-1").get(5, TimeUnit.SECONDS);
        assertThat(served("acme", "chat", List.of("docs"), grounded)).isFalse();
        assertThat(served("acme", "chat", List.of("faq"), other)).isTrue();
        assertThat(served("acme", "plain", List.of(), ungrounded)).isTrue();
    }
}

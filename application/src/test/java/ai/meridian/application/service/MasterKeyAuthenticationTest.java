package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import org.junit.jupiter.api.Test;

class MasterKeyAuthenticationTest {

    @Test
    void acceptsOnlyTheMasterKey() {
        MasterKeyAuthentication auth = new MasterKeyAuthentication("sk-secret");
        assertThat(auth.isOpen()).isFalse();
        assertThat(auth.authenticate("sk-secret")).contains(new Caller("default", "master"));
        assertThat(auth.authenticate("sk-secreT")).isEmpty();
        assertThat(auth.authenticate("sk-secret-and-more")).isEmpty();
        assertThat(auth.authenticate("")).isEmpty();
        assertThat(auth.authenticate(null)).isEmpty();
    }

    @Test
    void withoutAKeyEveryoneActsForTheDefaultTenant() {
        MasterKeyAuthentication auth = new MasterKeyAuthentication("  ");
        assertThat(auth.isOpen()).isTrue();
        assertThat(auth.authenticate(null)).contains(new Caller("default", "anonymous"));
        assertThat(auth.authenticate("anything")).contains(new Caller("default", "anonymous"));
    }
}

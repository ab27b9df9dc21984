package ai.meridian.adapter.out.triton;

import static ai.meridian.adapter.out.triton.TritonTestSupport.call;
import static ai.meridian.adapter.out.triton.TritonTestSupport.freePort;
import static ai.meridian.adapter.out.triton.TritonTestSupport.settings;
import static ai.meridian.testkit.ModelBackendContract.awaitTrue;
import static ai.meridian.testkit.ModelBackendContract.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.testkit.ModelBackendContract.Recorder;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoints, health, the model check at start-up, TLS and configuration errors. */
class TritonEndpointsTest {
    private final TritonBackendFactory factory = new TritonBackendFactory();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
        factory.close();
    }

    private FakeTritonServer triton(FakeTritonServer.Builder builder) {
        FakeTritonServer server = builder.start();
        open.add(server);
        return server;
    }

    private ModelBackend backend(String endpoints, Map<String, String> extra) {
        ModelBackend backend = factory.create(settings("gpu", endpoints, Convention.VLLM, "vllm_model", extra));
        open.add(backend);
        return backend;
    }

    private static String answer(ModelBackend backend) throws Exception {
        return backend.complete(call("vllm_model", GenerationParams.DEFAULTS)).get(5, TimeUnit.SECONDS).content();
    }

    @Test
    void callsTakeTheEndpointsInTurn() throws Exception {
        FakeTritonServer a = triton(FakeTritonServer.of(Convention.VLLM));
        FakeTritonServer b = triton(FakeTritonServer.of(Convention.VLLM));
        ModelBackend backend = backend(a.endpoint() + "," + b.endpoint(), Map.of());
        for (int i = 0; i < 10; i++) {
            answer(backend);
        }
        assertThat(a.requests()).hasSize(5);
        assertThat(b.requests()).hasSize(5);
    }

    @Test
    void aDeadEndpointIsSkippedAndNoCallFails() throws Exception {
        FakeTritonServer live = triton(FakeTritonServer.of(Convention.VLLM));
        String dead = "127.0.0.1:" + freePort();
        // Dead first: its metadata cannot be read, the call moves on. Dead second: the metadata is known
        // from the live one, so the inference call itself is refused a connection and moves on.
        for (String endpoints : List.of(dead + ", " + live.endpoint(), live.endpoint() + ", " + dead)) {
            ModelBackend backend = backend(endpoints, Map.of());
            for (int i = 0; i < 3; i++) {
                assertThat(answer(backend)).isEqualTo("Hello from a fake Triton.");
                Recorder recorder = new Recorder();
                backend.stream(call("vllm_model", GenerationParams.DEFAULTS), recorder);
                recorder.awaitEnd();
                assertThat(recorder.failures).as(endpoints).isEmpty();
            }
        }
        assertThat(live.requests()).hasSize(12);
    }

    @Test
    void anEndpointThatSaidUnavailableIsSkippedForItsCooldownThenTriedAgain() throws Exception {
        FakeTritonServer a = triton(FakeTritonServer.of(Convention.VLLM));
        FakeTritonServer b = triton(FakeTritonServer.of(Convention.VLLM));
        ModelBackend backend = backend(a.endpoint() + "," + b.endpoint(), Map.of("endpoint-cooldown", "1500ms"));
        a.enqueue(TritonBehavior.status(Status.Code.UNAVAILABLE, "shutting down"));

        Failure failure = failureOf(backend.complete(call("vllm_model", GenerationParams.DEFAULTS)));
        for (int i = 0; i < 4; i++) {
            answer(backend);
        }
        assertThat(failure.kind()).as("the request reached the server: not retried here").isEqualTo(FailureKind.SERVER_ERROR);
        assertThat(a.requests()).hasSize(1);
        assertThat(b.requests()).hasSize(4);

        Thread.sleep(1700);
        answer(backend);
        answer(backend);
        assertThat(a.requests()).hasSize(2);
        assertThat(b.requests()).hasSize(5);
    }

    @Test
    void readinessNeedsServerAndModelReadyOnSomeEndpoint() throws Exception {
        FakeTritonServer a = triton(FakeTritonServer.of(Convention.VLLM));
        FakeTritonServer b = triton(FakeTritonServer.of(Convention.VLLM));
        ModelBackend both = backend(a.endpoint() + "," + b.endpoint(), Map.of());
        ModelBackend onlyA = backend(a.endpoint(), Map.of());
        assertThat(onlyA.probeReady().get(5, TimeUnit.SECONDS)).isTrue();

        a.ready(true, false);
        assertThat(onlyA.probeReady().get(5, TimeUnit.SECONDS)).as("model not ready").isFalse();
        assertThat(both.probeReady().get(5, TimeUnit.SECONDS)).as("b is ready").isTrue();
        a.ready(false, true);
        assertThat(onlyA.probeReady().get(5, TimeUnit.SECONDS)).as("server not ready").isFalse();
        b.close();
        assertThat(both.probeReady().get(5, TimeUnit.SECONDS)).as("a unready, b gone").isFalse();
        a.ready(true, true);
        assertThat(both.probeReady().get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void everyModelARouteNamesIsAskedAboutAndAnUnreadyOneLeavesItsEndpointServingTheOthers() throws Exception {
        FakeTritonServer a = triton(FakeTritonServer.of(Convention.VLLM).alsoServing("second_model", "third_model"));
        ModelBackend backend = backend(a.endpoint(), Map.of("endpoint-cooldown", "1m"));
        assertThat(backend.hasReadinessProbe()).isTrue();
        assertThat(backend.probeReady("second_model").get(5, TimeUnit.SECONDS)).isTrue();
        a.modelReady("second_model", false);
        assertThat(backend.probeReady("second_model").get(5, TimeUnit.SECONDS)).as("ModelReady of that model").isFalse();
        assertThat(backend.probeReady("third_model").get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(backend.probeReady("vllm_model").get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(backend.probeReady("not_served").get(5, TimeUnit.SECONDS)).isFalse();
        EndpointChannel endpoint = ((TritonModelBackend) backend).endpoints().all().get(0);
        assertThat(endpoint.isUp(System.nanoTime())).as("the server is up; its other models are served").isTrue();
        assertThat(answer(backend)).isNotEmpty();
        a.ready(false, true);
        assertThat(backend.probeReady("third_model").get(5, TimeUnit.SECONDS)).as("server not ready").isFalse();
    }

    @Test
    void anEndpointTheProbeFoundUnreadyIsSkipped() throws Exception {
        FakeTritonServer a = triton(FakeTritonServer.of(Convention.VLLM));
        FakeTritonServer b = triton(FakeTritonServer.of(Convention.VLLM));
        ModelBackend backend = backend(a.endpoint() + "," + b.endpoint(), Map.of("endpoint-cooldown", "1m"));
        a.ready(true, false);
        assertThat(backend.probeReady().get(5, TimeUnit.SECONDS)).isTrue();
        // The probe answers as soon as one endpoint is ready; a's answer may land just after.
        EndpointChannel endpointA = ((TritonModelBackend) backend).endpoints().all().get(0);
        awaitTrue(() -> !endpointA.isUp(System.nanoTime()), Duration.ofSeconds(3));
        for (int i = 0; i < 4; i++) {
            answer(backend);
        }
        assertThat(a.requests()).isEmpty();
        assertThat(b.requests()).hasSize(4);
    }

    @Test
    void aModelLackingAnInputTheConventionNeedsIsRefusedAtCreation() {
        FakeTritonServer vllm = triton(FakeTritonServer.of(Convention.VLLM).withoutInput("sampling_parameters"));
        assertThatThrownBy(() -> factory.create(settings("gpu-a", vllm.endpoint(), Convention.VLLM, "vllm_model", Map.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backend gpu-a")
                .hasMessageContaining("Triton model 'vllm_model'")
                .hasMessageContaining("no input 'sampling_parameters'");

        FakeTritonServer ensemble = triton(FakeTritonServer.of(Convention.TRTLLM).withoutInput("max_tokens"));
        assertThatThrownBy(() -> factory.create(settings("gpu-b", ensemble.endpoint(), Convention.TRTLLM, "ensemble", Map.of())))
                .hasMessageContaining("backend gpu-b").hasMessageContaining("'ensemble'").hasMessageContaining("no input 'max_tokens'");

        FakeTritonServer halfPrecision = triton(FakeTritonServer.of(Convention.TRTLLM).withInputType("temperature", "FP16"));
        assertThatThrownBy(() -> factory.create(settings("gpu-c", halfPrecision.endpoint(), Convention.TRTLLM, "ensemble", Map.of())))
                .hasMessageContaining("input 'temperature' as FP16");

        FakeTritonServer vllmNamedAsEnsemble = triton(FakeTritonServer.of(Convention.VLLM).model("ensemble"));
        assertThatThrownBy(() -> factory.create(settings("gpu-d", vllmNamedAsEnsemble.endpoint(), Convention.TRTLLM, "ensemble", Map.of())))
                .as("a vLLM model configured as trtllm").hasMessageContaining("no input 'max_tokens'");
    }

    @Test
    void anUnreachableTritonDoesNotStopStartUpAndIsCheckedBeforeTheFirstCall() throws Exception {
        int port = freePort();
        ModelBackend backend = backend("127.0.0.1:" + port, Map.of());
        assertThat(failureOf(backend.complete(call("vllm_model", GenerationParams.DEFAULTS))).kind()).isEqualTo(FailureKind.CONNECT);

        FakeTritonServer late = triton(FakeTritonServer.of(Convention.VLLM).port(port));
        assertThat(answer(backend)).isEqualTo("Hello from a fake Triton.");
        assertThat(late.requests()).hasSize(1);
    }

    @Test
    void aMismatchFoundAfterStartUpFailsCallsAsAConfigurationFault() {
        int port = freePort();
        ModelBackend backend = backend("127.0.0.1:" + port, Map.of());
        triton(FakeTritonServer.of(Convention.VLLM).port(port).withoutInput("exclude_input_in_output"));

        Failure failure = failureOf(backend.complete(call("vllm_model", GenerationParams.DEFAULTS)));
        assertThat(failure.kind()).isEqualTo(FailureKind.BACKEND_REJECTED);
        assertThat(failure.kind().retriable()).isFalse();
        assertThat(failure.message()).contains("backend gpu").contains("no input 'exclude_input_in_output'");
    }

    @Test
    void tlsWithATrustedCertificateWorksAndAnUntrustedOneFailsToConnect(@TempDir Path dir) throws Exception {
        TestCertificate certificate = TestCertificate.generate(dir);
        FakeTritonServer secure = triton(FakeTritonServer.of(Convention.VLLM).tls(certificate.keyManager()));

        ModelBackend trusting = backend(secure.endpoint(), Map.of("tls", "true", "tls-trust-cert", certificate.certificatePem().toString()));
        assertThat(answer(trusting)).isEqualTo("Hello from a fake Triton.");
        assertThat(trusting.probeReady().get(5, TimeUnit.SECONDS)).isTrue();

        ModelBackend viaName = backend("localhost:" + secure.port(),
                Map.of("tls", "true", "tls-trust-cert", certificate.certificatePem().toString(), "tls-authority", "localhost"));
        assertThat(answer(viaName)).isEqualTo("Hello from a fake Triton.");

        ModelBackend untrusting = backend(secure.endpoint(), Map.of("tls", "true"));
        assertThat(failureOf(untrusting.complete(call("vllm_model", GenerationParams.DEFAULTS))).kind()).isEqualTo(FailureKind.CONNECT);

        ModelBackend plaintext = backend(secure.endpoint(), Map.of());
        assertThat(failureOf(plaintext.complete(call("vllm_model", GenerationParams.DEFAULTS))).kind().movesOn()).isTrue();
        assertThat(secure.requests()).hasSize(2);
    }

    @Test
    void badSettingsAreRefusedWithTheFullKeyNamed() {
        assertRefused(Map.of("endpoints", ""), "meridian.backends.x.endpoints");
        assertRefused(Map.of("endpoints", "http://triton:8001"), "meridian.backends.x.endpoints: give host:port without a scheme");
        assertRefused(Map.of("endpoints", "triton"), "meridian.backends.x.endpoints: expected host:port");
        assertRefused(Map.of("endpoints", "::1:8001"), "in brackets");
        assertRefused(Map.of("endpoints", "a:1,a:1"), "lists an endpoint twice");
        assertRefused(Map.of("model", ""), "meridian.backends.x.model is required");
        assertRefused(Map.of("convention", "tgi"), "meridian.backends.x.convention must be one of trtllm, vllm, not 'tgi'");
        assertRefused(Map.of("chat-template", "alpaca"), "meridian.backends.x.chat-template must be one of chatml, deepseek, llama3, raw");
        assertRefused(Map.of("stream-text", "both"), "meridian.backends.x.stream-text must be one of delta, cumulative");
        assertRefused(Map.of("complete-rpc", "http"), "meridian.backends.x.complete-rpc must be one of stream, unary");
        assertRefused(Map.of("first-token-timeout", "10m", "total-timeout", "1m"), "first-token-timeout must not exceed total-timeout");
        assertRefused(Map.of("total-timeout", "soon"), "meridian.backends.x.total-timeout must be a duration");
        assertRefused(Map.of("max-message-size", "1024"), "meridian.backends.x.max-message-size must be at least 65536");
        assertRefused(Map.of("top-k", "0"), "meridian.backends.x.top-k must be at least 1");
        assertRefused(Map.of("tls-trust-cert", "/etc/hosts"), "tls-trust-cert and tls-authority need tls: true");
        assertRefused(Map.of("tls", "true", "tls-trust-cert", "/no/such/ca.pem"), "meridian.backends.x.tls-trust-cert: cannot read");
        Map<String, String> noConvention = new HashMap<>(settings("x", "127.0.0.1:1", Convention.VLLM, "m", Map.of()).properties());
        noConvention.remove("convention");
        assertThatThrownBy(() -> factory.create(new BackendSettings("x", "triton", noConvention)))
                .hasMessageContaining("meridian.backends.x.convention is required");
    }

    private void assertRefused(Map<String, String> override, String message) {
        BackendSettings s = settings("x", "127.0.0.1:1", Convention.VLLM, "m", override);
        assertThatThrownBy(() -> factory.create(s)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void endpointsAreHostAndPortWithIpv6InBrackets() {
        assertThat(TritonEndpoint.parse(" triton-0.triton:8001 ")).isEqualTo(new TritonEndpoint("triton-0.triton", 8001));
        assertThat(TritonEndpoint.parse("[::1]:8001")).isEqualTo(new TritonEndpoint("::1", 8001));
        assertThat(TritonEndpoint.parse("[::1]:8001")).hasToString("[::1]:8001");
        assertThatThrownBy(() -> TritonEndpoint.parse("h:0")).hasMessageContaining("port must be 1 to 65535");
        assertThatThrownBy(() -> TritonEndpoint.parse("h:grpc")).hasMessageContaining("port number");
    }
}

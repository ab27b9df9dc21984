package ai.meridian.adapter.out.triton;

import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.testkit.ModelBackendContract;
import io.grpc.Status;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The shared backend contract, run by the Triton adapter against a real gRPC fake Triton on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TritonBackendContractTest extends ModelBackendContract {
    private FakeTritonServer triton;
    private TritonBackendFactory factory;
    private ModelBackend backend;

    /** The model convention the fake serves and the backend speaks. */
    abstract Convention convention();

    @BeforeAll
    void start() {
        triton = FakeTritonServer.of(convention()).model(upstreamModel()).start();
        factory = new TritonBackendFactory();
        backend = factory.create(TritonTestSupport.settings("contract", triton.endpoint(), convention(), upstreamModel(), Map.of()));
    }

    @AfterAll
    void stop() {
        backend.close();
        factory.close();
        triton.close();
    }

    @Override
    protected ModelBackend backend() {
        return backend;
    }

    @Override
    protected ModelBackend unreachableBackend() {
        return factory.create(TritonTestSupport.settings("unreachable", "127.0.0.1:" + TritonTestSupport.freePort(), convention(), upstreamModel(), Map.of()));
    }

    @Override
    protected void next(Scenario scenario) {
        TritonBehavior behavior;
        if (scenario instanceof Scenario.Answer a) {
            behavior = TritonBehavior.answer(a.pieces().toArray(String[]::new));
        } else if (scenario instanceof Scenario.AnswerWithPause a) {
            behavior = TritonBehavior.answer(a.pieces().toArray(String[]::new)).withPauseBeforeLast(a.pauseBeforeLast());
        } else if (scenario instanceof Scenario.Unavailable) {
            behavior = TritonBehavior.status(Status.Code.UNAVAILABLE, "model is not ready");
        } else if (scenario instanceof Scenario.RateLimited) {
            behavior = TritonBehavior.status(Status.Code.RESOURCE_EXHAUSTED, "request queue is full");
        } else if (scenario instanceof Scenario.InvalidRequest r) {
            behavior = TritonBehavior.status(Status.Code.INVALID_ARGUMENT, r.message());
        } else if (scenario instanceof Scenario.SlowFirstToken s) {
            behavior = TritonBehavior.answer("late").withFirstDelay(s.delay());
        } else if (scenario instanceof Scenario.CutMidStream c) {
            behavior = TritonBehavior.answer(c.pieces().toArray(String[]::new)).cutAfter(c.afterPieces());
        } else {
            behavior = TritonBehavior.hangs();
        }
        triton.enqueue(behavior);
    }

    @Override
    protected int abandonedCalls() {
        return triton.abandonedCalls();
    }
}

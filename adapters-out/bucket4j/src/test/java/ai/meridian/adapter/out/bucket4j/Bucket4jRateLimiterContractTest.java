package ai.meridian.adapter.out.bucket4j;

import ai.meridian.application.port.out.RateLimiterPort;
import ai.meridian.testkit.RateLimiterContract;

class Bucket4jRateLimiterContractTest extends RateLimiterContract {
    private final Bucket4jRateLimiter limiter = new Bucket4jRateLimiter();

    @Override
    protected RateLimiterPort limiter() {
        return limiter;
    }
}

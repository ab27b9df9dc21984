package ai.meridian.adapter.out.triton;

import ai.meridian.adapter.out.triton.proto.GRPCInferenceServiceGrpc;
import ai.meridian.adapter.out.triton.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceStub;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One Triton endpoint: its gRPC channel and its health. An endpoint that refused a connection or said
 * it is unavailable is "down" for a cool-down period, and skipped while another endpoint is up.
 */
final class EndpointChannel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EndpointChannel.class.getName());
    private static final String USER_AGENT = "meridian-gateway/0.1";

    private final TritonEndpoint address;
    private final String backendId;
    private final ManagedChannel channel;
    private final GRPCInferenceServiceStub stub;
    private final long cooldownNanos;
    private volatile long downUntilNanos;
    private volatile boolean down;

    EndpointChannel(TritonEndpoint address, TritonBackendConfig config) {
        this.address = address;
        this.backendId = config.id();
        this.cooldownNanos = config.endpointCooldown().toNanos();
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(address.host(), address.port())
                .userAgent(USER_AGENT)
                .maxInboundMessageSize(config.maxMessageSize())
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                // Callbacks only hand data to non-blocking listeners: run them on the I/O thread, no hop.
                .directExecutor();
        if (!config.keepAliveTime().isZero()) {
            builder.keepAliveTime(config.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                    .keepAliveTimeout(config.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (config.tls()) {
            builder.sslContext(sslContext(config));
            config.tlsAuthority().ifPresent(builder::overrideAuthority);
        } else {
            builder.usePlaintext();
        }
        this.channel = builder.build();
        this.stub = GRPCInferenceServiceGrpc.newStub(channel);
    }

    private static SslContext sslContext(TritonBackendConfig config) {
        try {
            SslContextBuilder ssl = GrpcSslContexts.forClient();
            if (config.tlsTrustCert().isPresent()) {
                ssl.trustManager(config.tlsTrustCert().get().toFile());
            }
            return ssl.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("meridian.backends." + config.id() + ".tls-trust-cert: " + e.getMessage(), e);
        }
    }

    TritonEndpoint address() {
        return address;
    }

    GRPCInferenceServiceStub stub() {
        return stub;
    }

    boolean isUp(long nowNanos) {
        return !down || nowNanos - downUntilNanos >= 0;
    }

    /**
     * Readies the channel for a call. After a failed connection gRPC keeps failing new calls at once
     * during its own exponential back-off; our cool-down has passed (or no other endpoint is up), so
     * idle the channel: the call then waits for a fresh connection attempt (and name resolution).
     */
    void prepareForCall() {
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.enterIdle();
        }
    }

    void markDown(String why) {
        downUntilNanos = System.nanoTime() + cooldownNanos;
        if (!down) {
            down = true;
            LOG.log(Level.WARNING, () -> "backend " + backendId + ": Triton endpoint " + address + " is down (" + why
                    + "); skipped for " + Duration.ofNanos(cooldownNanos).toMillis() + " ms while another endpoint is up");
        }
    }

    void markUp() {
        if (down) {
            down = false;
            LOG.log(Level.INFO, () -> "backend " + backendId + ": Triton endpoint " + address + " is up again");
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return address.toString();
    }
}

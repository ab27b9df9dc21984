package ai.meridian.bootstrap;

import ch.qos.logback.classic.LoggerContext;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Starts the gateway. A {@code meridian.yml} in the working directory is read unless config files are
 * named. A start-up failure prints what is wrong (not a wrapped stack) and exits with status 2.
 */
public final class Meridian extends Micronaut {
    static final String LOCAL_CONFIG = "meridian.yml";
    static final int CONFIGURATION_ERROR = 2;

    private Meridian() {
    }

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        boolean named = System.getProperty("micronaut.config.files") != null || System.getenv("MICRONAUT_CONFIG_FILES") != null;
        if (!named && Files.isRegularFile(Path.of(LOCAL_CONFIG))) {
            System.setProperty("micronaut.config.files", LOCAL_CONFIG);
        }
        ApplicationContext context = new Meridian().args(args).mainClass(Meridian.class).banner(false).start();
        onSignals(context);
    }

    /**
     * SIGTERM and SIGINT drain before the JVM's shutdown (which stops the server at once): readiness goes
     * down, new requests are refused, requests and ingestion jobs under way get the drain time
     * ({@link GracefulShutdown}); then the process exits with 128 + the signal's number, running the
     * shutdown hooks. A second signal exits at once.
     */
    static void onSignals(ApplicationContext context) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    int status = 128 + signal.getNumber();
                    GracefulShutdown shutdown = context.isRunning() ? context.findBean(GracefulShutdown.class).orElse(null) : null;
                    if (shutdown == null || !shutdown.begin()) {
                        System.exit(status);
                    }
                    Thread drain = new Thread(() -> {
                        try {
                            shutdown.drain();
                        } finally {
                            System.exit(status);
                        }
                    }, "meridian-shutdown");
                    drain.start();
                });
            } catch (IllegalArgumentException e) {
                // The signal is not available here (or reserved by the JVM): the default shutdown applies.
            }
        }
    }

    @Override
    protected void handleStartupException(Environment environment, Throwable exception) {
        Logger log = LoggerFactory.getLogger(Meridian.class);
        log.error("Meridian cannot start: {}", rootMessage(exception));
        log.debug("start-up failure", exception);
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            logback.stop(); // drain the asynchronous appender before the JVM goes
        }
        System.exit(CONFIGURATION_ERROR);
    }

    /** The innermost message: a configuration error says what is wrong, its wrappers only where it surfaced. */
    static String rootMessage(Throwable error) {
        Throwable cause = error;
        String message = error.getMessage();
        while (cause != null) {
            if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
                message = cause.getMessage();
            }
            cause = cause.getCause();
        }
        return message;
    }
}

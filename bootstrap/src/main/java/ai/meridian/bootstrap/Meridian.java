package ai.meridian.bootstrap;

import ch.qos.logback.classic.LoggerContext;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Starts the gateway. A {@code meridian.yml} in the working directory is read unless config files are
 * named. {@code --help} and {@code --version} print and exit without starting anything. The configuration
 * files are checked before anything starts ({@link ConfigurationFiles}); a configuration mistake or any other
 * start-up failure prints what is wrong (not a wrapped stack) and exits with status 2. Logs are lines for
 * people on an interactive terminal and JSON otherwise, unless {@code meridian.logging.format} says.
 */
public final class Meridian {
    static final String LOCAL_CONFIG = ConfigurationFiles.LOCAL_CONFIG;
    static final int CONFIGURATION_ERROR = 2;
    /** The system property logback.xml reads to pick its console appender ({@code text} or {@code json}). */
    static final String LOG_APPENDER_PROPERTY = "meridian.log.appender";

    private Meridian() {
    }

    public static void main(String[] args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                help(System.out);
                return;
            }
            if (arg.equals("--version") || arg.equals("-V")) {
                System.out.println("Meridian " + version());
                return;
            }
        }
        String named = Optional.ofNullable(System.getProperty("micronaut.config.files")).orElse(System.getenv("MICRONAUT_CONFIG_FILES"));
        ConfigurationFiles files;
        String appender;
        try {
            files = ConfigurationFiles.read(ConfigurationFiles.located(named, Path.of("")));
            appender = logAppender(Optional.ofNullable(System.getProperty("meridian.logging.format"))
                    .or(() -> Optional.ofNullable(System.getenv("MERIDIAN_LOGGING_FORMAT")))
                    .or(() -> files.value("meridian.logging.format")), interactive());
        } catch (IllegalArgumentException e) {
            System.err.println("Meridian cannot start: " + e.getMessage());
            System.exit(CONFIGURATION_ERROR);
            return;
        }
        System.setProperty(LOG_APPENDER_PROPERTY, appender); // before the first logger: logback.xml reads it
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        if (named == null && !files.files().isEmpty()) {
            System.setProperty("micronaut.config.files", LOCAL_CONFIG);
        }
        // Only now may logging start: the launcher (a Micronaut) has loggers of its own.
        ApplicationContext context = Launcher.launch(args);
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

    /** Micronaut with Meridian's start-up failure handling; loaded only after the log format is chosen. */
    static final class Launcher extends Micronaut {
        static ApplicationContext launch(String[] args) {
            return new Launcher().args(args).mainClass(Meridian.class).banner(false).start();
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
    }

    /** {@code auto} (the default): text on an interactive terminal, JSON otherwise (a file, a pipe, a container's log). */
    static String logAppender(Optional<String> format, boolean interactive) {
        String value = format.map(f -> f.trim().toLowerCase(Locale.ROOT)).filter(f -> !f.isEmpty()).orElse("auto");
        switch (value) {
            case "auto":
                return interactive ? "text" : "json";
            case "text":
            case "json":
                return value;
            default:
                throw new IllegalArgumentException("meridian.logging.format must be auto, text or json, not '" + value + "'");
        }
    }

    /** Whether a person is watching: the JVM has a terminal for input and output (JDK 22+ says so with isTerminal). */
    static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // before JDK 22 a console exists only on a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    static String version() {
        String version = Meridian.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }

    static void help(PrintStream out) {
        out.println(String.join("\n", List.of(
                "Meridian " + version() + " - a self-hosted AI gateway with an OpenAI-compatible API",
                "",
                "Usage: java -jar meridian.jar [--help | --version]",
                "",
                "Without arguments the gateway starts and serves http://<host>:8080/v1 (OpenAI's API, SSE streaming).",
                "With no configuration at all it answers from your knowledge bases with the built-in 'extractive' model.",
                "",
                "Configuration, later sources winning:",
                "  1. the embedded defaults",
                "  2. meridian.yml in the working directory, or the files in MICRONAUT_CONFIG_FILES (comma-separated)",
                "  3. environment variables: MERIDIAN_MASTER_KEY sets meridian.master-key, and so on",
                "  4. Java system properties: -Dmeridian.master-key=...",
                "A key under meridian.* that Meridian does not know, or a YAML error, stops start-up (exit status 2).",
                "",
                "Often used:",
                "  MERIDIAN_MASTER_KEY      the Bearer key clients must send (unset: every caller is accepted, loopback only)",
                "  DEEPSEEK_API_KEY         serve DeepSeek's models with nothing else configured",
                "  MICRONAUT_SERVER_PORT    the HTTP port (8080)",
                "  MERIDIAN_DATA_DIR        where the embedded database and index live (./data)",
                "  MERIDIAN_LOGGING_FORMAT  auto (text on a terminal, JSON otherwise), text or json",
                "  MERIDIAN_LOG_LEVEL       INFO (DEBUG for more)",
                "",
                "Options:",
                "  -h, --help      print this and exit",
                "  -V, --version   print the version and exit",
                "",
                "Every key: docs/configuration.md. Running it: docs/operations.md. The API: docs/api.md.")));
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

package ai.meridian.bootstrap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.adapter.in.anthropic.archfixture.DoorUsingAnotherDoor;
import ai.meridian.adapter.in.responses.archfixture.OtherDoorTranslator;
import ai.meridian.adapter.out.archfixture.AdapterUsingAnotherAdapter;
import ai.meridian.application.archfixture.ServiceUsingAnAdapter;
import ai.meridian.domain.archfixture.DomainValueUsingJackson;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hexagon's dependency rules, checked on the compiled classes of every module. */
class ArchitectureTest {
    private static final String DOMAIN = "ai.meridian.domain..";
    private static final String APPLICATION = "ai.meridian.application..";
    private static final String ADAPTERS = "ai.meridian.adapter..";
    private static final String BOOTSTRAP = "ai.meridian.bootstrap..";
    private static final String OBSERVABILITY = "ai.meridian.observability..";
    private static final String INBOUND_HTTP = "ai.meridian.support.inboundhttp..";
    private static final String OPENAI_WIRE = "ai.meridian.support.openaiwire..";

    /** javax.crypto is part of java.base (the JDK's HMAC, for key hashes), not a framework. */
    static final ArchRule DOMAIN_USES_THE_JDK_ONLY = classes().that().resideInAPackage(DOMAIN)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.crypto..", DOMAIN)
            .as("the domain depends on the JDK only");

    static final ArchRule APPLICATION_USES_THE_DOMAIN_ONLY = classes().that().resideInAPackage(APPLICATION)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.crypto..", DOMAIN, APPLICATION)
            .as("the application depends on the domain only");

    /** Helpers adapters may share (e.g. the bounded HTTP body): plain JDK code, so sharing them couples no adapters. */
    static final ArchRule SUPPORT_USES_THE_JDK_ONLY = classes().that().resideInAPackage("ai.meridian.support..")
            .and().resideOutsideOfPackages("ai.meridian.support.json..", "ai.meridian.support.nettyhttp..", INBOUND_HTTP, OPENAI_WIRE)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "ai.meridian.support..")
            .as("shared support code depends on the JDK only");

    static final ArchRule SUPPORT_JSON_USES_JACKSON_CORE_ONLY = classes().that().resideInAPackage("ai.meridian.support.json..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "com.fasterxml.jackson.core..", "ai.meridian.support.json..")
            .as("the shared JSON support code depends on the JDK and jackson-core only");

    /** The pooled HTTP client the HTTP backends share: Netty and the JDK, nothing of the gateway. */
    static final ArchRule SUPPORT_NETTY_HTTP_USES_NETTY_ONLY = classes().that().resideInAPackage("ai.meridian.support.nettyhttp..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.net.ssl..", "io.netty..", "ai.meridian.support.nettyhttp..")
            .as("the shared Netty HTTP client depends on the JDK and Netty only");

    /**
     * What the inbound doors share (support/inbound-http: authentication, request ids, error shapes and the protocol-door
     * hook, the connection guard, ...; support/openai-wire: the OpenAI chat wire format the REST and WebSocket doors speak):
     * framework code on the core's ports, which knows no adapter and no core service, so sharing it couples no doors.
     */
    static final ArchRule INBOUND_SUPPORT_KNOWS_PORTS_ONLY = noClasses().that().resideInAnyPackage(INBOUND_HTTP, OPENAI_WIRE)
            .should().dependOnClassesThat().resideInAnyPackage(ADAPTERS, "ai.meridian.application.service..", BOOTSTRAP, OBSERVABILITY)
            .as("shared inbound support knows the core's ports only, no adapters, services, observability or bootstrap");

    /** The shared HTTP infrastructure speaks no door's protocol beyond OpenAI's error shape (its default). */
    static final ArchRule INBOUND_HTTP_KNOWS_NO_WIRE_FORMAT = noClasses().that().resideInAPackage(INBOUND_HTTP)
            .should().dependOnClassesThat().resideInAPackage(OPENAI_WIRE)
            .as("the shared inbound HTTP support does not use the OpenAI chat wire format");

    static final ArchRule ADAPTERS_DO_NOT_DEPEND_ON_EACH_OTHER = slices().matching("ai.meridian.adapter.(*).(*)..")
            .should().notDependOnEachOther()
            .as("adapters never depend on each other");

    /**
     * The inbound protocol doors, each an adapter module of its own (adapters-in/rest is the OpenAI REST door,
     * adapters-in/websocket its WebSocket door): each translates its protocol to the use cases on its own.
     */
    static final String[] PROTOCOL_DOORS = {"ai.meridian.adapter.in.anthropic..", "ai.meridian.adapter.in.responses..",
        "ai.meridian.adapter.in.completions..", "ai.meridian.adapter.in.websocket..", "ai.meridian.adapter.in.rest.."};
    /** The doors that speak another protocol than OpenAI's chat API, so must not borrow its translation. */
    static final String[] OTHER_PROTOCOL_DOORS = {"ai.meridian.adapter.in.anthropic..", "ai.meridian.adapter.in.responses..",
        "ai.meridian.adapter.in.completions.."};
    /**
     * The OpenAI chat door's translation, which other protocols' doors must not borrow: the wire format the REST and
     * WebSocket doors share (support/openai-wire, public so both modules can use it) and the REST door's own chat classes
     * (which Maven keeps out of reach too). What every door shares (credentials, request ids, the client connection, error
     * headers, the protocol-door hook) is support/inbound-http.
     */
    static final List<String> OPENAI_TRANSLATION = java.util.stream.Stream.concat(
            List.of("ChatRequestParser", "ToolsParser", "OpenAiJsonWriter").stream().map(name -> "ai.meridian.support.openaiwire." + name),
            List.of("SseEvents", "SseBridge", "ChatFastPath", "ChatFastPathInstaller", "ChatCompletionsController").stream()
                    .map(name -> "ai.meridian.adapter.in.rest." + name)).toList();

    /** Each door apart from the others; shared sub-packages of the adapter (JSON or SSE helpers, ...) may be used by all. */
    static final ArchRule PROTOCOL_DOORS_DO_NOT_DEPEND_ON_EACH_OTHER = doorsApart();

    private static ArchRule doorsApart() {
        List<ArchRule> rules = new java.util.ArrayList<>();
        for (String door : PROTOCOL_DOORS) {
            String[] others = java.util.Arrays.stream(PROTOCOL_DOORS).filter(other -> !other.equals(door)).toArray(String[]::new);
            rules.add(noClasses().that().resideInAPackage(door).should().dependOnClassesThat().resideInAnyPackage(others)
                    .allowEmptyShould(true)); // a door not built yet
        }
        return com.tngtech.archunit.lang.CompositeArchRule.of(rules)
                .as("the protocol doors (anthropic, responses, completions, websocket, rest) do not depend on one another");
    }

    static ArchRule protocolDoorsAvoid(List<String> classNames) {
        return noClasses().that().resideInAnyPackage(OTHER_PROTOCOL_DOORS)
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe("the OpenAI chat door's translation",
                        (com.tngtech.archunit.core.domain.JavaClass c) -> classNames.contains(c.getName())
                                || c.getPackageName().startsWith("ai.meridian.support.openaiwire")))
                .as("protocol doors do not use the OpenAI chat door's translation classes");
    }

    static final ArchRule PROTOCOL_DOORS_DO_NOT_USE_OPENAI_TRANSLATION = protocolDoorsAvoid(OPENAI_TRANSLATION);

    static final ArchRule ADAPTERS_USE_PORTS_NOT_SERVICES = noClasses().that().resideInAnyPackage(ADAPTERS, OBSERVABILITY)
            .should().dependOnClassesThat().resideInAPackage("ai.meridian.application.service..")
            .as("adapters reach the core through its ports, not its services");

    static final ArchRule ONLY_BOOTSTRAP_KNOWS_ADAPTERS = noClasses().that().resideOutsideOfPackages(BOOTSTRAP, ADAPTERS)
            .should().dependOnClassesThat().resideInAPackage(ADAPTERS)
            .as("only bootstrap wires adapters");

    static final ArchRule ADAPTERS_DO_NOT_USE_OBSERVABILITY = noClasses().that().resideInAPackage(ADAPTERS)
            .should().dependOnClassesThat().resideInAPackage(OBSERVABILITY)
            .as("adapters report through ports, not the observability module");

    static final ArchRule NOTHING_DEPENDS_ON_BOOTSTRAP = noClasses().that().resideOutsideOfPackage(BOOTSTRAP)
            .should().dependOnClassesThat().resideInAPackage(BOOTSTRAP)
            .as("nothing depends on bootstrap");

    static final ArchRule USE_CASES_ARE_NAMED_FOR_WHAT_THE_USER_WANTS = classes().that().resideInAPackage("ai.meridian.application.port.in")
            .and().areInterfaces().and().areTopLevelClasses()
            .should().haveSimpleNameEndingWith("UseCase").orShould().haveSimpleNameEndingWith("Observer")
            .as("inbound ports are use cases (or the observers a use case reports to)");

    static final List<ArchRule> RULES = List.of(DOMAIN_USES_THE_JDK_ONLY, APPLICATION_USES_THE_DOMAIN_ONLY,
            ADAPTERS_DO_NOT_DEPEND_ON_EACH_OTHER, ADAPTERS_USE_PORTS_NOT_SERVICES, ONLY_BOOTSTRAP_KNOWS_ADAPTERS,
            ADAPTERS_DO_NOT_USE_OBSERVABILITY, NOTHING_DEPENDS_ON_BOOTSTRAP, USE_CASES_ARE_NAMED_FOR_WHAT_THE_USER_WANTS,
            SUPPORT_USES_THE_JDK_ONLY, SUPPORT_JSON_USES_JACKSON_CORE_ONLY, SUPPORT_NETTY_HTTP_USES_NETTY_ONLY,
            PROTOCOL_DOORS_DO_NOT_DEPEND_ON_EACH_OTHER, PROTOCOL_DOORS_DO_NOT_USE_OPENAI_TRANSLATION, INBOUND_SUPPORT_KNOWS_PORTS_ONLY,
            INBOUND_HTTP_KNOWS_NO_WIRE_FORMAT);

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("ai.meridian");
    }

    @Test
    void everyModuleIsImported() {
        for (String pkg : List.of("ai.meridian.domain.", "ai.meridian.application.port.", "ai.meridian.application.service.",
                "ai.meridian.adapter.in.rest.", "ai.meridian.adapter.in.websocket.", "ai.meridian.adapter.in.anthropic.", "ai.meridian.adapter.in.responses.", "ai.meridian.adapter.in.completions.", "ai.meridian.adapter.out.openai.", "ai.meridian.adapter.out.anthropic.", "ai.meridian.adapter.out.triton.", "ai.meridian.adapter.out.extractive.", "ai.meridian.adapter.out.quark.", "ai.meridian.adapter.out.searxng.", "ai.meridian.adapter.out.webfetch.", "ai.meridian.adapter.out.documenttext.", "ai.meridian.adapter.out.embedding.", "ai.meridian.adapter.out.lucene.", "ai.meridian.adapter.out.qdrant.", "ai.meridian.adapter.out.resilience4j.",
                "ai.meridian.adapter.out.jtokkit.", "ai.meridian.adapter.out.inmemory.", "ai.meridian.adapter.out.jdbc.", "ai.meridian.adapter.out.bucket4j.", "ai.meridian.adapter.out.redis.", "ai.meridian.adapter.out.oidc.", "ai.meridian.support.http.", "ai.meridian.support.json.", "ai.meridian.support.nettyhttp.", "ai.meridian.support.inboundhttp.", "ai.meridian.support.openaiwire.", "ai.meridian.observability.", "ai.meridian.bootstrap.")) {
            assertThat(production.stream().anyMatch(c -> c.getName().startsWith(pkg))).as("classes of %s are checked", pkg).isTrue();
        }
    }

    @Test
    void theProductionCodeKeepsEveryRule() {
        RULES.forEach(rule -> rule.check(production));
    }

    @Test
    void aDomainClassUsingAFrameworkBreaksTheRule() {
        JavaClasses violating = new ClassFileImporter().importClasses(DomainValueUsingJackson.class);
        assertThatThrownBy(() -> DOMAIN_USES_THE_JDK_ONLY.check(violating)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("DomainValueUsingJackson").hasMessageContaining("com.fasterxml.jackson");
    }

    @Test
    void aCoreClassNamingAnAdapterBreaksTheRules() {
        JavaClasses violating = new ClassFileImporter().importClasses(ServiceUsingAnAdapter.class);
        assertThatThrownBy(() -> APPLICATION_USES_THE_DOMAIN_ONLY.check(violating)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> ONLY_BOOTSTRAP_KNOWS_ADAPTERS.check(violating)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("OpenAiBackendFactory");
    }

    @Test
    void aProtocolDoorUsingAnotherDoorBreaksTheRules() {
        JavaClasses violating = new ClassFileImporter().importClasses(DoorUsingAnotherDoor.class, OtherDoorTranslator.class);
        assertThatThrownBy(() -> PROTOCOL_DOORS_DO_NOT_DEPEND_ON_EACH_OTHER.check(violating)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("anthropic").hasMessageContaining("responses");
        assertThatThrownBy(() -> protocolDoorsAvoid(List.of(OtherDoorTranslator.class.getName())).check(violating))
                .isInstanceOf(AssertionError.class).hasMessageContaining("DoorUsingAnotherDoor");
        // Each door is an adapter module of its own now, so the adapters rule rejects the fixture as well.
        assertThatThrownBy(() -> ADAPTERS_DO_NOT_DEPEND_ON_EACH_OTHER.check(violating)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("DoorUsingAnotherDoor");
        assertThat(OPENAI_TRANSLATION).allSatisfy(name -> assertThat(production.contain(name)).as("%s exists", name).isTrue());
    }

    @Test
    void anAdapterUsingAnotherAdapterBreaksTheRule() {
        JavaClasses violating = new ClassFileImporter().importClasses(AdapterUsingAnotherAdapter.class,
                ai.meridian.adapter.out.openai.OpenAiBackendFactory.class);
        assertThatThrownBy(() -> ADAPTERS_DO_NOT_DEPEND_ON_EACH_OTHER.check(violating)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("archfixture").hasMessageContaining("openai");
    }
}

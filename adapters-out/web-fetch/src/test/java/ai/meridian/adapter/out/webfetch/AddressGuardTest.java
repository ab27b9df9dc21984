package ai.meridian.adapter.out.webfetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SSRF guard's table: which addresses are fetched by default, which are refused and as what. */
class AddressGuardTest {
    private static final AddressGuard STRICT = new AddressGuard(AllowList.parse(List.of()));

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "8.8.8.8, PUBLIC",
            "93.184.216.34, PUBLIC",
            "1.1.1.1, PUBLIC",
            "172.32.0.1, PUBLIC",
            "100.128.0.1, PUBLIC",
            "2606:4700:4700::1111, PUBLIC",
            "2001:4860:4860::8888, PUBLIC",
            "::ffff:8.8.8.8, PUBLIC",
            "64:ff9b::808:808, PUBLIC",
            "127.0.0.1, LOOPBACK",
            "127.255.255.254, LOOPBACK",
            "::1, LOOPBACK",
            "::ffff:127.0.0.1, LOOPBACK",
            "::127.0.0.1, LOOPBACK",
            "64:ff9b::7f00:1, LOOPBACK",
            "2002:7f00:1::1, LOOPBACK",
            "10.0.0.1, PRIVATE",
            "10.255.255.255, PRIVATE",
            "172.16.0.1, PRIVATE",
            "172.31.255.255, PRIVATE",
            "192.168.1.1, PRIVATE",
            "::ffff:192.168.1.1, PRIVATE",
            "2002:c0a8:101::1, PRIVATE",
            "fec0::1, PRIVATE",
            "169.254.1.1, LINK_LOCAL",
            "fe80::1, LINK_LOCAL",
            "febf::1, LINK_LOCAL",
            "100.64.0.1, SHARED",
            "100.127.255.255, SHARED",
            "fc00::1, UNIQUE_LOCAL",
            "fd12:3456::1, UNIQUE_LOCAL",
            "169.254.169.254, METADATA",
            "::ffff:169.254.169.254, METADATA",
            "fd00:ec2::254, METADATA",
            "100.100.100.200, METADATA",
            "192.0.0.192, METADATA",
            "168.63.129.16, METADATA",
            "0.0.0.0, UNSPECIFIED",
            "0.1.2.3, UNSPECIFIED",
            "::, UNSPECIFIED",
            "224.0.0.1, MULTICAST",
            "239.255.255.250, MULTICAST",
            "ff02::1, MULTICAST",
            "255.255.255.255, BROADCAST",
            "240.0.0.1, RESERVED",
            "192.0.2.1, RESERVED",
            "198.18.0.1, RESERVED",
            "198.51.100.1, RESERVED",
            "203.0.113.1, RESERVED",
            "2001:db8::1, RESERVED",
            "2001::1, RESERVED",
            "100::1, RESERVED",
    })
    void classifiesAddresses(String address, AddressKind expected) {
        assertThat(AddressClassifier.classify(ip(address))).isEqualTo(expected);
    }

    @Test
    void publicAddressesPassAndEverythingElseIsRefusedWithTheReason() {
        assertThat(STRICT.refuseAddress("8.8.8.8", ip("8.8.8.8"), true)).isNull();
        assertThat(STRICT.refuseAddress("127.0.0.1", ip("127.0.0.1"), true)).isEqualTo("refused: 127.0.0.1 is a loopback address");
        assertThat(STRICT.refuseAddresses("evil.example", List.of(ip("10.1.2.3"))))
                .isEqualTo("refused: evil.example resolves to 10.1.2.3, a private address");
        assertThat(STRICT.refuseAddress("169.254.169.254", ip("169.254.169.254"), true)).contains("cloud metadata");
    }

    @Test
    void aNameIsRefusedWhenAnyOfItsAddressesIsInternal() {
        assertThat(STRICT.refuseAddresses("mixed.example", List.of(ip("93.184.216.34"), ip("127.0.0.1"))))
                .isEqualTo("refused: mixed.example resolves to 127.0.0.1, a loopback address");
        assertThat(STRICT.refuseAddresses("nothing.example", List.of())).isEqualTo("cannot resolve nothing.example");
    }

    @Test
    void namesOfLoopbackAndMetadataServicesAreRefusedBeforeAnyLookup() {
        assertThat(STRICT.refuseName("localhost")).isEqualTo("refused: localhost is a loopback name");
        assertThat(STRICT.refuseName("app.localhost")).contains("loopback name");
        assertThat(STRICT.refuseName("metadata.google.internal")).contains("cloud metadata name");
        assertThat(STRICT.refuseName("www.example.com")).isNull();
    }

    @Test
    void theAllowListOpensNamedHostsAndBlocksButNeverMetadata() {
        AddressGuard intranet = new AddressGuard(AllowList.parse(List.of("wiki.corp", "*.intra.example", "10.20.0.0/16", "fd12::/16", "127.0.0.1")));
        assertThat(intranet.refuseAddresses("wiki.corp", List.of(ip("192.168.7.7")))).isNull();
        assertThat(intranet.refuseAddresses("docs.intra.example", List.of(ip("172.16.1.1")))).isNull();
        assertThat(intranet.refuseAddresses("other.corp", List.of(ip("10.20.3.4")))).isNull();
        assertThat(intranet.refuseAddresses("other.corp", List.of(ip("10.21.3.4")))).contains("private address");
        assertThat(intranet.refuseAddresses("v6.corp", List.of(ip("fd12:1::5")))).isNull();
        assertThat(intranet.refuseAddress("127.0.0.1", ip("127.0.0.1"), true)).isNull();
        assertThat(intranet.refuseAddress("127.0.0.2", ip("127.0.0.2"), true)).contains("loopback");
        assertThat(intranet.refuseAddresses("wiki.corp", List.of(ip("169.254.169.254")))).contains("cloud metadata");
        AddressGuard metadataListed = new AddressGuard(AllowList.parse(List.of("169.254.169.254", "0.0.0.0/0")));
        assertThat(metadataListed.refuseAddress("169.254.169.254", ip("169.254.169.254"), true)).contains("cloud metadata");
        assertThat(metadataListed.refuseAddress("0.0.0.0", ip("0.0.0.0"), true)).contains("unspecified");
    }

    @Test
    void badAllowListEntriesFailAtStartUp() {
        for (String bad : List.of("", "10.0.0.0/33", "not a host", "999.1.1.1/8", "fd12::zz/16")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> AllowList.parse(List.of(bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(literal));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}

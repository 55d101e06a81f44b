package dev.outreach2day.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlGuardTest {

    static final String PUBLIC_ONLY = "webhooks go to public addresses only";

    /** A resolver that knows a few names and records what it was asked; it never asks DNS. */
    static final class StubResolver implements UrlGuard.Resolver {

        final Map<String, InetAddress[]> names = new HashMap<>();
        final List<String> asked = new ArrayList<>();

        StubResolver with(String name, String... addresses) {
            InetAddress[] resolved = new InetAddress[addresses.length];
            for (int i = 0; i < addresses.length; i++) {
                resolved[i] = InetAddress.ofLiteral(addresses[i]);
            }
            names.put(name, resolved);
            return this;
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            asked.add(host);
            InetAddress[] found = names.get(host);
            if (found == null) {
                throw new UnknownHostException(host);
            }
            return found;
        }
    }

    final StubResolver dns = new StubResolver()
            .with("localhost", "127.0.0.1", "::1")
            .with("hooks.example.com", "93.184.216.34")
            .with("intranet.example.com", "10.0.0.5")
            .with("split.example.com", "93.184.216.34", "192.168.1.10")
            .with("v6.example.com", "2606:2800:220:1:248:1893:25c8:1946")
            .with("ula.example.com", "fd12:3456::1");
    final UrlGuard guard = new UrlGuard(false, dns);

    UrlGuard.Target accepted(String url) throws UrlGuard.Refused {
        return guard.check(url);
    }

    String refusal(String url) {
        try {
            UrlGuard.Target target = guard.check(url);
            throw new AssertionError(url + " was accepted as " + target);
        } catch (UrlGuard.Refused refused) {
            return refused.getMessage();
        }
    }

    @Test
    void aPublicIpAddressIsAccepted() throws Exception {
        UrlGuard.Target target = accepted("https://93.184.216.34/hooks?x=1");
        assertThat(target.uri()).hasToString("https://93.184.216.34/hooks?x=1");
        assertThat(target.addresses()).containsExactly(InetAddress.ofLiteral("93.184.216.34"));
        assertThat(dns.asked).as("an IP address needs no DNS").isEmpty();
    }

    @Test
    void aPublicHostNameIsAcceptedWithTheAddressesItResolvedTo() throws Exception {
        UrlGuard.Target target = accepted("HTTPS://Hooks.Example.com:8443/in#section");
        assertThat(target.uri()).hasToString("https://hooks.example.com:8443/in");
        assertThat(target.addresses()).containsExactly(InetAddress.ofLiteral("93.184.216.34"));
        assertThat(accepted("http://v6.example.com").addresses()).hasSize(1);
        assertThat(accepted("https://[2606:2800:220:1:248:1893:25c8:1946]/").addresses()).hasSize(1);
        assertThat(accepted("https://hooks.example.com").uri()).hasToString("https://hooks.example.com");
    }

    @Test
    void loopbackPrivateAndLinkLocalAddressesAreRefused() {
        assertThat(refusal("http://127.0.0.1/"))
                .isEqualTo("the URL's host 127.0.0.1 is a loopback address; " + PUBLIC_ONLY);
        assertThat(refusal("http://127.8.9.10:8080/")).contains("a loopback address");
        assertThat(refusal("http://[::1]/")).isEqualTo("the URL's host [::1] is a loopback address; " + PUBLIC_ONLY);
        assertThat(refusal("http://10.1.2.3/")).contains("10.1.2.3 is a private address");
        assertThat(refusal("http://172.16.0.1/")).contains("a private address");
        assertThat(refusal("http://172.31.255.255/")).contains("a private address");
        assertThat(refusal("http://192.168.1.1/")).contains("a private address");
        assertThat(refusal("http://169.254.169.254/latest/meta-data/")).contains("a link-local address");
        assertThat(refusal("http://0.0.0.0/")).contains("\"this network\"");
        assertThat(refusal("http://100.64.0.1/")).contains("carrier-grade NAT");
        assertThat(refusal("http://224.0.0.1/")).contains("a multicast address");
        assertThat(refusal("http://255.255.255.255/")).contains("the broadcast address");
        assertThat(refusal("http://240.0.0.1/")).contains("a reserved address");
        assertThat(refusal("http://192.0.0.8/")).contains("IETF protocol assignments");
        assertThat(refusal("http://198.18.0.1/")).contains("a benchmarking address");
        assertThat(refusal("http://198.19.255.255/")).contains("a benchmarking address");
        assertThat(refusal("http://192.0.2.10/")).contains("a documentation address");
        assertThat(dns.asked).isEmpty();
    }

    @Test
    void neighboursOfTheRefusedBlocksArePublic() throws Exception {
        for (String ip : List.of("172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1",
                "169.253.1.1", "198.17.255.255", "198.20.0.1", "11.0.0.1", "223.255.255.255", "1.1.1.1")) {
            assertThat(accepted("https://" + ip + "/").addresses()).as(ip).hasSize(1);
        }
    }

    @Test
    void localhostByNameIsRefused() {
        assertThat(refusal("http://localhost:8080/hook"))
                .isEqualTo("the URL's host resolves to 127.0.0.1, a loopback address; " + PUBLIC_ONLY);
    }

    // Each of these is 127.0.0.1 to browsers, curl and inet_aton.
    @ParameterizedTest
    @ValueSource(strings = {"2130706433", "0x7f000001", "0X7F000001", "017700000001", "0177.0.0.1", "127.1",
            "0x7f.0.0.1", "0x7f.1", "127.0.1", "127.0.0.1.", "①②⑦.0.0.1", "127。0。0。1"})
    void otherSpellingsOfLoopbackAreRecognisedWithoutDns(String host) {
        assertThat(refusal("http://" + host + "/"))
                .isEqualTo("the URL's host " + host + " stands for 127.0.0.1, a loopback address; " + PUBLIC_ONLY);
        assertThat(dns.asked).isEmpty();
    }

    @Test
    void otherSpellingsOfPrivateAndMetadataAddressesAreRecognised() {
        assertThat(refusal("http://0xa9fea9fe/")).contains("stands for 169.254.169.254, a link-local address");
        assertThat(refusal("http://2852039166/")).contains("stands for 169.254.169.254");
        assertThat(refusal("http://10.1/")).contains("stands for 10.0.0.1, a private address");
        assertThat(refusal("http://0/")).contains("stands for 0.0.0.0");
        assertThat(refusal("http://0300.0250.1.1/")).contains("stands for 192.168.1.1");
    }

    @Test
    void aPublicAddressInAnotherSpellingIsAcceptedAndWrittenAsADottedQuad() throws Exception {
        UrlGuard.Target target = accepted("https://1572395042:443/x");
        assertThat(target.uri()).hasToString("https://93.184.216.34:443/x");
        assertThat(target.addresses()).containsExactly(InetAddress.ofLiteral("93.184.216.34"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4.5", "256.0.0.1", "1.256.1", "4294967296", "08.0.0.1", "0x", "0x1.0x",
            "1.2.3.09", "example.0x7f", "foo.127"})
    void hostsThatLookNumericButAreNotAddressesAreRefusedNotLookedUp(String host) {
        assertThat(refusal("http://" + host + "/")).contains("looks like an IP address but is not a valid one");
        assertThat(dns.asked).isEmpty();
    }

    @Test
    void theIpv4ParserAgreesWithTheJdksPosixParser() {
        for (String text : List.of("2130706433", "0x7f000001", "017700000001", "0177.0.0.1", "127.1", "0x7f.0.0.1",
                "0x7f.1", "10.0x10.010.1", "1.2.65535", "1.16777215", "4294967295", "0", "0.0.0.0", "0xff.0377.255.0")) {
            assertThat(UrlGuard.numericIpv4(text)).as(text).isEqualTo(Inet4Address.ofPosixLiteral(text));
        }
        for (String text : List.of("1.2.65536", "1.16777216", "4294967296", "256.1", "08", "0x", "1.2.3.4.5", "")) {
            assertThat(UrlGuard.numericIpv4(text)).as(text).isNull();
            assertThatThrownBy(() -> Inet4Address.ofPosixLiteral(text)).as(text)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void ipv6FormsOfRefusedAddressesAreRefused() {
        assertThat(refusal("http://[::ffff:127.0.0.1]/")).contains("stands for 127.0.0.1, a loopback address");
        assertThat(refusal("http://[::ffff:7f00:1]/")).contains("stands for 127.0.0.1, a loopback address");
        assertThat(refusal("http://[::ffff:a9fe:a9fe]/")).contains("169.254.169.254, a link-local address");
        assertThat(refusal("http://[fd00::1]/")).isEqualTo("the URL's host [fd00::1] is a unique local (private) address; "
                + PUBLIC_ONLY);
        assertThat(refusal("http://[fe80::1]/")).contains("a link-local address");
        assertThat(refusal("http://[ff02::1]/")).contains("a multicast address");
        assertThat(refusal("http://[::]/")).contains("the unspecified address");
        assertThat(refusal("http://[::127.0.0.1]/")).contains("an IPv4-compatible form of 127.0.0.1, a loopback address");
        assertThat(refusal("http://[64:ff9b::10.0.0.1]/")).contains("a NAT64 form of 10.0.0.1, a private address");
        assertThat(refusal("http://[64:ff9b:1::1]/")).contains("a local-use NAT64 address");
        assertThat(refusal("http://[::ffff:0:192.168.0.1]/")).contains("an IPv4-translated form of 192.168.0.1");
        assertThat(refusal("http://[2002:7f00:1::1]/")).contains("a 6to4 form of 127.0.0.1");
        assertThat(refusal("http://[2001:db8::1]/")).contains("a documentation address");
        assertThat(refusal("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/")).contains("a Teredo address");
        assertThat(refusal("http://[fe80::1%25eth0]/")).contains("must not name a network interface");
        assertThat(dns.asked).isEmpty();
    }

    @Test
    void ipv6FormsOfPublicIpv4AddressesAreAccepted() throws Exception {
        assertThat(accepted("https://[::ffff:93.184.216.34]/").addresses())
                .containsExactly(InetAddress.ofLiteral("93.184.216.34"));
        assertThat(accepted("https://[64:ff9b::93.184.216.34]/").addresses()).hasSize(1);
    }

    @Test
    void aHostNameThatResolvesToAPrivateAddressIsRefused() {
        assertThat(refusal("https://intranet.example.com/hook"))
                .isEqualTo("the URL's host resolves to 10.0.0.5, a private address; " + PUBLIC_ONLY);
        assertThat(refusal("https://ula.example.com/hook")).contains("fd12:3456::1, a unique local (private) address");
    }

    @Test
    void oneNonPublicAddressAmongPublicOnesIsEnoughToRefuse() {
        assertThat(refusal("https://split.example.com/hook"))
                .isEqualTo("the URL's host resolves to 192.168.1.10, a private address; " + PUBLIC_ONLY);
    }

    @Test
    void aResolverAnsweringWithAnIpv4MappedIpv6AddressIsJudgedByTheIpv4Address() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
        UrlGuard mappedDns = new UrlGuard(false, host -> new InetAddress[] {Inet6Address.getByAddress(host, mapped, -1)});
        assertThatThrownBy(() -> mappedDns.check("https://sneaky.example.com/"))
                .isInstanceOf(UrlGuard.Refused.class)
                .hasMessage("the URL's host resolves to ::ffff:7f00:1, an IPv4-mapped form of 127.0.0.1, "
                        + "a loopback address; " + PUBLIC_ONLY);
    }

    @Test
    void everyCheckResolvesAgainSoARebindingIsCaughtAtConnectTime() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        UrlGuard rebinding = new UrlGuard(false, host -> new InetAddress[] {
                InetAddress.ofLiteral(calls.incrementAndGet() == 1 ? "93.184.216.34" : "127.0.0.1")});

        assertThat(rebinding.check("https://rebind.example.com/hook").addresses())
                .containsExactly(InetAddress.ofLiteral("93.184.216.34"));
        assertThatThrownBy(() -> rebinding.check("https://rebind.example.com/hook"))
                .isInstanceOf(UrlGuard.Refused.class)
                .hasMessageContaining("resolves to 127.0.0.1, a loopback address");
        assertThat(calls).hasValue(2);
    }

    @Test
    void anUnknownHostIsRefused() {
        assertThat(refusal("https://nowhere.example.com/")).isEqualTo("cannot resolve the URL's host nowhere.example.com");
        UrlGuard empty = new UrlGuard(false, host -> new InetAddress[0]);
        assertThatThrownBy(() -> empty.check("https://empty.example.com/")).hasMessageContaining("cannot resolve");
    }

    @Test
    void onlyAbsoluteHttpAndHttpsUrlsAreAccepted() {
        assertThat(refusal("ftp://93.184.216.34/file")).isEqualTo("the webhook URL must start with https:// or http://, not ftp:");
        assertThat(refusal("javascript:alert(1)")).contains("not javascript:");
        assertThat(refusal("file:///etc/passwd")).contains("not file:");
        assertThat(refusal("gopher://93.184.216.34/")).contains("not gopher:");
        assertThat(refusal("/hooks/in")).startsWith("the webhook URL must be absolute");
        assertThat(refusal("hooks.example.com/in")).startsWith("the webhook URL must be absolute");
        assertThat(refusal("http:hooks.example.com")).isEqualTo("the webhook URL has no host");
        assertThat(refusal("http:///path")).isEqualTo("the webhook URL has no host");
        assertThat(refusal("http://:80/")).isEqualTo("the webhook URL has no host");
    }

    @Test
    void userInfoIsRefused() {
        assertThat(refusal("https://user:pass@hooks.example.com/"))
                .isEqualTo("the webhook URL must not contain a user name or password");
        assertThat(refusal("https://hooks.example.com@127.0.0.1/")).contains("user name or password");
        assertThat(refusal("https://user@hooks.example.com/")).contains("user name or password");
    }

    @Test
    void malformedAndOverlongUrlsAreRefused() {
        assertThat(refusal(null)).isEqualTo("a webhook URL is required");
        assertThat(refusal("  ")).isEqualTo("a webhook URL is required");
        assertThat(refusal("https://hooks.example.com/ space")).isEqualTo("the webhook URL is not a valid URL");
        assertThat(refusal("https://hooks.example.com\\@127.0.0.1/")).isEqualTo("the webhook URL is not a valid URL");
        assertThat(refusal("https://%31%32%37.0.0.1/")).contains("is not a valid host name");
        assertThat(refusal("https://hooks.example.com:0/")).contains("port must be a number from 1 to 65535");
        assertThat(refusal("https://hooks.example.com:65536/")).contains("port");
        String path = "/" + "a".repeat(UrlGuard.MAX_LENGTH);
        assertThat(refusal("https://hooks.example.com" + path)).isEqualTo("the webhook URL is longer than 2048 characters");
    }

    @Test
    void aUrlOfExactlyTheMaximumLengthIsAccepted() throws Exception {
        String prefix = "https://hooks.example.com/";
        String url = prefix + "a".repeat(UrlGuard.MAX_LENGTH - prefix.length());
        assertThat(accepted(url).uri()).hasToString(url);
    }

    @Test
    void allowPrivateLetsLocalAddressesThroughForDevelopment() throws Exception {
        UrlGuard dev = new UrlGuard(true, dns);
        assertThat(dev.check("http://127.0.0.1:8080/hook").addresses()).containsExactly(InetAddress.ofLiteral("127.0.0.1"));
        assertThat(dev.check("http://localhost:8080/hook").addresses()).hasSize(2);
        assertThat(dev.check("http://0x7f000001/").uri()).hasToString("http://127.0.0.1/");
        assertThat(dev.check("http://[::1]/").addresses()).hasSize(1);
        // The other rules still hold.
        assertThatThrownBy(() -> dev.check("ftp://127.0.0.1/")).isInstanceOf(UrlGuard.Refused.class);
        assertThatThrownBy(() -> dev.check("http://nowhere.example.com/")).hasMessageContaining("cannot resolve");
    }

    @Test
    void addressesAreFormattedTheWayPeopleWriteThem() {
        assertThat(UrlGuard.format(InetAddress.ofLiteral("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(UrlGuard.format(InetAddress.ofLiteral("fe80:0:0:0:0:0:0:0"))).isEqualTo("fe80::");
        assertThat(UrlGuard.format(InetAddress.ofLiteral("0:0:0:0:0:0:0:0"))).isEqualTo("::");
        assertThat(UrlGuard.format(InetAddress.ofLiteral("2001:db8:1:1:1:1:0:1"))).isEqualTo("2001:db8:1:1:1:1:0:1");
        assertThat(UrlGuard.format(InetAddress.ofLiteral("10.0.0.5"))).isEqualTo("10.0.0.5");
    }
}

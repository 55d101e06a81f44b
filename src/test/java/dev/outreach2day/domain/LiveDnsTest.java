package dev.outreach2day.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LiveDnsTest {

    DnsServerTest.MemorySource source;
    DnsServer server;
    LiveDns live;

    @BeforeEach
    void start() throws java.io.IOException {
        source = DnsServerTest.sampleZones();
        server = new DnsServer(source, 0);
        server.start();
        live = new LiveDns("127.0.0.1:" + server.port(), Duration.ofSeconds(3));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void readsEachRecordType() {
        assertThat(live.txt("example.com")).containsExactlyInAnyOrder(DnsServerTest.SPF, DnsServerTest.VERIFY);
        assertThat(live.mx("example.com")).containsExactly(
                new LiveDns.Mx(10, "mx1.example.com"), new LiveDns.Mx(20, "mx2.example.net"));
        assertThat(live.a("mail.example.com")).containsExactly("192.0.2.25");
        assertThat(live.ns("example.com")).containsExactly("ns1.example.com");
        assertThat(live.cname("www.example.com")).contains("example.com");
        assertThat(live.txt("s1._domainkey.example.com.")).containsExactly(DnsServerTest.DKIM);
    }

    @Test
    void nxdomainAndNodataAreEmptyNotFailures() {
        assertThat(live.txt("nothing.example.com")).isEmpty();
        assertThat(live.mx("nothing.example.com")).isEmpty();
        assertThat(live.a("nothing.example.com")).isEmpty();
        assertThat(live.cname("nothing.example.com")).isEmpty();
        assertThat(live.txt("mail.example.com")).isEmpty();
        assertThat(live.cname("mail.example.com")).isEmpty();
    }

    @Test
    void refusedAndServfailAreFailures() {
        assertThatThrownBy(() -> live.txt("example.net"))
                .isInstanceOfSatisfying(LiveDns.LookupFailed.class, e -> {
                    assertThat(e.timeout()).isFalse();
                    assertThat(e.name()).isEqualTo("example.net");
                    assertThat(e.type()).isEqualTo("TXT");
                    assertThat(e.getMessage()).contains("REFUSED").contains("127.0.0.1:" + server.port());
                });
        source.failure = new IllegalStateException("boom");
        assertThatThrownBy(() -> live.mx("example.com"))
                .isInstanceOf(LiveDns.LookupFailed.class)
                .hasMessageContaining("SERVFAIL");
    }

    @Test
    void timesOutAgainstASilentServer() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            LiveDns slow = new LiveDns("127.0.0.1:" + silent.getLocalPort(), Duration.ofMillis(500));
            long started = System.nanoTime();
            assertThatThrownBy(() -> slow.txt("example.com"))
                    .isInstanceOfSatisfying(LiveDns.LookupFailed.class, e -> {
                        assertThat(e.timeout()).isTrue();
                        assertThat(e.getMessage()).contains("timed out after 500ms").contains("TXT example.com");
                    });
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(elapsedMillis).isBetween(400L, 2_500L);
        }
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> live.txt(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> live.txt("a".repeat(64) + ".example.com")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LiveDns("127.0.0.1:99999", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LiveDns("127.0.0.1:53", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesResolverAddresses() {
        assertThat(LiveDns.parseHostPort("127.0.0.1:5353")).isEqualTo(new InetSocketAddress("127.0.0.1", 5353));
        assertThat(LiveDns.parseHostPort("127.0.0.1").getPort()).isEqualTo(53);
        assertThat(LiveDns.parseHostPort("[::1]:5300").getPort()).isEqualTo(5300);
        assertThat(LiveDns.parseHostPort("[::1]:5300").getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(LiveDns.parseHostPort("::1").getPort()).isEqualTo(53);
        assertThatThrownBy(() -> LiveDns.parseHostPort("127.0.0.1:x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LiveDns.parseHostPort("[::1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void systemResolversNeedNoAddress() {
        LiveDns system = new LiveDns(null, Duration.ofSeconds(2));
        assertThat(system.toString()).contains("system resolvers");
        assertThat(new LiveDns(" ", null).toString()).contains("timeout 5000ms");
    }
}

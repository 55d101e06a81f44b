package dev.outreach2day.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class DnsServerTest {

    static final String SPF = "v=spf1 include:_spf.outreach2day.test ~all";
    static final String VERIFY = "outreach2day-verification=3f9a1c0e";
    static final String DKIM = dkim(400);

    /** Thread-safe in-memory zones and records, as the lead's zone store will be. */
    static final class MemorySource implements DnsRecordSource {
        final Set<String> zones;
        final List<DnsProvider.RecordSpec> records = new CopyOnWriteArrayList<>();
        volatile RuntimeException failure;

        MemorySource(String... zones) {
            this.zones = Set.of(zones);
        }

        MemorySource add(String type, String name, String value) {
            records.add(new DnsProvider.RecordSpec(type, name, value, 300, null));
            return this;
        }

        MemorySource mx(String name, int priority, String host) {
            records.add(new DnsProvider.RecordSpec("MX", name, host, 300, priority));
            return this;
        }

        @Override
        public List<DnsProvider.RecordSpec> recordsAt(String name) {
            if (failure != null) {
                throw failure;
            }
            return records.stream().filter(r -> r.name().equals(name)).toList();
        }

        @Override
        public Optional<String> zoneOf(String name) {
            return zones.stream()
                    .filter(z -> name.equals(z) || name.endsWith("." + z))
                    .max((a, b) -> Integer.compare(a.length(), b.length()));
        }

        @Override
        public boolean hasNamesBelow(String name) {
            return records.stream().anyMatch(r -> r.name().endsWith("." + name));
        }
    }

    static String dkim(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        StringBuilder sb = new StringBuilder("v=DKIM1; k=rsa; p=");
        Random random = new Random(42);
        while (sb.length() < length) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    static List<String> bigTxt() {
        return IntStream.range(0, 20)
                .mapToObj(i -> String.format("record-%02d-", i) + "x".repeat(90))
                .toList();
    }

    static MemorySource sampleZones() {
        MemorySource s = new MemorySource("example.com", "sub.other.test");
        s.add("A", "example.com", "192.0.2.10")
                .add("AAAA", "example.com", "2001:db8::1")
                .mx("example.com", 20, "mx2.example.net")
                .mx("example.com", 10, "MX1.Example.com.")
                .add("TXT", "example.com", SPF)
                .add("TXT", "example.com", VERIFY)
                .add("TXT", "s1._domainkey.example.com", DKIM)
                .add("TXT", "utf.example.com", "é".repeat(200))
                .add("TXT", "empty.example.com", "")
                .add("TXT", "quote.example.com", "say \"hi\"; back\\slash")
                .add("A", "mail.example.com", "192.0.2.25")
                .add("A", "mx1.example.com", "192.0.2.26")
                .add("CNAME", "www.example.com", "example.com")
                .add("CNAME", "chain.example.com", "www.example.com")
                .add("CNAME", "ext.example.com", "target.elsewhere.org")
                .add("CNAME", "dangling.example.com", "missing.example.com")
                .add("CNAME", "loop1.example.com", "loop2.example.com")
                .add("CNAME", "loop2.example.com", "loop1.example.com")
                .add("CNAME", "cross.example.com", "host.sub.other.test")
                .add("A", "host.sub.other.test", "198.51.100.7")
                .add("CAA", "example.com", "0 issue \"letsencrypt.org\"")
                .add("A", "bad.example.com", "not-an-ip");
        for (String v : bigTxt()) {
            s.add("TXT", "big.example.com", v);
        }
        return s;
    }

    MemorySource source;
    DnsServer server;
    InetAddress loopback = InetAddress.getLoopbackAddress();

    @BeforeEach
    void start() throws IOException {
        source = sampleZones();
        server = new DnsServer(source, 0);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ------------------------------------------------------------------ helpers

    SimpleResolver resolver(boolean tcp) {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(loopback, server.port()));
        r.setTCP(tcp);
        r.setTimeout(Duration.ofSeconds(3));
        return r;
    }

    Message query(String name, int type, boolean tcp) throws IOException {
        return resolver(tcp).send(Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN)));
    }

    LiveDns live() {
        return new LiveDns("127.0.0.1:" + server.port(), Duration.ofSeconds(3));
    }

    static List<Record> answer(Message m) {
        return m.getSection(Section.ANSWER);
    }

    static SOARecord authoritySoa(Message m) {
        List<Record> authority = m.getSection(Section.AUTHORITY);
        assertThat(authority).hasSize(1);
        assertThat(authority.getFirst()).isInstanceOf(SOARecord.class);
        return (SOARecord) authority.getFirst();
    }

    byte[] udpExchange(byte[] payload, int waitMillis) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            socket.setSoTimeout(waitMillis);
            socket.send(new DatagramPacket(payload, payload.length, loopback, server.port()));
            byte[] buf = new byte[65_535];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(in);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return java.util.Arrays.copyOf(buf, in.getLength());
        }
    }

    // ------------------------------------------------------------------ record types

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void answersAAuthoritativelyOverUdpAndTcp(boolean tcp) throws IOException {
        Message m = query("example.com", Type.A, tcp);

        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(m.getQuestion().getName()).isEqualTo(Name.fromString("example.com."));
        assertThat(answer(m)).singleElement().satisfies(r -> {
            assertThat(r).isInstanceOf(ARecord.class);
            assertThat(((ARecord) r).getAddress().getHostAddress()).isEqualTo("192.0.2.10");
            assertThat(r.getTTL()).isEqualTo(300);
        });
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void answersAaaaMxTxtOverUdpAndTcp(boolean tcp) throws IOException {
        Message aaaa = query("example.com", Type.AAAA, tcp);
        assertThat(answer(aaaa)).singleElement()
                .satisfies(r -> assertThat(((AAAARecord) r).getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1"));

        Message mx = query("example.com", Type.MX, tcp);
        assertThat(answer(mx)).hasSize(2).allSatisfy(r -> assertThat(r).isInstanceOf(MXRecord.class));
        // names compare case-insensitively (name compression may borrow the question's case)
        assertThat(answer(mx).stream().map(r -> ((MXRecord) r).getPriority() + " " + ((MXRecord) r).getTarget().toString().toLowerCase()))
                .containsExactlyInAnyOrder("10 mx1.example.com.", "20 mx2.example.net.");

        Message txt = query("example.com", Type.TXT, tcp);
        assertThat(answer(txt).stream().map(r -> String.join("", ((TXTRecord) r).getStrings())))
                .containsExactlyInAnyOrder(SPF, VERIFY);
    }

    @Test
    void synthesisesSoaAndNsAtTheApex() throws IOException {
        Message soa = query("example.com", Type.SOA, false);
        assertThat(soa.getHeader().getFlag(Flags.AA)).isTrue();
        SOARecord s = (SOARecord) answer(soa).getFirst();
        assertThat(s.getHost()).isEqualTo(Name.fromString("ns1.example.com."));
        assertThat(s.getAdmin()).isEqualTo(Name.fromString("hostmaster.example.com."));
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        long expected = (today.getYear() * 10_000L + today.getMonthValue() * 100L + today.getDayOfMonth()) * 100L;
        assertThat(s.getSerial()).isBetween(expected, expected + 100); // day may roll over mid-test
        assertThat(s.getMinimum()).isEqualTo(60);
        assertThat(s.getRefresh()).isPositive();
        assertThat(s.getExpire()).isGreaterThan(s.getRefresh());

        Message ns = query("example.com", Type.NS, true);
        assertThat(answer(ns)).singleElement()
                .satisfies(r -> assertThat(((NSRecord) r).getTarget()).isEqualTo(Name.fromString("ns1.example.com.")));

        // a nested zone has its own apex
        Message sub = query("sub.other.test", Type.SOA, false);
        assertThat(((SOARecord) answer(sub).getFirst()).getAdmin()).isEqualTo(Name.fromString("hostmaster.sub.other.test."));
    }

    @Test
    void nsRecordsFromTheSourceReplaceTheSynthesisedOnes() throws IOException {
        source.add("NS", "example.com", "ns-a.sandbox.test").add("NS", "example.com", "ns-b.sandbox.test");

        Message ns = query("example.com", Type.NS, false);
        assertThat(answer(ns).stream().map(r -> ((NSRecord) r).getTarget().toString()))
                .containsExactlyInAnyOrder("ns-a.sandbox.test.", "ns-b.sandbox.test.");
        SOARecord soa = (SOARecord) answer(query("example.com", Type.SOA, false)).getFirst();
        assertThat(soa.getHost()).isEqualTo(Name.fromString("ns-a.sandbox.test."));
    }

    @Test
    void servesOtherTypesFromPresentationFormatAndSkipsUnparseableRecords() throws IOException {
        Message caa = query("example.com", Type.CAA, false);
        assertThat(answer(caa)).singleElement().satisfies(r -> assertThat(r.rdataToString()).contains("letsencrypt.org"));

        Message bad = query("bad.example.com", Type.A, false);
        assertThat(bad.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer(bad)).isEmpty();
    }

    @Test
    void anyReturnsEverythingAtTheName() throws IOException {
        Message any = query("example.com", Type.ANY, true);
        assertThat(answer(any).stream().map(Record::getType))
                .contains(Type.SOA, Type.NS, Type.A, Type.AAAA, Type.MX, Type.TXT, Type.CAA);
    }

    // ------------------------------------------------------------------ TXT

    @Test
    void multipleTxtRecordsAtOneNameViaLiveDns() {
        assertThat(live().txt("example.com")).containsExactlyInAnyOrder(SPF, VERIFY);
    }

    @Test
    void longDkimTxtIsSplitIntoCharacterStringsAndRejoinsExactly() throws IOException {
        assertThat(DKIM).hasSize(400);
        for (boolean tcp : new boolean[] {false, true}) {
            Message m = query("s1._domainkey.example.com", Type.TXT, tcp);
            TXTRecord txt = (TXTRecord) answer(m).getFirst();
            assertThat(txt.getStringsAsByteArrays()).extracting(b -> b.length).containsExactly(255, 145);
        }
        assertThat(live().txt("s1._domainkey.example.com")).containsExactly(DKIM);
    }

    @Test
    void utf8TxtIsNeverSplitInsideACharacter() throws IOException {
        Message m = query("utf.example.com", Type.TXT, false);
        TXTRecord txt = (TXTRecord) answer(m).getFirst();
        assertThat(txt.getStringsAsByteArrays()).hasSizeGreaterThan(1).allSatisfy(part -> {
            assertThat(part.length).isLessThanOrEqualTo(255);
            try {
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(part));
            } catch (CharacterCodingException e) {
                throw new AssertionError("chunk split inside a UTF-8 character", e);
            }
        });
        assertThat(live().txt("utf.example.com")).containsExactly("é".repeat(200));
    }

    @Test
    void emptyAndSpecialCharacterTxtRoundTrip() {
        assertThat(live().txt("empty.example.com")).containsExactly("");
        assertThat(live().txt("quote.example.com")).containsExactly("say \"hi\"; back\\slash");
    }

    // ------------------------------------------------------------------ CNAME

    @Test
    void cnameAnswersEveryTypeAndIsFollowedInsideOurZones() throws IOException {
        Message m = query("www.example.com", Type.A, false);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(answer(m)).hasSize(2);
        assertThat(answer(m).get(0)).isInstanceOf(CNAMERecord.class);
        assertThat(((ARecord) answer(m).get(1)).getAddress().getHostAddress()).isEqualTo("192.0.2.10");
        assertThat(answer(m).get(1).getName()).isEqualTo(Name.fromString("example.com."));

        Message cname = query("www.example.com", Type.CNAME, false);
        assertThat(answer(cname)).singleElement().isInstanceOf(CNAMERecord.class);

        LiveDns live = live();
        assertThat(live.a("www.example.com")).containsExactly("192.0.2.10");
        assertThat(live.a("chain.example.com")).containsExactly("192.0.2.10");
        assertThat(live.txt("www.example.com")).containsExactlyInAnyOrder(SPF, VERIFY);
        assertThat(live.cname("www.example.com")).contains("example.com");
        assertThat(live.cname("chain.example.com")).contains("www.example.com");
        assertThat(live.cname("example.com")).isEmpty();
        assertThat(live.a("cross.example.com")).containsExactly("198.51.100.7");
    }

    @Test
    void cnameLeavingOurZonesStopsAtTheCname() throws IOException {
        Message m = query("ext.example.com", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(answer(m)).singleElement()
                .satisfies(r -> assertThat(((CNAMERecord) r).getTarget()).isEqualTo(Name.fromString("target.elsewhere.org.")));
        assertThat(live().cname("ext.example.com")).contains("target.elsewhere.org");
    }

    @Test
    void danglingCnameIsNxdomainWithTheCnameAndSoa() throws IOException {
        Message m = query("dangling.example.com", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(answer(m)).singleElement().isInstanceOf(CNAMERecord.class);
        assertThat(authoritySoa(m).getName()).isEqualTo(Name.fromString("example.com."));
        assertThat(live().a("dangling.example.com")).isEmpty();
    }

    @Test
    void cnameLoopIsCutShort() throws IOException {
        Message m = query("loop1.example.com", Type.A, true);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer(m)).hasSize(2).allSatisfy(r -> assertThat(r).isInstanceOf(CNAMERecord.class));
        assertThatThrownBy(() -> live().a("loop1.example.com"))
                .isInstanceOf(LiveDns.LookupFailed.class)
                .hasMessageContaining("CNAME loop");
    }

    // ------------------------------------------------------------------ negative answers

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void nxdomainCarriesTheSoa(boolean tcp) throws IOException {
        Message m = query("nope.example.com", Type.A, tcp);
        assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(answer(m)).isEmpty();
        SOARecord soa = authoritySoa(m);
        assertThat(soa.getName()).isEqualTo(Name.fromString("example.com."));
        assertThat(soa.getTTL()).isLessThanOrEqualTo(60);
        assertThat(live().txt("nope.example.com")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void nodataIsNoerrorWithEmptyAnswerAndSoa(boolean tcp) throws IOException {
        Message m = query("mail.example.com", Type.TXT, tcp);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(answer(m)).isEmpty();
        assertThat(authoritySoa(m).getName()).isEqualTo(Name.fromString("example.com."));

        Message apexCname = query("example.com", Type.CNAME, tcp);
        assertThat(apexCname.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer(apexCname)).isEmpty();
        authoritySoa(apexCname);

        assertThat(live().txt("mail.example.com")).isEmpty();
        assertThat(live().mx("mail.example.com")).isEmpty();
    }

    @Test
    void emptyNonTerminalIsNodataNotNxdomain() throws IOException {
        Message m = query("_domainkey.example.com", Type.TXT, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer(m)).isEmpty();
        authoritySoa(m);
    }

    @Test
    void refusesNamesOutsideEveryZone() throws IOException {
        for (String name : List.of("example.org", "other.test", "notexample.com", "com")) {
            Message m = query(name, Type.A, false);
            assertThat(m.getRcode()).as(name).isEqualTo(Rcode.REFUSED);
            assertThat(m.getHeader().getFlag(Flags.AA)).as(name).isFalse();
            assertThat(answer(m)).as(name).isEmpty();
        }
        assertThatThrownBy(() -> live().a("example.org"))
                .isInstanceOf(LiveDns.LookupFailed.class)
                .hasMessageContaining("REFUSED");
    }

    @Test
    void sourceFailureIsServfailNotAnEmptyAnswer() throws IOException {
        source.failure = new IllegalStateException("database down");
        Message m = query("example.com", Type.TXT, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThatThrownBy(() -> live().txt("example.com"))
                .isInstanceOf(LiveDns.LookupFailed.class)
                .hasMessageContaining("SERVFAIL");
        source.failure = null;
        assertThat(live().txt("example.com")).hasSize(2);
    }

    // ------------------------------------------------------------------ truncation

    @Test
    void largeUdpAnswerIsTruncatedAndTcpRetryYieldsEverything() throws IOException {
        int fullSize = query("big.example.com", Type.TXT, true).toWire().length;
        assertThat(fullSize).isGreaterThan(DnsServer.EDNS_UDP_PAYLOAD);

        SimpleResolver plain = resolver(false);
        plain.setEDNS(-1);
        plain.setIgnoreTruncation(true);
        Message truncated = plain.send(Message.newQuery(Record.newRecord(Name.fromString("big.example.com."), Type.TXT, DClass.IN)));
        assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(answer(truncated)).hasSizeLessThan(20);
        assertThat(truncated.toWire().length).isLessThanOrEqualTo(512);

        SimpleResolver edns = resolver(false);
        edns.setIgnoreTruncation(true);
        Message truncatedEdns = edns.send(Message.newQuery(Record.newRecord(Name.fromString("big.example.com."), Type.TXT, DClass.IN)));
        assertThat(truncatedEdns.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(truncatedEdns.getOPT()).isNotNull();

        // dnsjava retries over TCP when it sees TC
        Message full = query("big.example.com", Type.TXT, false);
        assertThat(full.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(answer(full)).hasSize(20);

        assertThat(live().txt("big.example.com")).containsExactlyInAnyOrderElementsOf(bigTxt());
    }

    @Test
    void smallAnswersFitInPlainUdp() throws IOException {
        SimpleResolver plain = resolver(false);
        plain.setEDNS(-1);
        plain.setIgnoreTruncation(true);
        Message m = plain.send(Message.newQuery(Record.newRecord(Name.fromString("example.com."), Type.TXT, DClass.IN)));
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(m.getOPT()).isNull();
        assertThat(answer(m)).hasSize(2);
    }

    // ------------------------------------------------------------------ names, ids, robustness

    @Test
    void namesAreCaseInsensitiveAndTheQuestionIsEchoed() throws IOException {
        Message m = query("WwW.ExAmPlE.CoM", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getQuestion().getName().toString()).isEqualTo("WwW.ExAmPlE.CoM.");
        assertThat(answer(m)).hasSize(2);

        assertThat(live().txt("EXAMPLE.COM.")).containsExactlyInAnyOrder(SPF, VERIFY);
        assertThat(live().mx("Example.Com")).containsExactly(
                new LiveDns.Mx(10, "mx1.example.com"), new LiveDns.Mx(20, "mx2.example.net"));
        assertThat(query("NOPE.example.COM", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void copiesTheQueryIdAndQuestion() throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("example.com."), Type.MX, DClass.IN));
        q.getHeader().setID(0x1234);
        byte[] raw = udpExchange(q.toWire(), 3000);
        assertThat(raw).isNotNull();
        Message r = new Message(raw);
        assertThat(r.getHeader().getID()).isEqualTo(0x1234);
        assertThat(r.getQuestion()).isEqualTo(q.getQuestion());
        assertThat(r.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(r.getHeader().getFlag(Flags.RA)).isFalse();
    }

    @Test
    void nonInternetClassIsRefused() throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH));
        Message r = resolver(false).send(q);
        assertThat(r.getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void zoneTransfersAreRefused() throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("example.com."), Type.AXFR, DClass.IN));
        q.getHeader().setID(77);
        byte[] raw = udpExchange(q.toWire(), 3000);
        assertThat(new Message(raw).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void garbageUdpNeverKillsTheServer() throws IOException {
        // too short for a header: dropped silently
        assertThat(udpExchange(new byte[] {1, 2, 3}, 300)).isNull();

        // a header claiming a question that is not there: FORMERR with the same id
        byte[] junk = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, (byte) 0xFF, (byte) 0xFF};
        byte[] raw = udpExchange(junk, 3000);
        assertThat(raw).isNotNull();
        Message formerr = new Message(raw);
        assertThat(formerr.getHeader().getID()).isEqualTo(0x1234);
        assertThat(formerr.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(formerr.getHeader().getFlag(Flags.QR)).isTrue();

        // a response (QR set) is never answered, so no reflection loops
        byte[] response = query("example.com", Type.A, false).toWire();
        assertThat(udpExchange(response, 300)).isNull();

        // random noise, including oversized datagrams
        Random random = new Random(7);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            for (int i = 0; i < 500; i++) {
                byte[] noise = new byte[random.nextInt(i % 50 == 0 ? 9000 : 600)];
                random.nextBytes(noise);
                if (noise.length > 2 && i % 2 == 0) {
                    noise[2] &= 0x7F; // looks like a query
                }
                socket.send(new DatagramPacket(noise, noise.length, loopback, server.port()));
            }
        }

        // a flood may legitimately cost a datagram or two (the socket buffer is finite), as it would
        // for any UDP server; the point is that the server is still there and answers
        assertThat(server.isRunning()).isTrue();
        assertThat(answer(queryWithRetries("example.com", Type.A))).hasSize(1);
        assertThat(answer(query("example.com", Type.A, true))).hasSize(1);
    }

    Message queryWithRetries(String name, int type) throws IOException {
        SimpleResolver r = resolver(false);
        r.setTimeout(Duration.ofSeconds(1));
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return r.send(q);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    @Test
    void mutatedQueriesAlwaysGetAWellFormedAnswerOrNone() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (int type : new int[] {Type.A, Type.TXT, Type.MX, Type.ANY, Type.SOA}) {
            Message q = Message.newQuery(Record.newRecord(Name.fromString("www.example.com."), type, DClass.IN));
            seeds.add(q.toWire());
            Message withOpt = q.clone();
            withOpt.addRecord(new org.xbill.DNS.OPTRecord(4096, 0, 0), Section.ADDITIONAL);
            seeds.add(withOpt.toWire());
        }
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            byte[] packet = seeds.get(random.nextInt(seeds.size())).clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                packet[random.nextInt(packet.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                packet = java.util.Arrays.copyOf(packet, random.nextInt(packet.length + 1));
            }
            boolean udp = random.nextBoolean();
            byte[] out = server.handle(packet, udp);
            if (packet.length < 12 || (packet[2] & 0x80) != 0) {
                assertThat(out).isNull();
                continue;
            }
            assertThat(out).isNotNull();
            assertThat(out.length).isLessThanOrEqualTo(udp ? DnsServer.EDNS_UDP_PAYLOAD : 65_535);
            Message reply = new Message(out);
            assertThat(reply.getHeader().getID()).isEqualTo(((packet[0] & 0xFF) << 8) | (packet[1] & 0xFF));
            assertThat(reply.getHeader().getFlag(Flags.QR)).isTrue();
        }
    }

    @Test
    void garbageTcpClosesThatConnectionOnly() throws IOException {
        try (Socket s = new Socket(loopback, server.port())) {
            s.setSoTimeout(3000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(0xFFFF); // longer than any query we accept
            out.write(new byte[100]);
            out.flush();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket s = new Socket(loopback, server.port())) {
            s.setSoTimeout(3000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] junk = new byte[40];
            new Random(3).nextBytes(junk);
            junk[2] = 0;
            out.writeShort(junk.length);
            out.write(junk);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] reply = new byte[in.readUnsignedShort()];
            in.readFully(reply);
            assertThat(new Message(reply).getRcode()).isEqualTo(Rcode.FORMERR);
        }
        assertThat(answer(query("example.com", Type.A, true))).hasSize(1);
    }

    @Test
    void answersSeveralQueriesOnOneTcpConnectionInOrder() throws IOException {
        try (Socket s = new Socket(loopback, server.port())) {
            s.setSoTimeout(3000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            List<Integer> ids = List.of(101, 102, 103);
            List<String> names = List.of("example.com.", "mail.example.com.", "nope.example.com.");
            for (int i = 0; i < 3; i++) {
                Message q = Message.newQuery(Record.newRecord(Name.fromString(names.get(i)), Type.A, DClass.IN));
                q.getHeader().setID(ids.get(i));
                byte[] wire = q.toWire();
                out.writeShort(wire.length);
                out.write(wire);
            }
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            List<Message> replies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] reply = new byte[in.readUnsignedShort()];
                in.readFully(reply);
                replies.add(new Message(reply));
            }
            assertThat(replies).extracting(m -> m.getHeader().getID()).containsExactlyElementsOf(ids);
            assertThat(replies).extracting(Message::getRcode)
                    .containsExactly(Rcode.NOERROR, Rcode.NOERROR, Rcode.NXDOMAIN);
        }
    }

    @Test
    void handlesConcurrentQueries() throws Exception {
        LiveDns live = live();
        List<Thread> threads = new ArrayList<>();
        Collection<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 50; i++) {
            boolean big = i % 5 == 0;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    if (big) {
                        assertThat(live.txt("big.example.com")).hasSize(20);
                    } else {
                        assertThat(live.txt("example.com")).hasSize(2);
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void reflectsChangesImmediately() {
        LiveDns live = live();
        assertThat(live.txt("_dmarc.example.com")).isEmpty();
        source.add("TXT", "_dmarc.example.com", "v=DMARC1; p=none");
        assertThat(live.txt("_dmarc.example.com")).containsExactly("v=DMARC1; p=none");
    }

    @Test
    void closeStopsAndStartRebinds() throws IOException {
        int port = server.port();
        assertThat(port).isPositive();
        server.start(); // no-op while running
        assertThat(server.port()).isEqualTo(port);

        server.close();
        server.close(); // idempotent
        assertThat(server.isRunning()).isFalse();
        assertThat(server.port()).isEqualTo(-1);
        LiveDns dead = new LiveDns("127.0.0.1:" + port, Duration.ofMillis(500));
        assertThatThrownBy(() -> dead.a("example.com")).isInstanceOf(LiveDns.LookupFailed.class);

        server.start();
        assertThat(server.isRunning()).isTrue();
        assertThat(answer(query("example.com", Type.A, false))).hasSize(1);
    }

    @Test
    void fixedPortBindsUdpAndTcpTogether() throws IOException {
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            port = probe.getLocalPort();
        }
        try (DnsServer fixed = new DnsServer(source, loopback, port)) {
            fixed.start();
            assertThat(fixed.port()).isEqualTo(port);
            assertThat(fixed.bindAddress().isLoopbackAddress()).isTrue();
            SimpleResolver r = new SimpleResolver(new InetSocketAddress(loopback, port));
            r.setTCP(true);
            r.setTimeout(Duration.ofSeconds(3));
            Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString("example.com."), Type.A, DClass.IN)));
            assertThat(answer(m)).hasSize(1);

            // the same port again: fails loudly, does not pick another
            try (DnsServer clash = new DnsServer(source, loopback, port)) {
                assertThatThrownBy(clash::start).isInstanceOf(java.net.BindException.class)
                        .hasMessageContaining(String.valueOf(port));
            }
        }
    }
}

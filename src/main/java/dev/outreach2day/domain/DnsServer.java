package dev.outreach2day.domain;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A small authoritative DNS server for the zones of a {@link DnsRecordSource} (sandbox mode), so
 * live DNS verification, tests and {@code dig @127.0.0.1 -p PORT} go over real UDP and TCP.
 *
 * <p>UDP and TCP on the same port, one virtual thread per UDP query and per TCP connection, both
 * bounded (a UDP query beyond the bound is dropped, a TCP connection closed). Answers are authoritative (AA) for names inside a zone of the source and REFUSED
 * outside; every zone apex gets a synthesised SOA (and NS when the source has none). A CNAME at
 * a name answers every type and is followed inside our zones. NXDOMAIN and NODATA carry the
 * zone's SOA in the authority section. UDP answers larger than 512 bytes (or the client's EDNS
 * size, at most {@value #EDNS_UDP_PAYLOAD}) are truncated with TC so clients retry over TCP.
 * Garbage gets FORMERR when it has a parseable header and is dropped otherwise.
 *
 * <p>Not a Spring bean: {@link #start()} binds, {@link #port()} tells the bound port,
 * {@link #close()} stops. Restartable; idempotent start and close.
 */
final class DnsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

    /** Largest UDP datagram read; longer ones are cut by the OS and then fail to parse. */
    static final int MAX_UDP_QUERY = 4096;
    /** Largest TCP query accepted; a longer length prefix closes the connection. */
    static final int MAX_TCP_QUERY = 8192;
    /** The EDNS UDP payload size we advertise and cap client sizes to (DNS flag day 2020). */
    static final int EDNS_UDP_PAYLOAD = 1232;
    static final int PLAIN_UDP_PAYLOAD = 512;
    static final int MAX_CONCURRENT_UDP_QUERIES = 512;
    /** Socket receive buffer asked for, to absorb bursts (the OS may grant less). */
    static final int UDP_RECEIVE_BUFFER = 1 << 20;
    static final int MAX_TCP_CONNECTIONS = 128;
    static final int TCP_IDLE_TIMEOUT_MILLIS = 10_000;
    static final long TCP_MAX_CONNECTION_MILLIS = 120_000;
    static final int MAX_QUERIES_PER_TCP_CONNECTION = 1_000;
    static final int MAX_CNAME_CHAIN = 8;
    static final int MAX_RDATA = 65_535;

    static final long DEFAULT_TTL = 300;
    static final long SOA_TTL = 3600;
    static final long SOA_REFRESH = 3600;
    static final long SOA_RETRY = 900;
    static final long SOA_EXPIRE = 1_209_600;
    /** Negative-caching TTL (RFC 2308): short, so fixes made in the sandbox show up quickly. */
    static final long SOA_MINIMUM = 60;

    private final DnsRecordSource source;
    private final InetAddress bind;
    private final int requestedPort;
    private final Semaphore udpPermits = new Semaphore(MAX_CONCURRENT_UDP_QUERIES);
    private final Semaphore tcpPermits = new Semaphore(MAX_TCP_CONNECTIONS);
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    private volatile DatagramSocket udp;
    private volatile ServerSocket tcp;
    private Thread udpThread;
    private Thread tcpThread;
    private volatile int boundPort = -1;

    /**
     * @param bind address to listen on; {@code null} means loopback only
     * @param port UDP and TCP port; 0 picks a free one (see {@link #port()})
     */
    DnsServer(DnsRecordSource source, InetAddress bind, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.source = Objects.requireNonNull(source, "source");
        this.bind = bind != null ? bind : InetAddress.getLoopbackAddress();
        this.requestedPort = port;
    }

    /** Loopback only. */
    DnsServer(DnsRecordSource source, int port) {
        this(source, null, port);
    }

    /**
     * Binds UDP and TCP on the same port and starts serving. No-op when already running.
     *
     * @throws IOException when the port cannot be bound (e.g. {@link BindException} when taken)
     */
    synchronized void start() throws IOException {
        if (isRunning()) {
            return;
        }
        bindSockets();
        DatagramSocket u = udp;
        ServerSocket t = tcp;
        // The UDP reader is a platform thread so it keeps draining the socket while many
        // virtual query threads are runnable; queries and TCP connections are virtual threads.
        udpThread = Thread.ofPlatform().daemon().name("dns-udp-" + boundPort).start(() -> udpLoop(u));
        tcpThread = Thread.ofVirtual().name("dns-tcp-" + boundPort).start(() -> tcpAcceptLoop(t));
        log.info("DNS server listening on {} port {} (udp+tcp)", bind.getHostAddress(), boundPort);
    }

    /** The bound port while running (the real one when constructed with port 0), else -1. */
    int port() {
        return boundPort;
    }

    /** The address listened on. */
    InetAddress bindAddress() {
        return bind;
    }

    boolean isRunning() {
        DatagramSocket u = udp;
        return u != null && !u.isClosed();
    }

    /** Stops listening and closes open TCP connections. Idempotent; {@link #start()} may follow. */
    @Override
    public synchronized void close() {
        DatagramSocket u = udp;
        ServerSocket t = tcp;
        if (u == null && t == null) {
            return;
        }
        udp = null;
        tcp = null;
        if (u != null) {
            u.close();
        }
        closeQuietly(t);
        for (Socket s : connections) {
            closeQuietly(s);
        }
        join(udpThread);
        join(tcpThread);
        udpThread = null;
        tcpThread = null;
        log.info("DNS server on {} port {} stopped", bind.getHostAddress(), boundPort);
        boundPort = -1;
    }

    @Override
    public String toString() {
        return "DnsServer[" + bind.getHostAddress() + ":" + boundPort + "]";
    }

    // ------------------------------------------------------------------ transport

    private void bindSockets() throws IOException {
        // With port 0 the free UDP port may be taken on TCP: try a few.
        int attempts = requestedPort == 0 ? 20 : 1;
        BindException last = null;
        for (int i = 0; i < attempts; i++) {
            DatagramSocket u = new DatagramSocket(null);
            ServerSocket t = new ServerSocket();
            try {
                u.setReceiveBufferSize(UDP_RECEIVE_BUFFER);
                u.bind(new InetSocketAddress(bind, requestedPort));
                int p = u.getLocalPort();
                t.setReuseAddress(true);
                t.bind(new InetSocketAddress(bind, p), 64);
                udp = u;
                tcp = t;
                boundPort = p;
                return;
            } catch (BindException e) {
                u.close();
                closeQuietly(t);
                last = e;
            } catch (IOException | RuntimeException e) {
                u.close();
                closeQuietly(t);
                throw e;
            }
        }
        BindException e = new BindException("cannot bind DNS server to " + bind.getHostAddress() + " port "
                + requestedPort + " (udp+tcp): " + last.getMessage());
        e.initCause(last);
        throw e;
    }

    private void udpLoop(DatagramSocket socket) {
        byte[] buf = new byte[MAX_UDP_QUERY];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (socket.isClosed()) {
                    break;
                }
                log.debug("DNS udp receive failed: {}", e.toString());
                continue;
            } catch (RuntimeException e) {
                log.warn("DNS udp receive failed", e);
                continue;
            }
            byte[] data = Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
            SocketAddress from = packet.getSocketAddress();
            if (!udpPermits.tryAcquire()) {
                log.debug("DNS udp query from {} dropped: too many in flight", from);
                continue;
            }
            try {
                Thread.ofVirtual().name("dns-udp-query").start(() -> {
                    try {
                        byte[] out = handle(data, true);
                        if (out != null && out.length > 0) {
                            socket.send(new DatagramPacket(out, out.length, from));
                        }
                    } catch (IOException e) {
                        if (!socket.isClosed()) {
                            log.debug("DNS udp send to {} failed: {}", from, e.toString());
                        }
                    } catch (RuntimeException e) {
                        log.warn("DNS udp query from {} failed", from, e);
                    } finally {
                        udpPermits.release();
                    }
                });
            } catch (RuntimeException e) {
                udpPermits.release();
                log.warn("DNS udp query from {} dropped: {}", from, e.toString());
            }
        }
    }

    private void tcpAcceptLoop(ServerSocket server) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (server.isClosed()) {
                    break;
                }
                log.debug("DNS tcp accept failed: {}", e.toString());
                continue;
            }
            if (!tcpPermits.tryAcquire()) {
                log.debug("DNS tcp connection from {} refused: too many open", socket.getRemoteSocketAddress());
                closeQuietly(socket);
                continue;
            }
            connections.add(socket);
            try {
                Thread.ofVirtual().name("dns-tcp-conn").start(() -> {
                    try {
                        serveTcp(socket);
                    } finally {
                        connections.remove(socket);
                        closeQuietly(socket);
                        tcpPermits.release();
                    }
                });
            } catch (RuntimeException e) {
                connections.remove(socket);
                closeQuietly(socket);
                tcpPermits.release();
                log.warn("DNS tcp connection dropped: {}", e.toString());
            }
        }
    }

    /** RFC 7766: two-byte length prefix, several queries per connection, answered in order. */
    private void serveTcp(Socket socket) {
        long deadline = System.currentTimeMillis() + TCP_MAX_CONNECTION_MILLIS;
        try {
            socket.setSoTimeout(TCP_IDLE_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            InputStream raw = socket.getInputStream();
            DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 2 + MAX_TCP_QUERY));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            for (int n = 0; n < MAX_QUERIES_PER_TCP_CONNECTION && System.currentTimeMillis() < deadline; n++) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException | SocketTimeoutException e) {
                    return;
                }
                if (length < Header.LENGTH || length > MAX_TCP_QUERY) {
                    log.debug("DNS tcp query of {} bytes from {} rejected", length, socket.getRemoteSocketAddress());
                    return;
                }
                byte[] query = new byte[length];
                in.readFully(query);
                byte[] response = handle(query, false);
                if (response == null || response.length == 0) {
                    return;
                }
                out.write(response.length >>> 8);
                out.write(response.length & 0xFF);
                out.write(response);
                out.flush();
            }
        } catch (IOException e) {
            log.debug("DNS tcp connection from {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
        } catch (RuntimeException e) {
            log.warn("DNS tcp connection from {} failed", socket.getRemoteSocketAddress(), e);
        }
    }

    // ------------------------------------------------------------------ protocol

    /**
     * One query in wire format to its answer in wire format, sized for the transport; null when
     * the input deserves no answer (too short to carry an id, or itself a response).
     */
    byte[] handle(byte[] data, boolean udp) {
        if (data.length < Header.LENGTH || (data[2] & 0x80) != 0) {
            return null;
        }
        Message query;
        try {
            query = new Message(data);
        } catch (IOException | RuntimeException e) {
            log.debug("DNS malformed query: {}", e.toString());
            return formErr(data);
        }
        Message response;
        try {
            response = respond(query);
        } catch (RuntimeException e) {
            log.warn("DNS query {} answered SERVFAIL: {}", query.getQuestion(), e.toString());
            log.debug("DNS query failure", e);
            response = reply(query, Rcode.SERVFAIL);
        }
        return response.toWire(udp ? udpLimit(query) : Message.MAXLENGTH);
    }

    private static int udpLimit(Message query) {
        OPTRecord opt = query.getOPT();
        if (opt == null) {
            return PLAIN_UDP_PAYLOAD;
        }
        return Math.clamp(opt.getPayloadSize(), PLAIN_UDP_PAYLOAD, EDNS_UDP_PAYLOAD);
    }

    private static byte[] formErr(byte[] data) {
        Message m = new Message(((data[0] & 0xFF) << 8) | (data[1] & 0xFF));
        Header h = m.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode((data[2] >>> 3) & 0x0F);
        h.setRcode(Rcode.FORMERR);
        return m.toWire(PLAIN_UDP_PAYLOAD);
    }

    /** A response skeleton: id, opcode, RD and CD copied, the question echoed, EDNS answered. */
    private static Message reply(Message query, int rcode) {
        Header qh = query.getHeader();
        Message r = new Message(qh.getID());
        Header h = r.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(qh.getOpcode());
        if (qh.getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        if (qh.getFlag(Flags.CD)) {
            h.setFlag(Flags.CD);
        }
        List<Record> questions = query.getSection(Section.QUESTION);
        if (questions.size() == 1) {
            r.addRecord(questions.getFirst(), Section.QUESTION);
        }
        if (query.getOPT() != null) {
            r.addRecord(new OPTRecord(EDNS_UDP_PAYLOAD, 0, 0), Section.ADDITIONAL);
        }
        h.setRcode(rcode);
        return r;
    }

    Message respond(Message query) {
        Header qh = query.getHeader();
        OPTRecord opt = query.getOPT();
        if (opt != null && opt.getVersion() != 0) {
            Message r = reply(query, Rcode.NOERROR);
            r.removeAllRecords(Section.ADDITIONAL);
            r.addRecord(new OPTRecord(EDNS_UDP_PAYLOAD, Rcode.BADVERS >>> 4, 0), Section.ADDITIONAL);
            return r;
        }
        if (qh.getOpcode() != Opcode.QUERY) {
            return reply(query, Rcode.NOTIMP);
        }
        List<Record> questions = query.getSection(Section.QUESTION);
        if (questions.size() != 1) {
            return reply(query, Rcode.FORMERR);
        }
        Record question = questions.getFirst();
        int qtype = question.getType();
        int qclass = question.getDClass();
        if (qclass != DClass.IN && qclass != DClass.ANY) {
            return reply(query, Rcode.REFUSED);
        }
        if (qtype == Type.AXFR || qtype == Type.IXFR) {
            return reply(query, Rcode.REFUSED);
        }
        if (!Type.isRR(qtype) && qtype != Type.ANY) {
            return reply(query, Rcode.NOTIMP);
        }
        Name qname = question.getName();
        String key = key(qname);
        Optional<String> zone = source.zoneOf(key);
        if (zone.isEmpty()) {
            return reply(query, Rcode.REFUSED);
        }
        Message r = reply(query, Rcode.NOERROR);
        r.getHeader().setFlag(Flags.AA);
        resolveInto(r, qname, key, zone.get(), qtype);
        return r;
    }

    private void resolveInto(Message r, Name qname, String key, String zone, int qtype) {
        Name current = qname;
        String currentKey = key;
        String currentZone = zone;
        Set<String> visited = new HashSet<>();
        visited.add(currentKey);
        for (int hop = 0; ; hop++) {
            At found = recordsAt(current, currentKey, currentZone);
            List<Record> at = found.records();
            if (at.isEmpty()) {
                boolean exists = found.exists() || currentKey.equals(currentZone) || source.hasNamesBelow(currentKey);
                if (!exists) {
                    r.getHeader().setRcode(Rcode.NXDOMAIN);
                }
                r.addRecord(negativeSoa(currentZone), Section.AUTHORITY);
                return;
            }
            if (qtype != Type.CNAME && qtype != Type.ANY) {
                Optional<Record> cname = at.stream().filter(rec -> rec.getType() == Type.CNAME).findFirst();
                if (cname.isPresent()) {
                    r.addRecord(cname.get(), Section.ANSWER);
                    Name target = ((CNAMERecord) cname.get()).getTarget();
                    String targetKey = key(target);
                    if (hop + 1 >= MAX_CNAME_CHAIN || !visited.add(targetKey)) {
                        return;
                    }
                    Optional<String> targetZone = source.zoneOf(targetKey);
                    if (targetZone.isEmpty()) {
                        return; // the client's resolver follows it from here
                    }
                    current = target;
                    currentKey = targetKey;
                    currentZone = targetZone.get();
                    continue;
                }
            }
            List<Record> matching = qtype == Type.ANY
                    ? at
                    : at.stream().filter(rec -> rec.getType() == qtype).toList();
            if (matching.isEmpty()) {
                r.addRecord(negativeSoa(currentZone), Section.AUTHORITY);
                return;
            }
            for (Record rec : matching) {
                r.addRecord(rec, Section.ANSWER);
            }
            return;
        }
    }

    /** What is at one name: the records served, and whether the store has anything there at all. */
    private record At(List<Record> records, boolean exists) {}

    /** The source's records at one name as dnsjava records, plus the synthesised SOA (and NS) at an apex. */
    private At recordsAt(Name owner, String key, String zone) {
        List<DnsProvider.RecordSpec> specs = source.recordsAt(key);
        List<Record> out = new ArrayList<>(specs == null ? 1 : specs.size() + 2);
        boolean exists = false;
        if (specs != null) {
            for (DnsProvider.RecordSpec spec : specs) {
                if (spec == null || spec.name() == null || !normalize(spec.name()).equals(key)) {
                    continue;
                }
                exists = true;
                Record rec = toRecord(spec, owner);
                if (rec != null) {
                    out.add(rec);
                }
            }
        }
        if (key.equals(zone)) {
            Name mname = null;
            boolean hasNs = false;
            for (Record rec : out) {
                if (rec instanceof NSRecord ns) {
                    hasNs = true;
                    if (mname == null) {
                        mname = ns.getTarget();
                    }
                }
            }
            Name apex = owner;
            if (mname == null) {
                mname = child("ns1", apex);
            }
            out.addFirst(soa(apex, SOA_TTL, mname));
            if (!hasNs) {
                out.add(new NSRecord(apex, DClass.IN, SOA_TTL, mname));
            }
        }
        return new At(out, exists);
    }

    private Record negativeSoa(String zone) {
        Name apex = absolute(zone);
        Name mname = null;
        for (Record rec : recordsAt(apex, zone, zone).records()) {
            if (rec instanceof SOARecord s) {
                mname = s.getHost();
            }
        }
        // RFC 2308 §3: the SOA's TTL in a negative answer is min(SOA TTL, MINIMUM).
        return soa(apex, Math.min(SOA_TTL, SOA_MINIMUM), mname != null ? mname : child("ns1", apex));
    }

    private static SOARecord soa(Name apex, long ttl, Name mname) {
        return new SOARecord(apex, DClass.IN, ttl, mname, child("hostmaster", apex), serial(),
                SOA_REFRESH, SOA_RETRY, SOA_EXPIRE, SOA_MINIMUM);
    }

    /** {@code YYYYMMDD00} of today (UTC). */
    static long serial() {
        LocalDate d = LocalDate.now(ZoneOffset.UTC);
        return (d.getYear() * 10_000L + d.getMonthValue() * 100L + d.getDayOfMonth()) * 100L;
    }

    /** One record spec as a dnsjava record owned by {@code owner}; null (logged) when unusable. */
    static Record toRecord(DnsProvider.RecordSpec spec, Name owner) {
        String type = spec.type() == null ? "" : spec.type().trim().toUpperCase(Locale.ROOT);
        String value = spec.value() == null ? "" : spec.value();
        long ttl = spec.ttl() < 0 ? DEFAULT_TTL : spec.ttl();
        try {
            return switch (type) {
                case "A" -> {
                    byte[] addr = Address.toByteArray(value.trim(), Address.IPv4);
                    yield addr == null ? invalid(spec, "not an IPv4 address") : new ARecord(owner, DClass.IN, ttl, addr);
                }
                case "AAAA" -> {
                    byte[] addr = Address.toByteArray(value.trim(), Address.IPv6);
                    yield addr == null ? invalid(spec, "not an IPv6 address") : new AAAARecord(owner, DClass.IN, ttl, addr);
                }
                case "MX" -> new MXRecord(owner, DClass.IN, ttl,
                        spec.priority() == null ? 10 : Math.clamp(spec.priority(), 0, 65_535), host(value));
                case "CNAME" -> new CNAMERecord(owner, DClass.IN, ttl, host(value));
                case "NS" -> new NSRecord(owner, DClass.IN, ttl, host(value));
                case "TXT" -> txt(owner, ttl, value);
                case "SOA" -> null; // synthesised per apex
                default -> {
                    int t = Type.value(type);
                    if (t < 0 || !Type.isRR(t)) {
                        yield invalid(spec, "unknown type");
                    }
                    yield Record.fromString(owner, t, DClass.IN, ttl, value, Name.root);
                }
            };
        } catch (IOException | RuntimeException e) {
            return invalid(spec, e.toString());
        }
    }

    private static Record invalid(DnsProvider.RecordSpec spec, String why) {
        log.warn("DNS record {} {} {} not served: {}", spec.name(), spec.type(), spec.value(), why);
        return null;
    }

    /**
     * A TXT record holding {@code value} (UTF-8) exactly, split into character-strings of at most
     * 255 bytes, never inside a multi-byte character; clients re-join them.
     */
    static Record txt(Name owner, long ttl, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream rdata = new ByteArrayOutputStream(bytes.length + bytes.length / 255 + 1);
        if (bytes.length == 0) {
            rdata.write(0);
        }
        int i = 0;
        while (i < bytes.length) {
            int end = Math.min(i + 255, bytes.length);
            while (end < bytes.length && end > i + 1 && (bytes[end] & 0xC0) == 0x80) {
                end--;
            }
            rdata.write(end - i);
            rdata.write(bytes, i, end - i);
            i = end;
        }
        if (rdata.size() > MAX_RDATA) {
            throw new IllegalArgumentException("TXT value too long: " + bytes.length + " bytes");
        }
        return Record.newRecord(owner, Type.TXT, DClass.IN, ttl, rdata.toByteArray());
    }

    private static Name host(String value) throws TextParseException {
        String v = value.trim();
        if (v.isEmpty() || v.equals(".")) {
            return Name.root;
        }
        return Name.fromString(v, Name.root);
    }

    private static Name absolute(String name) {
        try {
            return Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad zone name " + name, e);
        }
    }

    private static Name child(String label, Name parent) {
        try {
            return Name.concatenate(Name.fromConstantString(label), parent);
        } catch (Exception e) {
            return parent;
        }
    }

    /** Lower-case, no trailing dot: the form {@link DnsRecordSource} speaks. */
    static String key(Name name) {
        return normalize(name.toString(true));
    }

    static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") && n.length() > 1 ? n.substring(0, n.length() - 1) : n;
    }

    private static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}

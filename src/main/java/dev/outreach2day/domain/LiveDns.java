package dev.outreach2day.domain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Live DNS lookups for verification: asks one resolver (or the system's) directly, with no cache,
 * so every call sees what DNS says right now. Truncated UDP answers are retried over TCP (dnsjava
 * does it). CNAME chains are followed for {@link #txt}, {@link #mx}, {@link #a} and {@link #ns}.
 *
 * <p>Outcomes: records found (non-empty list); no such name or no record of that type (NXDOMAIN
 * or NODATA: empty list / {@code Optional.empty()}); anything else (timeout, network error,
 * SERVFAIL, REFUSED, FORMERR, malformed answer, CNAME loop) throws {@link LookupFailed}.
 * Thread-safe.
 */
final class LiveDns {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_CNAME_CHAIN = 8;

    /** An MX record: {@code host} lower-case without trailing dot ({@code .} for a null MX). */
    record Mx(int priority, String host) {}

    /** The lookup could not tell whether the record exists: timeout, network error, SERVFAIL... */
    static final class LookupFailed extends RuntimeException {
        private final String name;
        private final String type;
        private final boolean timeout;

        LookupFailed(String name, String type, String message, boolean timeout, Throwable cause) {
            super(message, cause);
            this.name = name;
            this.type = type;
            this.timeout = timeout;
        }

        /** The name being looked up (may be a CNAME target of the name asked for). */
        String name() {
            return name;
        }

        /** {@code TXT}, {@code MX}, {@code A}, {@code CNAME} or {@code NS}. */
        String type() {
            return type;
        }

        /** True when no answer came within the timeout. */
        boolean timeout() {
            return timeout;
        }
    }

    private final Resolver resolver;
    private final Duration timeout;
    private final String server;

    /**
     * @param resolverHostPort {@code host:port}, {@code host} (port 53), {@code [v6]:port}, or
     *     null/blank for the system's resolvers
     * @param timeout whole-lookup timeout per query; null means {@link #DEFAULT_TIMEOUT}
     * @throws IllegalArgumentException when {@code resolverHostPort} cannot be parsed or resolved
     */
    LiveDns(String resolverHostPort, Duration timeout) {
        this.timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (this.timeout.isNegative() || this.timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (resolverHostPort == null || resolverHostPort.isBlank()) {
            List<InetSocketAddress> servers = ResolverConfig.getCurrentConfig().servers();
            if (servers.isEmpty()) {
                servers = List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), SimpleResolver.DEFAULT_PORT));
            }
            int tries = Math.min(servers.size(), 3);
            Duration each = this.timeout.dividedBy(tries);
            List<Resolver> resolvers = new ArrayList<>();
            for (InetSocketAddress address : servers) {
                SimpleResolver r = new SimpleResolver(address);
                r.setTimeout(each);
                resolvers.add(r);
            }
            ExtendedResolver extended = new ExtendedResolver(resolvers);
            extended.setRetries(1);
            extended.setLoadBalance(false);
            extended.setTimeout(this.timeout);
            this.resolver = extended;
            this.server = "system resolvers " + servers;
        } else {
            InetSocketAddress address = parseHostPort(resolverHostPort.trim());
            SimpleResolver r = new SimpleResolver(address);
            r.setTimeout(this.timeout);
            this.resolver = r;
            this.server = address.getAddress().getHostAddress() + ":" + address.getPort();
        }
    }

    /** Each TXT record at {@code name}, its character-strings joined (UTF-8), in answer order. */
    List<String> txt(String name) {
        List<String> out = new ArrayList<>();
        for (Record rec : lookup(name, Type.TXT)) {
            if (rec instanceof TXTRecord txt) {
                ByteArrayOutputStream joined = new ByteArrayOutputStream();
                for (byte[] part : txt.getStringsAsByteArrays()) {
                    joined.writeBytes(part);
                }
                out.add(joined.toString(StandardCharsets.UTF_8));
            }
        }
        return List.copyOf(out);
    }

    /** The MX records at {@code name}, by priority then host. */
    List<Mx> mx(String name) {
        List<Mx> out = new ArrayList<>();
        for (Record rec : lookup(name, Type.MX)) {
            if (rec instanceof MXRecord mx) {
                out.add(new Mx(mx.getPriority(), host(mx.getTarget())));
            }
        }
        out.sort(Comparator.comparingInt(Mx::priority).thenComparing(Mx::host));
        return List.copyOf(out);
    }

    /** The IPv4 addresses of {@code name} (following CNAMEs), dotted quads in answer order. */
    List<String> a(String name) {
        List<String> out = new ArrayList<>();
        for (Record rec : lookup(name, Type.A)) {
            if (rec instanceof ARecord a) {
                out.add(a.getAddress().getHostAddress());
            }
        }
        return List.copyOf(out);
    }

    /** The nameservers of {@code name}, lower-case without trailing dot, sorted. */
    List<String> ns(String name) {
        List<String> out = new ArrayList<>();
        for (Record rec : lookup(name, Type.NS)) {
            if (rec instanceof NSRecord ns) {
                out.add(host(ns.getTarget()));
            }
        }
        out.sort(Comparator.naturalOrder());
        return List.copyOf(out);
    }

    /** The CNAME target at {@code name} itself (not followed), lower-case without trailing dot. */
    Optional<String> cname(String name) {
        for (Record rec : lookup(name, Type.CNAME)) {
            if (rec instanceof CNAMERecord c) {
                return Optional.of(host(c.getTarget()));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "LiveDns[" + server + ", timeout " + timeout.toMillis() + "ms]";
    }

    // ------------------------------------------------------------------ internals

    /**
     * The records of {@code type} at the end of {@code name}'s CNAME chain (or at {@code name}
     * itself for CNAME). Empty for NXDOMAIN and NODATA.
     */
    private List<Record> lookup(String name, int type) {
        Name current = absoluteName(name);
        Set<Name> followed = new HashSet<>();
        for (int query = 0; query < MAX_CNAME_CHAIN; query++) {
            Message response = send(current, type);
            List<Record> answer = response.getSection(Section.ANSWER);
            Name target = current;
            while (true) {
                List<Record> found = recordsOf(answer, target, type);
                if (!found.isEmpty()) {
                    return found;
                }
                if (type == Type.CNAME) {
                    break;
                }
                List<Record> cnames = recordsOf(answer, target, Type.CNAME);
                if (cnames.isEmpty()) {
                    break;
                }
                if (!followed.add(target) || followed.size() > MAX_CNAME_CHAIN) {
                    throw new LookupFailed(name, Type.string(type), "CNAME loop or chain too long at "
                            + host(target) + " looking up " + Type.string(type) + " " + name + " via " + server,
                            false, null);
                }
                target = ((CNAMERecord) cnames.getFirst()).getTarget();
            }
            if (response.getRcode() == Rcode.NXDOMAIN || target.equals(current)) {
                return List.of();
            }
            current = target; // the chain leaves this answer: ask for its end
        }
        throw new LookupFailed(name, Type.string(type), "CNAME chain too long looking up "
                + Type.string(type) + " " + name + " via " + server, false, null);
    }

    private static List<Record> recordsOf(List<Record> answer, Name owner, int type) {
        List<Record> out = new ArrayList<>();
        for (Record rec : answer) {
            if (rec.getType() == type && rec.getName().equals(owner)) {
                out.add(rec);
            }
        }
        return out;
    }

    private Message send(Name name, int type) {
        String shown = host(name);
        String typeName = Type.string(type);
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        Message response;
        try {
            response = resolver.send(query);
        } catch (IOException e) {
            boolean timedOut = isTimeout(e);
            String why = timedOut ? "timed out after " + timeout.toMillis() + "ms" : "failed: " + e.getMessage();
            throw new LookupFailed(shown, typeName, "DNS lookup of " + typeName + " " + shown + " via " + server
                    + " " + why, timedOut, e);
        } catch (RuntimeException e) {
            throw new LookupFailed(shown, typeName, "DNS lookup of " + typeName + " " + shown + " via " + server
                    + " failed: " + e, false, e);
        }
        if (response == null) {
            throw new LookupFailed(shown, typeName, "DNS lookup of " + typeName + " " + shown + " via " + server
                    + " got no answer", false, null);
        }
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new LookupFailed(shown, typeName, "DNS lookup of " + typeName + " " + shown + " via " + server
                    + " answered " + Rcode.string(rcode), false, null);
        }
        return response;
    }

    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && m.toLowerCase(Locale.ROOT).contains("timed out")) {
                return true;
            }
        }
        return false;
    }

    private static Name absoluteName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("DNS name is blank");
        }
        String n = name.trim();
        try {
            return Name.fromString(n.endsWith(".") ? n : n + ".", Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + name + " (" + e.getMessage() + ")", e);
        }
    }

    private static String host(Name name) {
        if (name.equals(Name.root)) {
            return ".";
        }
        return name.toString(true).toLowerCase(Locale.ROOT);
    }

    static InetSocketAddress parseHostPort(String hostPort) {
        String host = hostPort;
        int port = SimpleResolver.DEFAULT_PORT;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("bad resolver address: " + hostPort);
            }
            host = hostPort.substring(1, close);
            String rest = hostPort.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("bad resolver address: " + hostPort);
                }
                port = parsePort(rest.substring(1), hostPort);
            }
        } else if (hostPort.indexOf(':') >= 0 && hostPort.indexOf(':') == hostPort.lastIndexOf(':')) {
            int colon = hostPort.indexOf(':');
            host = hostPort.substring(0, colon);
            port = parsePort(hostPort.substring(colon + 1), hostPort);
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("bad resolver address: " + hostPort);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown resolver host: " + host, e);
        }
    }

    private static int parsePort(String s, String whole) {
        try {
            int port = Integer.parseInt(s);
            if (port < 1 || port > 65_535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in resolver address: " + whole);
        }
    }
}

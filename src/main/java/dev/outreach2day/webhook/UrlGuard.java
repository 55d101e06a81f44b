package dev.outreach2day.webhook;

import java.io.Serial;
import java.math.BigInteger;
import java.net.IDN;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Decides whether a webhook may be delivered to a URL, so that API users cannot make the server
 * call into its own network (server-side request forgery).
 *
 * <p>A URL is accepted when all of these hold:
 * <ul>
 *   <li>it is at most 2048 characters long and parses as an absolute URL;</li>
 *   <li>its scheme is {@code http} or {@code https} (in any letter case);</li>
 *   <li>it has a host, and no user name or password ({@code user:pass@host});</li>
 *   <li>its port, when given, is between 1 and 65535;</li>
 *   <li>every address the host stands for is public (see below), unless the guard was built
 *       with {@code allowPrivate}, which is meant for local development only.</li>
 * </ul>
 * A fragment ({@code #…}) is dropped: it is never sent over HTTP.
 *
 * <p>How the host becomes addresses. An IPv6 literal in brackets is used as it is. A host whose
 * last label is a number ({@code 2130706433}, {@code 0x7f000001}, {@code 0177.0.0.1},
 * {@code 127.1}) is read the way browsers, curl and {@code inet_aton} read it: one to four parts
 * separated by full stops, each decimal, octal (leading {@code 0}) or hexadecimal (leading
 * {@code 0x}), the last part filling all the remaining bytes; such a host that does not form a
 * valid address is refused rather than looked up. Non-ASCII host names are converted to
 * punycode first, as browsers do, so full-width digits and dots cannot hide a numeric address.
 * Any other host name is resolved with the {@link Resolver}, and every address it returns must be
 * public: one private address among public ones is enough to refuse, since the HTTP client could
 * pick it.
 *
 * <p>An address is <em>not</em> public when it is in one of these IPv4 blocks: 0.0.0.0/8 ("this
 * network"), 10/8, 172.16/12 and 192.168/16 (private), 100.64/10 (carrier-grade NAT), 127/8
 * (loopback), 169.254/16 (link-local, home of cloud metadata services), 192.0.0/24 (IETF protocol
 * assignments), 192.88.99/24 (the retired 6to4 relay), 198.18/15 (benchmarking), 224/4
 * (multicast), 240/4 (reserved) and 255.255.255.255 (broadcast). The documentation blocks
 * 192.0.2/24, 198.51.100/24 and 203.0.113/24 are refused too: they are never routed on the
 * internet, so no real receiver lives there, while a private network may well use them.
 *
 * <p>For IPv6 only global unicast (2000::/3) is public, less 2001::/32 (Teredo), 2001:2::/48
 * (benchmarking) and 2001:db8::/32 and 3fff::/20 (documentation); so ::, ::1, fc00::/7 (unique
 * local), fe80::/10 (link-local), ff00::/8 (multicast) and every other block are refused. The
 * forms that carry an IPv4 address inside — IPv4-mapped ::ffff:a.b.c.d, IPv4-translated
 * ::ffff:0:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d and 6to4 2002:aabb:ccdd::
 * — are judged by the IPv4 address they carry; the local-use NAT64 block 64:ff9b:1::/48 is
 * refused.
 *
 * <p>The check answers for the moment it runs: DNS can answer differently a second later. A
 * caller must therefore check again right before it connects, and connect to the addresses of the
 * returned {@link Target} rather than resolve the name once more.
 */
final class UrlGuard {

    static final int MAX_LENGTH = 2048;

    private static final String PUBLIC_ONLY = "; webhooks go to public addresses only";
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-f]*");
    private static final Pattern OCTAL = Pattern.compile("0[0-7]*");
    private static final Pattern DECIMAL = Pattern.compile("[1-9][0-9]*");
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)*\\.?");

    /** Turns a host name into addresses; the default asks the system resolver (DNS). */
    @FunctionalInterface
    interface Resolver {

        Resolver SYSTEM = InetAddress::getAllByName;

        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /**
     * A URL that passed the check: {@code uri} without its fragment, with the scheme and host in
     * lower case and a numeric IPv4 host written as a dotted quad; {@code addresses} are the ones
     * that were checked, which the caller should connect to.
     */
    record Target(URI uri, List<InetAddress> addresses) {

        Target {
            Objects.requireNonNull(uri, "uri");
            addresses = List.copyOf(addresses);
        }
    }

    /** Why a URL was refused; the message is written for the API user who gave the URL. */
    static final class Refused extends Exception {

        @Serial
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final boolean allowPrivate;
    private final Resolver resolver;

    /** A guard that resolves host names with the system resolver. */
    UrlGuard(boolean allowPrivate) {
        this(allowPrivate, Resolver.SYSTEM);
    }

    UrlGuard(boolean allowPrivate, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /**
     * Checks a webhook URL and resolves its host.
     *
     * @throws Refused when the URL is not acceptable; the message says why
     */
    Target check(String url) throws Refused {
        if (url == null || url.isBlank()) {
            throw new Refused("a webhook URL is required");
        }
        if (url.length() > MAX_LENGTH) {
            throw new Refused("the webhook URL is longer than " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused("the webhook URL is not a valid URL");
        }
        if (uri.getScheme() == null) {
            throw new Refused("the webhook URL must be absolute, like https://example.com/webhooks");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new Refused("the webhook URL must start with https:// or http://, not " + uri.getScheme() + ":");
        }
        String authority = uri.getRawAuthority();
        if (uri.isOpaque() || authority == null || authority.isEmpty()) {
            throw new Refused("the webhook URL has no host");
        }
        if (authority.indexOf('@') >= 0) {
            throw new Refused("the webhook URL must not contain a user name or password");
        }

        String host;
        String port = "";
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new Refused("the webhook URL is not a valid URL");
            }
            host = authority.substring(0, close + 1);
            String rest = authority.substring(close + 1);
            if (!rest.isEmpty()) {
                if (rest.charAt(0) != ':') {
                    throw new Refused("the webhook URL is not a valid URL");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? "" : authority.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new Refused("the webhook URL has no host");
        }
        if (!port.isEmpty() && !validPort(port)) {
            throw new Refused("the webhook URL's port must be a number from 1 to 65535");
        }

        String uriHost;
        List<InetAddress> addresses;
        if (host.startsWith("[")) {
            String literal = host.substring(1, host.length() - 1);
            InetAddress address = ipv6Literal(host, literal);
            refuseIfNotPublic(host, literal, address);
            uriHost = "[" + literal.toLowerCase(Locale.ROOT) + "]";
            addresses = List.of(address);
        } else {
            String name = asciiHost(host);
            if (endsInNumber(name)) {
                Inet4Address address = numericIpv4(name);
                if (address == null) {
                    throw new Refused("the URL's host " + host + " looks like an IP address but is not a valid one");
                }
                refuseIfNotPublic(host, host, address);
                uriHost = address.getHostAddress();
                addresses = List.of(address);
            } else {
                uriHost = name;
                addresses = resolve(name);
            }
        }

        StringBuilder normalized = new StringBuilder(scheme).append("://").append(uriHost);
        if (!port.isEmpty()) {
            normalized.append(':').append(Integer.parseInt(port));
        }
        normalized.append(uri.getRawPath() == null ? "" : uri.getRawPath());
        if (uri.getRawQuery() != null) {
            normalized.append('?').append(uri.getRawQuery());
        }
        try {
            return new Target(new URI(normalized.toString()), addresses);
        } catch (URISyntaxException e) {
            throw new Refused("the webhook URL is not a valid URL");
        }
    }

    private List<InetAddress> resolve(String host) throws Refused {
        InetAddress[] found;
        try {
            found = resolver.resolve(host);
        } catch (UnknownHostException e) {
            found = null;
        }
        if (found == null || found.length == 0) {
            throw new Refused("cannot resolve the URL's host " + host);
        }
        List<InetAddress> addresses = new ArrayList<>(found.length);
        for (InetAddress address : found) {
            if (address == null) {
                throw new Refused("cannot resolve the URL's host " + host);
            }
            String why = allowPrivate ? null : whyNotPublic(address);
            if (why != null) {
                throw new Refused("the URL's host resolves to " + format(address) + ", " + why + PUBLIC_ONLY);
            }
            addresses.add(address);
        }
        return addresses;
    }

    /** Refuses an address written in the URL itself, naming the address when it was written differently. */
    private void refuseIfNotPublic(String host, String written, InetAddress address) throws Refused {
        String why = allowPrivate ? null : whyNotPublic(address);
        if (why == null) {
            return;
        }
        String canonical = format(address);
        if (canonical.equalsIgnoreCase(written)) {
            throw new Refused("the URL's host " + host + " is " + why + PUBLIC_ONLY);
        }
        throw new Refused("the URL's host " + host + " stands for " + canonical + ", " + why + PUBLIC_ONLY);
    }

    private static InetAddress ipv6Literal(String host, String literal) throws Refused {
        if (literal.indexOf('%') >= 0) {
            throw new Refused("the URL's host " + host + " must not name a network interface (zone)");
        }
        if (literal.indexOf(':') < 0) {
            throw new Refused("the URL's host " + host + " is not a valid IPv6 address");
        }
        try {
            return InetAddress.ofLiteral(literal);
        } catch (IllegalArgumentException e) {
            throw new Refused("the URL's host " + host + " is not a valid IPv6 address");
        }
    }

    /** The host in lower-case ASCII; a non-ASCII name becomes punycode, as browsers do it. */
    private static String asciiHost(String host) throws Refused {
        String ascii = host;
        if (!host.chars().allMatch(c -> c < 0x80)) {
            try {
                ascii = IDN.toASCII(host, 0);
            } catch (IllegalArgumentException e) {
                throw new Refused("the URL's host " + host + " is not a valid host name");
            }
        }
        ascii = ascii.toLowerCase(Locale.ROOT);
        if (!HOST_NAME.matcher(ascii).matches()) {
            throw new Refused("the URL's host " + host + " is not a valid host name");
        }
        return ascii;
    }

    private static boolean validPort(String port) {
        if (!DIGITS.matcher(port).matches() || port.length() > 5) {
            return false;
        }
        int value = Integer.parseInt(port);
        return value >= 1 && value <= 65535;
    }

    /** Whether the last label of a host name (ignoring one trailing dot) is a number, as in the URL standard. */
    static boolean endsInNumber(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return DIGITS.matcher(last).matches() || HEX.matcher(last).matches();
    }

    /**
     * The IPv4 address a numeric host stands for under the {@code inet_aton} rules, or null when it
     * is not one. One trailing dot is ignored, as the URL standard does.
     */
    static Inet4Address numericIpv4(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long value = 0;
        for (int i = 0; i < parts.length; i++) {
            BigInteger part = ipv4Part(parts[i]);
            if (part == null) {
                return null;
            }
            boolean last = i == parts.length - 1;
            int bits = last ? 8 * (4 - i) : 8;
            if (part.bitLength() > bits) {
                return null;
            }
            value |= part.longValue() << (last ? 0 : 8 * (3 - i));
        }
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger ipv4Part(String part) {
        if (HEX.matcher(part).matches()) {
            return part.length() == 2 ? null : new BigInteger(part.substring(2), 16);
        }
        if (OCTAL.matcher(part).matches()) {
            return new BigInteger(part, 8);
        }
        if (DECIMAL.matcher(part).matches()) {
            return new BigInteger(part);
        }
        return null;
    }

    /** Why an address is not public, such as "a private address", or null when it is public. */
    static String whyNotPublic(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 4 ? whyNotPublicV4(bytes) : whyNotPublicV6(bytes);
    }

    private record Block(byte[] prefix, int bits, String why) {

        boolean contains(byte[] address) {
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((address[bit / 8] & mask) != (prefix[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static Block block(int bits, String why, int... prefix) {
        byte[] bytes = new byte[prefix.length];
        for (int i = 0; i < prefix.length; i++) {
            bytes[i] = (byte) prefix[i];
        }
        return new Block(bytes, bits, why);
    }

    private static final String PRIVATE = "a private address";
    private static final String DOCUMENTATION = "a documentation address";
    private static final String BENCHMARKING = "a benchmarking address";

    private static final List<Block> IPV4 = List.of(
            block(8, "a \"this network\" address", 0),
            block(8, PRIVATE, 10),
            block(10, "a carrier-grade NAT address", 100, 64),
            block(8, "a loopback address", 127),
            block(16, "a link-local address", 169, 254),
            block(12, PRIVATE, 172, 16),
            block(24, "an IETF protocol assignments address", 192, 0, 0),
            block(24, DOCUMENTATION, 192, 0, 2),
            block(24, "a retired 6to4 relay address", 192, 88, 99),
            block(16, PRIVATE, 192, 168),
            block(15, BENCHMARKING, 198, 18),
            block(24, DOCUMENTATION, 198, 51, 100),
            block(24, DOCUMENTATION, 203, 0, 113),
            block(4, "a multicast address", 224),
            block(32, "the broadcast address", 255, 255, 255, 255),
            block(4, "a reserved address", 240));

    private static final List<Block> IPV6 = List.of(
            block(128, "the unspecified address", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            block(128, "a loopback address", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
            block(48, "a local-use NAT64 address", 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01),
            block(64, "a discard-only address", 0x01, 0x00, 0, 0, 0, 0, 0, 0),
            block(32, "a Teredo address", 0x20, 0x01, 0x00, 0x00),
            block(48, BENCHMARKING, 0x20, 0x01, 0x00, 0x02, 0x00, 0x00),
            block(32, DOCUMENTATION, 0x20, 0x01, 0x0d, 0xb8),
            block(20, DOCUMENTATION, 0x3f, 0xff, 0x00),
            block(7, "a unique local (private) address", 0xfc),
            block(10, "a link-local address", 0xfe, 0x80),
            block(10, "a site-local address", 0xfe, 0xc0),
            block(8, "a multicast address", 0xff));

    /** The IPv6 forms that carry an IPv4 address; the IPv4 address is in bytes 12 to 15, or 2 to 5 for 6to4. */
    private static final Block MAPPED = block(96, "an IPv4-mapped form of ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff);
    private static final Block TRANSLATED = block(96, "an IPv4-translated form of ", 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0);
    private static final Block COMPATIBLE = block(96, "an IPv4-compatible form of ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    private static final Block NAT64 = block(96, "a NAT64 form of ", 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0);
    private static final Block SIX_TO_FOUR = block(16, "a 6to4 form of ", 0x20, 0x02);
    private static final Block GLOBAL_UNICAST = block(3, "", 0x20);

    private static String whyNotPublicV4(byte[] address) {
        for (Block block : IPV4) {
            if (block.contains(address)) {
                return block.why();
            }
        }
        return null;
    }

    private static String whyNotPublicV6(byte[] address) {
        for (Block block : IPV6) {
            if (block.contains(address)) {
                return block.why();
            }
        }
        for (Block embedding : List.of(MAPPED, TRANSLATED, COMPATIBLE, NAT64, SIX_TO_FOUR)) {
            if (embedding.contains(address)) {
                int from = embedding == SIX_TO_FOUR ? 2 : 12;
                byte[] ipv4 = Arrays.copyOfRange(address, from, from + 4);
                String why = whyNotPublicV4(ipv4);
                return why == null ? null : embedding.why() + formatV4(ipv4) + ", " + why;
            }
        }
        return GLOBAL_UNICAST.contains(address) ? null : "a reserved IPv6 address";
    }

    /** An address as people write it: a dotted quad, or IPv6 in the shortened form of RFC 5952. */
    static String format(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            return formatV4(bytes);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static String formatV4(byte[] bytes) {
        return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
    }
}

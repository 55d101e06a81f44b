package dev.outreach2day.domain;

import dev.outreach2day.platform.O2dProperties;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the built-in DNS server on 127.0.0.1 in sandbox mode, answering for the sandbox zone
 * store: {@code dig @127.0.0.1 -p $PORT TXT _dmarc.example.com}. Off in production.
 */
@Component
class BuiltInDnsServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BuiltInDnsServer.class);

    private final O2dProperties platform;
    private final DomainProperties props;
    private final SandboxDnsProvider zones;
    private volatile DnsServer server;

    BuiltInDnsServer(O2dProperties platform, DomainProperties props, SandboxDnsProvider zones) {
        this.platform = platform;
        this.props = props;
        this.zones = zones;
    }

    @Override
    public synchronized void start() {
        if (!platform.sandbox() || server != null) {
            return;
        }
        try {
            DnsServer s = new DnsServer(zones, InetAddress.getLoopbackAddress(), props.dns().serverPort());
            s.start();
            server = s;
            log.info("Built-in DNS server on 127.0.0.1:{} (UDP and TCP) answers for sandbox zones", s.port());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot start the built-in DNS server on port " + props.dns().serverPort()
                    + " (O2D_DNS_PORT): " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** The bound port, or 0 when not running. */
    int port() {
        DnsServer s = server;
        return s == null ? 0 : s.port();
    }
}

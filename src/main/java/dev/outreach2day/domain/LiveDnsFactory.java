package dev.outreach2day.domain;

import dev.outreach2day.platform.O2dProperties;
import org.springframework.stereotype.Component;

/**
 * The resolver live verification asks: {@code O2D_DNS_RESOLVER} when set; otherwise the built-in
 * DNS server in sandbox mode (so sandbox domains verify over real DNS), the system's resolvers
 * in production.
 */
@Component
class LiveDnsFactory {

    private final DomainProperties props;
    private final O2dProperties platform;
    private final BuiltInDnsServer builtIn;

    LiveDnsFactory(DomainProperties props, O2dProperties platform, BuiltInDnsServer builtIn) {
        this.props = props;
        this.platform = platform;
        this.builtIn = builtIn;
    }

    LiveDns get() {
        String resolver = props.dns().resolver();
        if ((resolver == null || resolver.isBlank()) && platform.sandbox() && builtIn.port() > 0) {
            resolver = "127.0.0.1:" + builtIn.port();
        }
        return new LiveDns(resolver, props.dns().timeout());
    }
}

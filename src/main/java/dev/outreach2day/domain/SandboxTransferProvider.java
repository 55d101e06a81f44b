package dev.outreach2day.domain;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * The sandbox's transfer to Cloudflare Registrar: a clock-driven simulation of the real
 * sequence. After payment the auth code is checked with the losing registrar
 * ({@code pending_auth}, one step), then the losing registrar has to release the domain
 * ({@code transferring}, one step), then it is {@code completed}. Auth codes shorter than six
 * characters are rejected the way a registrar rejects a wrong code.
 */
@Component
class SandboxTransferProvider implements TransferProvider {

    private final Duration step;
    private final Clock clock;

    SandboxTransferProvider(DomainProperties props, Clock clock) {
        this.step = props.transfer().stepDuration();
        this.clock = clock;
    }

    @Override
    public String name() {
        return "sandbox";
    }

    @Override
    public TransferState start(String domain, String authCode, Instant startedAt) {
        if (authCode == null || authCode.strip().length() < 6) {
            return new TransferState(Status.failed, "The losing registrar rejected the auth code for " + domain);
        }
        return status(domain, startedAt);
    }

    @Override
    public TransferState status(String domain, Instant startedAt) {
        Duration elapsed = Duration.between(startedAt, clock.instant());
        if (elapsed.compareTo(step) < 0) {
            return new TransferState(Status.pending_auth, "Checking the auth code with the current registrar");
        }
        if (elapsed.compareTo(step.multipliedBy(2)) < 0) {
            return new TransferState(Status.transferring, "Waiting for the current registrar to release " + domain);
        }
        return new TransferState(Status.completed, domain + " is now registered at Cloudflare");
    }
}

package dev.outreach2day.domain;

import java.time.Instant;

/**
 * Port: moving a domain's registration to Cloudflare Registrar. Implementations: {@code sandbox}
 * (a clock-driven simulation) and {@code cloudflare} (Cloudflare's API).
 */
interface TransferProvider {

    String name();

    /** Starts (or resumes) the transfer of {@code domain} with its EPP auth code. */
    TransferState start(String domain, String authCode, Instant startedAt);

    /** The current state of a transfer started at {@code startedAt}. */
    TransferState status(String domain, Instant startedAt);

    /**
     * States a transfer moves through: pending_payment → pending_auth → transferring →
     * completed, or failed / cancelled.
     */
    enum Status { pending_payment, pending_auth, transferring, completed, failed, cancelled }

    record TransferState(Status status, String detail) {}
}

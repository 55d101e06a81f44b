package dev.outreach2day.delivery;

import java.util.List;

/**
 * Sends recorded as sent together (the engine's group commit): one event per group instead of one
 * {@link SendCompleted} per send, so what listens (webhooks: email_sent) can write them together.
 */
public record SendsCompleted(List<SendCompleted> sends) {}

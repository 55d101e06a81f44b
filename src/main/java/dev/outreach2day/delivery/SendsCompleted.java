package dev.outreach2day.delivery;

import java.util.List;

/**
 * Sends recorded as sent together (the engine's group commit): one event per group instead of one
 * {@link SendCompleted} per send, so what listens (webhooks: email_sent) can write them together.
 * Published inside the transaction that records them.
 *
 * @param lastSteps the sends that were their contact's last step: those contacts completed the sequence
 */
public record SendsCompleted(List<SendCompleted> sends, List<SendCompleted> lastSteps) {}

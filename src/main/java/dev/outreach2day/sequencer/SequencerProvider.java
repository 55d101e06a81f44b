package dev.outreach2day.sequencer;

import java.util.List;
import java.util.Optional;

/** One sequencer's API (Instantly, Smartlead): the port the controller and the export runner use. */
interface SequencerProvider {

    /** What a provider can do here, shown by GET /sequencers/providers. */
    record Capabilities(boolean export, boolean reconnect, boolean warmup, boolean dailyLimit) {}

    /** The answer to "is this key good": valid, the provider's account name when it says one, or its message. */
    record Validation(boolean valid, String account, String error) {}

    /**
     * A mailbox as a provider receives it: identity, both logins with their passwords, the daily
     * limit and the warmup wish. Passwords never appear in {@link #toString()}.
     */
    record MailboxAccount(String email, String firstName, String lastName, String smtpHost, int smtpPort, String smtpUsername,
            String smtpPassword, String imapHost, int imapPort, String imapUsername, String imapPassword, int dailyLimit,
            boolean enableWarmup, int warmupPerDay, int warmupRampup) {
        @Override
        public String toString() {
            return "MailboxAccount[" + email + " smtp " + smtpUsername + "@" + smtpHost + ":" + smtpPort + " imap " + imapUsername + "@"
                    + imapHost + ":" + imapPort + " limit " + dailyLimit + (enableWarmup ? " warmup" : "") + "]";
        }
    }

    /**
     * An account the provider reports as failing to connect, with its id there and the provider's
     * words; its daily limit and warmup state there when the provider lists them (null otherwise),
     * so pushing the credentials again does not change them.
     */
    record RemoteAccount(String email, String externalId, String problem, Integer dailyLimit, Boolean warmupEnabled) {
        RemoteAccount(String email, String externalId, String problem) {
            this(email, externalId, problem, null, null);
        }
    }

    String id();

    String name();

    Capabilities capabilities();

    /** Asks the provider whether the key works. A 401/403 is {@code valid: false} with the provider's message. */
    Validation validate(String apiKey);

    /** Creates the account at the provider; returns the provider's id of it. */
    String create(String apiKey, MailboxAccount account);

    /** Turns the provider's warmup on for a created account, when that is a call of its own (Instantly). */
    void enableWarmup(String apiKey, MailboxAccount account, String externalId);

    /** The provider's id of an account with this address, when it has one (asked before retrying an uncertain create). */
    Optional<String> existing(String apiKey, String email);

    /** Every account the provider reports as disconnected or failing. */
    List<RemoteAccount> disconnected(String apiKey);

    /** Gives a disconnected account its credentials again (or asks the provider to retry it). */
    void reconnect(String apiKey, RemoteAccount remote, MailboxAccount account);
}

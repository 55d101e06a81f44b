package dev.outreach2day.outcome;

import dev.outreach2day.unibox.ReplyClassifier;
import java.util.List;

/**
 * The reply outcomes capability's vocabulary for the others: the intents an outcome can have and
 * the webhook event that announces each (the API: {@code /campaigns/{id}/outcomes},
 * {@code …/replies/classify}, {@code …/contacts/{contact_id}/outcome}).
 */
public final class ReplyOutcomes {

    /** Every reply intent, as the classifier and the API spell them. */
    public static final List<String> INTENTS = List.of(ReplyClassifier.INTERESTED, ReplyClassifier.NOT_INTERESTED,
            ReplyClassifier.OUT_OF_OFFICE, ReplyClassifier.UNSUBSCRIBE, ReplyClassifier.NEUTRAL, ReplyClassifier.BOUNCED);

    private ReplyOutcomes() {}

    /** The lead event that announces a contact's intent (lead_interested, …), or null when there is none (neutral). */
    public static String leadEvent(String intent) {
        return switch (intent) {
            case ReplyClassifier.INTERESTED -> "lead_interested";
            case ReplyClassifier.NOT_INTERESTED -> "lead_not_interested";
            case ReplyClassifier.OUT_OF_OFFICE -> "lead_out_of_office";
            case ReplyClassifier.UNSUBSCRIBE -> "lead_unsubscribed";
            case ReplyClassifier.BOUNCED -> "email_bounced";
            default -> null;
        };
    }
}

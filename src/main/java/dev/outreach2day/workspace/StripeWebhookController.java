package dev.outreach2day.workspace;

import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import com.stripe.model.checkout.Session;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.O2dProperties;
import dev.outreach2day.platform.PublicEndpoint;
import io.swagger.v3.oas.annotations.Hidden;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Stripe's side of adding a card: the signed webhook that reports a completed Checkout Session
 * (setup mode), and the page Stripe sends the person back to. Always mapped, so the public route
 * exists in every mode; without Stripe configured the webhook answers 503.
 */
@Hidden
@RestController
class StripeWebhookController {

    static final String WEBHOOK_PATH = "/billing/stripe/webhook";
    static final String RETURN_PATH = "/billing/stripe/return";

    private static final Logger log = LoggerFactory.getLogger(StripeWebhookController.class);

    /** The webhook's only success body: Stripe reads just the status, this is for people debugging. */
    record Received(boolean received) {}

    private static final Received RECEIVED = new Received(true);

    private final ObjectProvider<StripePaymentProvider> stripe;
    private final PaymentService payments;
    private final O2dProperties props;

    StripeWebhookController(ObjectProvider<StripePaymentProvider> stripe, PaymentService payments, O2dProperties props) {
        this.stripe = stripe;
        this.payments = payments;
        this.props = props;
    }

    /**
     * Applies {@code checkout.session.completed} (setup mode): the saved card becomes the
     * workspace's payment method and the Stripe customer's default. Everything else is
     * acknowledged and ignored. A Stripe failure while reading the card answers 503 so that
     * Stripe redelivers later; a redelivered event is applied once.
     */
    @PublicEndpoint(why = "called by Stripe; authenticated by the Stripe-Signature HMAC of the raw body with the webhook secret")
    @PostMapping(value = WEBHOOK_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
    Received webhook(@RequestBody(required = false) byte[] body,
            @RequestHeader(value = "Stripe-Signature", required = false) String signature) {
        String secret = props.payment().stripeWebhookSecret();
        StripePaymentProvider provider = stripe.getIfAvailable();
        if (provider == null || !StringUtils.hasText(secret)) {
            throw new ApiException.Unavailable("PAYMENT_PROVIDER_UNCONFIGURED",
                    "Stripe webhooks are not configured on this server (O2D_STRIPE_SECRET_KEY and O2D_STRIPE_WEBHOOK_SECRET)");
        }
        if (!StringUtils.hasText(signature)) {
            throw new ApiException.BadRequest("SIGNATURE_INVALID", "Missing Stripe-Signature header");
        }
        // The HMAC covers the exact bytes Stripe sent; Stripe always sends UTF-8 JSON.
        String payload = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        Event event;
        try {
            event = provider.verifiedEvent(payload, signature, secret.trim());
        } catch (SignatureVerificationException e) {
            log.info("Rejected a Stripe webhook: {}", e.getMessage());
            throw new ApiException.BadRequest("SIGNATURE_INVALID",
                    "Stripe-Signature does not match the payload (wrong secret, altered body, or older than 300 s)");
        } catch (RuntimeException e) {
            // Signed correctly but not an event (only possible with the secret): nothing to retry.
            throw new ApiException.BadRequest("PAYLOAD_INVALID", "The signed payload is not a Stripe event");
        }
        if (!"checkout.session.completed".equals(event.getType())) {
            return RECEIVED;
        }
        if (provider.eventSeen(event.getId())) {
            return RECEIVED; // redelivery: applied before
        }
        Session session = session(event);
        if ("payment".equals(session.getMode()) && "paid".equals(session.getPaymentStatus())) {
            // A one-off checkout (e.g. domain transfers): marked paid once; unknown sessions match no row.
            payments.payExternalCheckout("stripe", session.getId())
                    .ifPresent(ws -> log.info("Workspace {} paid checkout session {} (Stripe event {})", ws, session.getId(),
                            event.getId()));
            return RECEIVED;
        }
        if (!"setup".equals(session.getMode()) || session.getSetupIntent() == null) {
            return RECEIVED; // a subscription Checkout of this Stripe account, not ours
        }
        if (!provider.knownSession(session.getId())) {
            log.info("Ignoring Stripe event {}: Checkout Session {} was not started by this server", event.getId(),
                    session.getId());
            return RECEIVED;
        }
        var card = provider.savedCard(session.getSetupIntent(), session.getCustomer());
        payments.completeExternal("stripe", event.getId(), event.getType(), session.getId(), card)
                .ifPresent(ws -> log.info("Workspace {} now pays with {} •••• {} (Stripe event {})", ws, card.brand(),
                        card.last4(), event.getId()));
        return RECEIVED;
    }

    /**
     * The event's Checkout Session. The typed view is empty when the event's API version differs
     * from the library's (an account pinned to another version); the session fields used here are
     * stable across versions, so fall back to the unchecked deserialization.
     */
    private static Session session(Event event) {
        var data = event.getDataObjectDeserializer();
        StripeObject object = data.getObject().orElse(null);
        if (object == null) {
            try {
                object = data.deserializeUnsafe();
            } catch (EventDataObjectDeserializationException e) {
                throw new ApiException.BadRequest("PAYLOAD_INVALID", "The event's Checkout Session cannot be read");
            }
        }
        if (!(object instanceof Session session)) {
            throw new ApiException.BadRequest("PAYLOAD_INVALID", "checkout.session.completed without a Checkout Session");
        }
        return session;
    }

    /** Where Stripe Checkout sends the person afterwards; the webhook, not this page, records the card. */
    @PublicEndpoint(why = "a static confirmation page opened in a browser; reads and changes nothing")
    @GetMapping(value = RETURN_PATH, produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> returned(@RequestParam(value = "canceled", required = false) String canceled) {
        boolean cancel = canceled != null;
        String title = cancel ? "No card added" : "Payment method received";
        String text = cancel
                ? "The card setup was canceled; nothing was saved. You can close this page."
                : "Payment method received; you can close this page.";
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>%s · Outreach2day</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}</style></head>
                <body><h1>%s</h1><p id="result">%s</p></body></html>
                """.formatted(title, title, text));
    }
}

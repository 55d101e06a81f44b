package dev.outreach2day.workspace;

import dev.outreach2day.platform.PublicEndpoint;
import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * The sandbox stand-in for Stripe's hosted page: opened by a person from the {@code setup_url},
 * it shows the workspace and one button that adds the test card. The token in the URL is the
 * credential; it works once and for 24 hours.
 */
@Hidden
@RestController
class SandboxPaymentPageController {

    private final PaymentService payments;
    private final SandboxPaymentProvider sandbox;

    SandboxPaymentPageController(PaymentService payments, SandboxPaymentProvider sandbox) {
        this.payments = payments;
        this.sandbox = sandbox;
    }

    @PublicEndpoint(why = "opened in a browser; the single-use token in the path authorises it")
    @GetMapping(value = "/billing/sandbox/setup/{token}", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> page(@PathVariable String token) {
        return payments.openSandboxSession(SandboxPaymentProvider.hashToken(token))
                .map(name -> ResponseEntity.ok(html("Add a payment method", """
                        <p>Workspace: <strong>%s</strong></p>
                        <p>This is the <em>sandbox</em> payment page of your Outreach2day server. No real card is
                        charged: confirming attaches the test card <strong>Visa •••• 4242</strong>.</p>
                        <form method="post"><button type="submit" id="confirm">Add test card</button></form>
                        """.formatted(HtmlUtils.htmlEscape(name)))))
                .orElseGet(SandboxPaymentPageController::gone);
    }

    @PublicEndpoint(why = "form post from the sandbox page; the single-use token in the path authorises it")
    @PostMapping(value = "/billing/sandbox/setup/{token}", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> confirm(@PathVariable String token) {
        var card = sandbox.testCard();
        return payments.completeSandbox(SandboxPaymentProvider.hashToken(token), card)
                .map(ws -> ResponseEntity.ok(html("Payment method added", """
                        <p id="done">Visa •••• %s (expires %02d/%d) is now the payment method of workspace %d.</p>
                        <p>You can close this page.</p>
                        """.formatted(card.last4(), card.expMonth(), card.expYear(), ws))))
                .orElseGet(SandboxPaymentPageController::gone);
    }

    @PublicEndpoint(why = "opened in a browser; the single-use token in the path authorises it")
    @GetMapping(value = "/billing/sandbox/checkout/{token}", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> checkoutPage(@PathVariable String token) {
        return payments.openSandboxCheckout(SandboxPaymentProvider.hashToken(token))
                .map(c -> ResponseEntity.ok(html("Checkout", """
                        <p>%s</p>
                        <p>Amount: <strong>%s %s</strong></p>
                        <p>This is the <em>sandbox</em> checkout of your Outreach2day server: nothing is charged.</p>
                        <form method="post"><button type="submit" id="pay">Pay with test card</button></form>
                        """.formatted(HtmlUtils.htmlEscape(c.description()), c.amount().toPlainString(),
                        HtmlUtils.htmlEscape(c.currency())))))
                .orElseGet(SandboxPaymentPageController::gone);
    }

    @PublicEndpoint(why = "form post from the sandbox checkout page; the single-use token in the path authorises it")
    @PostMapping(value = "/billing/sandbox/checkout/{token}", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> pay(@PathVariable String token) {
        return payments.paySandboxCheckout(SandboxPaymentProvider.hashToken(token))
                .map(ws -> ResponseEntity.ok(html("Payment received", "<p id=\"done\">Paid. You can close this page.</p>")))
                .orElseGet(SandboxPaymentPageController::gone);
    }

    private static ResponseEntity<String> gone() {
        return ResponseEntity.status(404).contentType(MediaType.TEXT_HTML).body(html("Link not valid",
                "<p>This setup link is unknown, was already used, or has expired. Ask the API for a new one "
                        + "(POST /workspaces/{id}/setup_payment_method).</p>"));
    }

    private static String html(String title, String body) {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>%s · Outreach2day</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}
                button{font-size:1rem;padding:.6rem 1.2rem}</style></head>
                <body><h1>%s</h1>%s</body></html>
                """.formatted(title, title, body);
    }
}

package dev.outreach2day.campaign;

import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Campaigns")
@RestController
class PreviewController {

    record StepPreviewIn(@Size(max = 500) String subject, @Size(max = 100_000) String bodyHtml, @Size(max = 100_000) String bodyText,
            Map<String, Object> contact, String mailbox, Long seed) {}

    record SpintaxErrorOut(String field, int position, String message) {}

    record SpamWordOut(String phrase, String language, int count) {}

    record StepPreviewOut(String subject, String bodyHtml, String bodyText, List<String> unresolved, List<SpintaxErrorOut> spintaxErrors,
            List<SpamWordOut> spamWords) {}

    private final Mailboxes mailboxes;

    PreviewController(Mailboxes mailboxes) {
        this.mailboxes = mailboxes;
    }

    @Operation(summary = "Preview Campaign Step",
            description = "Renders a subject and body for one contact (and sender mailbox) with the same engine sending uses: "
                    + "{{var}}, {{var|fallback}}, spintax {a|b}; lists unresolved variables, spintax errors and spam-trigger words.")
    @RequiredScope(Scope.WRITE)
    @PostMapping("/campaigns/steps/preview")
    StepPreviewOut preview(Caller caller, @RequestParam(required = false) Long workspaceId, @Valid @RequestBody StepPreviewIn in) {
        long ws = caller.workspace(workspaceId);
        if ((in.subject() == null || in.subject().isEmpty()) && (in.bodyHtml() == null || in.bodyHtml().isEmpty())) {
            throw ApiException.Invalid.body("give a subject or a bodyHtml to preview", "missing", "bodyHtml");
        }
        Map<String, String> values = new HashMap<>();
        Map<String, Object> contact = in.contact() == null ? Map.of() : in.contact();
        contact.forEach((k, v) -> {
            if (k.equals("customFields") && v instanceof Map<?, ?> custom) {
                custom.forEach((ck, cv) -> values.put(String.valueOf(ck), cv == null ? null : String.valueOf(cv)));
            } else if (v != null && !(v instanceof Map) && !(v instanceof List)) {
                values.put(k, String.valueOf(v));
            }
        });
        if (in.mailbox() != null) {
            var m = mailboxes.find(ws, in.mailbox()).orElseThrow(() ->
                    ApiException.Invalid.body("no mailbox " + in.mailbox() + " in this workspace", "value_error", "mailbox"));
            values.putIfAbsent("senderFirstName", m.firstName());
            values.putIfAbsent("senderLastName", m.lastName());
            values.putIfAbsent("senderEmail", m.address());
            values.putIfAbsent("signature", m.signature());
        }
        values.putIfAbsent("unsubscribeUrl", "https://example.invalid/u/preview");
        long seed = in.seed() != null ? in.seed() : String.valueOf(values.getOrDefault("email", "")).hashCode();
        var unresolved = new TreeSet<String>();
        var errors = new ArrayList<SpintaxErrorOut>();
        String subject = render(in.subject(), values, seed, Templates.Context.TEXT, "subject", unresolved, errors);
        String html = render(in.bodyHtml(), values, seed, Templates.Context.HTML, "bodyHtml", unresolved, errors);
        String text = in.bodyText() != null ? render(in.bodyText(), values, seed, Templates.Context.TEXT, "bodyText", unresolved, errors)
                : html == null ? null : Templates.htmlToText(html);
        var spam = new ArrayList<SpamWordOut>();
        SpamWords.find(((subject == null ? "" : subject) + "\n" + (text == null ? "" : text)))
                .forEach(h -> spam.add(new SpamWordOut(h.phrase(), h.language(), h.count())));
        return new StepPreviewOut(subject, html, text, List.copyOf(unresolved), errors, spam);
    }

    private static String render(String template, Map<String, String> values, long seed, Templates.Context ctx, String field,
            TreeSet<String> unresolved, List<SpintaxErrorOut> errors) {
        if (template == null) return null;
        var r = Templates.render(template, values, seed, ctx);
        unresolved.addAll(r.unresolved());
        r.spintaxErrors().forEach(e -> errors.add(new SpintaxErrorOut(field, e.position(), e.message())));
        return r.text();
    }
}

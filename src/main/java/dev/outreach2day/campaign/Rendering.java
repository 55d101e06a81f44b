package dev.outreach2day.campaign;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The campaign module's rendering facade for the sending engine: the same {@link Templates}
 * engine preview uses, applied to a step (or its chosen variant) for one contact.
 */
public final class Rendering {

    private Rendering() {}

    public record Rendered(String subject, String html, String text, Set<String> unresolved) {}

    /**
     * Renders a step: the variant's parts when given, else the step's. The text part is the
     * template's own text when there is one, else derived from the rendered HTML; {@code textOnly}
     * drops the HTML part. Unresolved variables of every part are reported together.
     */
    public static Rendered render(String stepSubject, String stepHtml, String stepText, String variantSubject, String variantHtml,
            String variantText, Map<String, String> values, long seed, boolean textOnly) {
        boolean useVariant = variantHtml != null;
        String subjectTemplate = useVariant ? variantSubject : stepSubject;
        String htmlTemplate = useVariant ? variantHtml : stepHtml;
        String textTemplate = useVariant ? variantText : stepText;
        var unresolved = new TreeSet<String>();
        var subject = Templates.render(subjectTemplate == null ? "" : subjectTemplate, values, seed, Templates.Context.TEXT);
        unresolved.addAll(subject.unresolved());
        var html = Templates.render(htmlTemplate == null ? "" : htmlTemplate, values, seed, Templates.Context.HTML);
        unresolved.addAll(html.unresolved());
        String text;
        if (textTemplate != null && !textTemplate.isBlank()) {
            // in plain text the signature is its text form
            Map<String, String> textValues = new HashMap<>(values);
            String signature = values.get(Templates.SIGNATURE);
            if (signature != null) textValues.put(Templates.SIGNATURE, Templates.htmlToText(signature));
            var t = Templates.render(textTemplate, textValues, seed, Templates.Context.TEXT);
            unresolved.addAll(t.unresolved());
            text = t.text();
        } else {
            text = Templates.htmlToText(html.text());
        }
        return new Rendered(subject.text(), textOnly ? null : html.text(), text, unresolved);
    }
}

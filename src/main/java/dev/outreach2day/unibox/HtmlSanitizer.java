package dev.outreach2day.unibox;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.safety.Cleaner;
import org.jsoup.safety.Safelist;

/**
 * Stored HTML made safe to show in a browser whenever it is served (it is stored as received, see
 * ADR 0016; {@code ThreadStore} sanitises every HTML body it reads): a whitelist of formatting
 * elements and attributes (no scripts, styles, forms, frames, event handlers or {@code
 * javascript:} URLs); links keep http(s) and mailto and open with {@code rel="noopener
 * noreferrer nofollow"}; images keep http(s), data and cid sources (a client may still choose
 * not to load remote images: they are how senders see an email opened).
 */
final class HtmlSanitizer {

    private static final Safelist SAFE = Safelist.relaxed()
            .addAttributes(":all", "dir", "align")
            .addAttributes("table", "border", "cellpadding", "cellspacing", "width")
            .addAttributes("td", "valign", "bgcolor")
            .addProtocols("img", "src", "http", "https", "data", "cid")
            .addProtocols("a", "href", "http", "https", "mailto")
            .addEnforcedAttribute("a", "rel", "noopener noreferrer nofollow");

    private HtmlSanitizer() {}

    /** The sanitised body HTML; null stays null. */
    static String sanitize(String html) {
        if (html == null) return null;
        Document dirty = Jsoup.parse(html);
        Document clean = new Cleaner(SAFE).clean(dirty);
        clean.outputSettings().prettyPrint(false);
        return clean.body().html();
    }
}

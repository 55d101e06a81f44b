package dev.outreach2day.unibox;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Subjects as people see them: reply and forward prefixes of common mail clients and languages
 * removed ({@code Re:}, {@code AW:}, {@code Fwd:}, {@code WG:}, {@code TR:}, {@code RV:}, …,
 * repeated, bracketed counters like {@code Re[2]:}, and list tags like {@code [EXTERNAL]}), and a
 * normalised key for threading mail that carries no reply headers.
 */
final class Subjects {

    private Subjects() {}

    /**
     * Reply prefixes: Re (en and most), AW/Antw (de, nl), SV (sv, da, no), VS (fi), RIF (it), R
     * (it), RES (pt), Odp (pl), YNT (tr), ΑΠ/ΣΧΕΤ (el), Ответ/На (ru, bg), 回复/回覆/答复 (zh),
     * 返信 (ja); forward prefixes: Fw/Fwd (en), WG (de), TR (fr), RV/Reenv (es), I (it), Doorst
     * (nl), VB (sv), Fs (no), PD (pl), ENC (pt), İLT (tr), ΠΡΘ (el), Пересл (ru), 转发/轉寄 (zh), 転送 (ja).
     */
    private static final Pattern PREFIX = Pattern.compile(
            "^\\s*(?:\\[[^\\]]{1,30}]\\s*)?(?:re|aw|antw|sv|vs|rif|r|res|odp|ynt|απ|σχετ|ответ|на|回复|回覆|答复|返信"
                    + "|fw|fwd|wg|tr|rv|reenv|i|doorst|vb|fs|pd|enc|i̇lt|ilt|πρθ|пересл|转发|轉寄|転送)"
                    + "\\s*(?:\\[\\d{1,3}]|\\(\\d{1,3}\\))?\\s*[:：]\\s*",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    private static final Pattern TAG = Pattern.compile("^\\s*\\[(?:external|extern|ext|externe?|spam|suspicious)]\\s*",
            Pattern.CASE_INSENSITIVE);

    private static final Pattern SPACE = Pattern.compile("\\s+");

    /** The subject without reply/forward prefixes and external-mail tags; "" for none. */
    static String display(String subject) {
        if (subject == null) return "";
        String s = SPACE.matcher(subject).replaceAll(" ").strip();
        for (int i = 0; i < 20; i++) {
            String before = s;
            s = TAG.matcher(s).replaceFirst("");
            s = PREFIX.matcher(s).replaceFirst("");
            if (s.equals(before)) break;
        }
        return s.strip();
    }

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");

    /** The threading key: the display subject, case- and accent-folded, whitespace collapsed. */
    static String key(String subject) {
        return keyOfDisplay(display(subject));
    }

    /** {@link #key} of the subject whose {@link #display} is {@code display}. */
    static String keyOfDisplay(String display) {
        // plain ASCII has no accents and is its own decomposition
        String d = isAscii(display) ? display : MARKS.matcher(Normalizer.normalize(display, Normalizer.Form.NFKD)).replaceAll("");
        return SPACE.matcher(d.toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 128) return false;
        return true;
    }

    /** True when the subject starts with a reply or forward prefix. */
    static boolean isReplyOrForward(String subject) {
        return subject != null && PREFIX.matcher(TAG.matcher(subject).replaceFirst("")).lookingAt();
    }
}

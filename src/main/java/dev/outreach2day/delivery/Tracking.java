package dev.outreach2day.delivery;

import dev.outreach2day.platform.PlatformSecrets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Open and click tracking of a sent message (when the campaign turns it on): links are replaced
 * by redirects through this server that name the send and the link's position, and a 1×1 image
 * is added. Tokens are HMAC-signed, and a redirect only ever goes to a URL that was in the message.
 */
@Component
class Tracking {

    private static final Pattern LINK = Pattern.compile("(<a\\b[^>]*?\\bhref\\s*=\\s*)([\"'])(https?://[^\"']+)\\2", Pattern.CASE_INSENSITIVE);

    record Target(long workspaceId, String sendId) {}

    private final SignedTokens tokens;

    Tracking(PlatformSecrets secrets) {
        this.tokens = new SignedTokens(secrets, "tracking-hmac");
    }

    /** Rewrites links (except the unsubscribe link) and appends the open pixel; {@code links} receives the originals in order. */
    String instrument(String html, String base, long workspaceId, String sendId, boolean opens, boolean clicks,
            String unsubscribeUrl, List<String> links) {
        String token = token(workspaceId, sendId);
        String out = html;
        if (clicks) {
            Matcher m = LINK.matcher(html);
            var sb = new StringBuilder();
            while (m.find()) {
                String url = m.group(3).replace("&amp;", "&");
                if (url.equals(unsubscribeUrl) || url.contains("/u/")) {
                    m.appendReplacement(sb, Matcher.quoteReplacement(m.group(0)));
                    continue;
                }
                links.add(url);
                String tracked = base + "/t/c/" + token + "/" + (links.size() - 1);
                m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + m.group(2) + tracked + m.group(2)));
            }
            m.appendTail(sb);
            out = sb.toString();
        }
        if (opens) {
            String pixel = "<img src=\"" + base + "/t/o/" + token + "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">";
            int body = out.toLowerCase().lastIndexOf("</body>");
            out = body >= 0 ? out.substring(0, body) + pixel + out.substring(body) : out + pixel;
        }
        return out;
    }

    String token(long workspaceId, String sendId) {
        return tokens.sign(workspaceId + "." + sendId);
    }

    Optional<Target> verify(String token) {
        return tokens.verify(token).flatMap(payload -> {
            String[] parts = payload.split("\\.", 2);
            try {
                return parts.length == 2 ? Optional.of(new Target(Long.parseLong(parts[0]), parts[1])) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }
}

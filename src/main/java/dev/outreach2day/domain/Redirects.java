package dev.outreach2day.domain;

import dev.outreach2day.platform.ApiException;
import java.net.URI;
import java.util.Locale;

/** Redirect targets: "example.com" or "https://example.com/path" become a clean absolute URL. */
final class Redirects {

    private Redirects() {}

    /** Null/blank → null (no redirect); otherwise an http(s) URL with a valid host, else 422 on {@code field}. */
    static String normalizeTarget(String input, String field) {
        if (input == null || input.isBlank()) {
            return null;
        }
        String s = input.strip();
        if (!s.contains("://")) {
            s = "https://" + s;
        }
        URI uri;
        try {
            uri = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw ApiException.Invalid.body("not a valid URL or domain", "url_parsing", field);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.Invalid.body("the redirect must be an http or https URL", "url_scheme", field);
        }
        if (uri.getHost() == null || !(DomainNames.normalize(uri.getHost()) instanceof DomainNames.Valid host)) {
            throw ApiException.Invalid.body("the redirect needs a valid host name", "url_parsing", field);
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.Invalid.body("the redirect may not contain credentials", "url_parsing", field);
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return scheme + "://" + host.ascii() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    static String hostOf(String url) {
        return URI.create(url).getHost().toLowerCase(Locale.ROOT);
    }
}

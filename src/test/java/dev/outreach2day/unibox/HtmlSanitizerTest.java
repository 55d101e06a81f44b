package dev.outreach2day.unibox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlSanitizerTest {

    @Test
    void scriptsHandlersStylesFramesAndJavascriptUrlsAreRemoved() {
        String dirty = """
                <html><head><style>body{display:none}</style><script>steal()</script></head>
                <body onload="steal()"><p style="color:red" onclick="x()">Hello <b>there</b></p>
                <a href="javascript:alert(1)">bad</a> <a href="https://example.com/x">good</a>
                <img src="x" onerror="alert(2)"><img src="https://example.com/logo.png" alt="logo">
                <iframe src="https://evil.example"></iframe><form action="/steal"><input name="p"></form>
                <svg><script>alert(3)</script></svg></body></html>""";
        String clean = HtmlSanitizer.sanitize(dirty);
        assertThat(clean).doesNotContain("<script", "steal()", "onload", "onclick", "onerror", "javascript:", "<iframe", "<form",
                "<input", "<style", "<svg");
        assertThat(clean).contains("<b>there</b>", "href=\"https://example.com/x\"", "rel=\"noopener noreferrer nofollow\"",
                "src=\"https://example.com/logo.png\"");
        assertThat(HtmlSanitizer.sanitize(null)).isNull();
    }
}

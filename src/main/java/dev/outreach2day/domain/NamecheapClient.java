package dev.outreach2day.domain;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Namecheap's XML API (https://www.namecheap.com/support/api/), shared by {@link NamecheapRegistrar}
 * and {@link NamecheapDnsProvider}.
 *
 * <p>Every command is one {@code POST} to {@code …/xml.response} with all parameters, the global
 * ones included, form-encoded in the body (as Namecheap's own Go SDK does): the API key never
 * appears in a URL, so it cannot end up in access logs or exception messages that quote URIs, and
 * long values ({@code setHosts} TXT records with {@code ;}) are encoded once, correctly.
 *
 * <p>Responses are parsed with the JDK's parser with DOCTYPEs, external entities and DTD loading
 * disabled: a response that carries a DOCTYPE is refused, never expanded (XXE-safe).
 *
 * <p>Failures surface as {@link Failure}: {@code Status="ERROR"} as {@code NAMECHEAP_<number>}
 * (retryable for the numbers Namecheap documents as unknown/provider-side exceptions), HTTP
 * 5xx/405/429, timeouts and I/O errors as retryable. The API key is never logged, and is redacted
 * from every message this class produces.
 */
final class NamecheapClient {

    private static final Logger log = LoggerFactory.getLogger(NamecheapClient.class);

    static final String DEFAULT_API_URL = "https://api.namecheap.com/xml.response";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Namecheap's answers are a few KB; anything this large is not one. */
    private static final long MAX_RESPONSE_BYTES = 4L * 1024 * 1024;
    private static final int MAX_TEXT_LENGTH = 500;

    /**
     * Error numbers the method pages list as unknown/unhandled exceptions or upstream (Enom/provider)
     * failures, i.e. worth trying again later. Namecheap's Go SDK treats 3050900, 5019169, 5050169 and
     * 5050900 as its retryable server errors; the provider-side ones and the auth-phase "unknown
     * error" are added here. Everything else (validation, auth, not found, not available) is final.
     */
    static final Set<String> TEMPORARY_ERRORS = Set.of(
            "1050900", // Unknown error when validating APIUser
            "1017411", // Too many login attempts
            "3011511", // Unknown response from provider (check)
            "3028166", // Error from Enom (errcount <> 0)
            "3031166", // Error while getting information from the provider
            "3031510", // Error response from Enom when the error count != 0
            "3031900", // Unknown response from the provider
            "3050900", // Unknown error/response from provider
            "4022288", // Unable to get nameserver list
            "4023330", // Unable to get DNS hosts from list
            "5019169", // Unknown exceptions
            "5050169", // Unknown exceptions
            "5050900"); // Unknown / unhandled exceptions

    private static final ErrorHandler THROWING = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
            // ignored: warnings do not make a document unreadable
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    private final DomainProperties.Namecheap config;
    private final Duration requestTimeout;
    private final HttpClient http;

    NamecheapClient(DomainProperties.Namecheap config) {
        this(config, REQUEST_TIMEOUT);
    }

    /** @param requestTimeout how long one command may take (tests shorten it) */
    NamecheapClient(DomainProperties.Namecheap config, Duration requestTimeout) {
        this.config = config;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                // A credential-bearing POST is never re-sent somewhere else.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** True when an API key is set (the switch documented on {@link DomainProperties.Namecheap}). */
    boolean configured() {
        return config != null && config.configured();
    }

    /** The settings that must be set before a command can be sent; empty when all are. */
    List<String> missingSettings() {
        List<String> missing = new ArrayList<>();
        if (config == null || blank(config.apiKey())) {
            missing.add("O2D_NAMECHEAP_API_KEY");
        }
        if (config == null || blank(config.apiUser())) {
            missing.add("O2D_NAMECHEAP_API_USER");
        }
        if (config == null || blank(config.clientIp())) {
            missing.add("O2D_NAMECHEAP_CLIENT_IP");
        }
        return missing;
    }

    /**
     * Sends one command and returns the {@code <ApiResponse>} element of a {@code Status="OK"} answer.
     *
     * @param command e.g. {@code namecheap.domains.check}
     * @param params  the command's own parameters, in the order they are to be sent
     * @throws Failure when the API refuses, errs or cannot be reached
     */
    Element call(String command, Map<String, String> params) {
        List<String> missing = missingSettings();
        if (!missing.isEmpty()) {
            throw new Failure("NAMECHEAP_NOT_CONFIGURED",
                    "Namecheap is not configured: set " + String.join(", ", missing), false, null, null);
        }
        Map<String, String> all = new LinkedHashMap<>();
        all.put("ApiUser", config.apiUser().trim());
        all.put("ApiKey", config.apiKey().trim());
        all.put("UserName", blank(config.username()) ? config.apiUser().trim() : config.username().trim());
        all.put("ClientIp", config.clientIp().trim());
        all.put("Command", command);
        params.forEach((name, value) -> {
            if (value != null) {
                all.put(name, value);
            }
        });

        HttpRequest request = HttpRequest.newBuilder(apiUri())
                .timeout(requestTimeout)
                .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .header("Accept", "application/xml, text/xml")
                .POST(HttpRequest.BodyPublishers.ofString(formEncode(all), StandardCharsets.UTF_8))
                .build();

        long started = System.nanoTime();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request,
                    HttpResponse.BodyHandlers.limiting(HttpResponse.BodyHandlers.ofByteArray(), MAX_RESPONSE_BYTES));
        } catch (HttpTimeoutException e) {
            throw failure("NAMECHEAP_TIMEOUT",
                    "Namecheap did not answer " + command + " within " + requestTimeout.toMillis() + " ms", true);
        } catch (IOException e) {
            throw failure("NAMECHEAP_UNREACHABLE",
                    "Namecheap could not be reached for " + command + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " " + e.getMessage()),
                    true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("NAMECHEAP_INTERRUPTED", "Interrupted while waiting for Namecheap (" + command + ")", true);
        }
        int status = response.statusCode();
        log.debug("Namecheap {} answered HTTP {} in {} ms", command, status, (System.nanoTime() - started) / 1_000_000);

        if (status == 405 || status == 429) {
            // Namecheap signals its rate limit (20/min, 700/h, 8000/day) with HTTP 405.
            throw failure("NAMECHEAP_RATE_LIMITED", "Namecheap rate-limited " + command + " (HTTP " + status + ")", true);
        }
        if (status >= 500) {
            throw failure("NAMECHEAP_HTTP_" + status, "Namecheap answered " + command + " with HTTP " + status, true);
        }
        if (status != 200) {
            throw failure("NAMECHEAP_HTTP_" + status, "Namecheap answered " + command + " with HTTP " + status, false);
        }

        Element root = parse(command, response.body());
        String apiStatus = root.getAttribute("Status");
        if ("OK".equalsIgnoreCase(apiStatus)) {
            return root;
        }
        if (!"ERROR".equalsIgnoreCase(apiStatus)) {
            throw failure("NAMECHEAP_BAD_RESPONSE",
                    "Namecheap answered " + command + " with an unexpected status '" + clip(apiStatus) + "'", false);
        }
        throw apiError(command, root);
    }

    private Failure apiError(String command, Element root) {
        List<Element> errors = all(root, "Error");
        if (errors.isEmpty()) {
            return failure("NAMECHEAP_ERROR", "Namecheap refused " + command + " without giving a reason", false);
        }
        String number = digits(errors.getFirst().getAttribute("Number"));
        StringJoiner texts = new StringJoiner("; ");
        for (Element error : errors) {
            String n = digits(error.getAttribute("Number"));
            String text = clip(error.getTextContent());
            texts.add(n.isEmpty() ? text : text + " (error " + n + ")");
        }
        String code = number.isEmpty() ? "NAMECHEAP_ERROR" : "NAMECHEAP_" + number;
        String text = redact(clip(errors.getFirst().getTextContent()));
        return new Failure(code, redact("Namecheap refused " + command + ": " + texts),
                TEMPORARY_ERRORS.contains(number), number.isEmpty() ? null : number, text);
    }

    private Element parse(String command, byte[] body) {
        Document document;
        try {
            DocumentBuilder builder = secureFactory().newDocumentBuilder();
            builder.setErrorHandler(THROWING);
            builder.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entities are not allowed");
            });
            document = builder.parse(new ByteArrayInputStream(body));
        } catch (SAXException | IOException e) {
            throw failure("NAMECHEAP_BAD_RESPONSE",
                    "Namecheap's answer to " + command + " is not acceptable XML: " + clip(e.getMessage()), false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("The JDK XML parser cannot be configured securely", e);
        }
        Element root = document.getDocumentElement();
        if (root == null || !"ApiResponse".equals(localName(root))) {
            throw failure("NAMECHEAP_BAD_RESPONSE", "Namecheap's answer to " + command + " is not an ApiResponse", false);
        }
        return root;
    }

    /** The JDK's own parser, locked down against XXE, entity expansion and DTD fetching. */
    static DocumentBuilderFactory secureFactory() throws ParserConfigurationException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        factory.setNamespaceAware(true);
        factory.setValidating(false);
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
        factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return factory;
    }

    private URI apiUri() {
        String url = blank(config.apiUrl()) ? DEFAULT_API_URL : config.apiUrl().trim();
        try {
            return URI.create(url);
        } catch (IllegalArgumentException e) {
            throw failure("NAMECHEAP_NOT_CONFIGURED", "O2D_NAMECHEAP_API_URL is not a valid URL", false);
        }
    }

    private Failure failure(String code, String message, boolean retryable) {
        return new Failure(code, redact(message), retryable, null, null);
    }

    /** Removes the API key from text that leaves this class (defence in depth: it is never put there). */
    String redact(String text) {
        if (text == null || config == null || blank(config.apiKey())) {
            return text;
        }
        String key = config.apiKey().trim();
        return key.length() < 6 ? text : text.replace(key, "[redacted]");
    }

    static String formEncode(Map<String, String> params) {
        StringJoiner body = new StringJoiner("&");
        params.forEach((name, value) -> body.add(
                URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return body.toString();
    }

    // --- reading responses -------------------------------------------------------------------

    /** Every descendant element of {@code root} with this local name, in document order. */
    static List<Element> all(Element root, String localName) {
        NodeList nodes = root.getElementsByTagNameNS("*", localName);
        List<Element> elements = new ArrayList<>(nodes.getLength());
        for (int i = 0; i < nodes.getLength(); i++) {
            elements.add((Element) nodes.item(i));
        }
        return elements;
    }

    /** The first descendant element with this local name, or null. */
    static Element first(Element root, String localName) {
        NodeList nodes = root.getElementsByTagNameNS("*", localName);
        return nodes.getLength() == 0 ? null : (Element) nodes.item(0);
    }

    /** The direct child elements with this local name. */
    static List<Element> children(Element parent, String localName) {
        List<Element> elements = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && localName.equalsIgnoreCase(localName(element))) {
                elements.add(element);
            }
        }
        return elements;
    }

    /**
     * An attribute's value, matched case-insensitively (Namecheap is not consistent: HostId/HostID),
     * or null when absent.
     */
    static String attr(Element element, String name) {
        if (element.hasAttribute(name)) {
            return element.getAttribute(name);
        }
        NamedNodeMap attributes = element.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr attribute = (Attr) attributes.item(i);
            String attributeName = attribute.getLocalName() != null ? attribute.getLocalName() : attribute.getName();
            if (name.equalsIgnoreCase(attributeName)) {
                return attribute.getValue();
            }
        }
        return null;
    }

    static boolean isTrue(String value) {
        return value != null && "true".equalsIgnoreCase(value.trim());
    }

    private static String localName(Node node) {
        return node.getLocalName() != null ? node.getLocalName() : node.getNodeName();
    }

    private static String digits(String value) {
        return value == null ? "" : value.replaceAll("[^0-9]", "");
    }

    /** Whitespace collapsed and length capped: safe to put in a message. */
    private static String clip(String text) {
        if (text == null) {
            return "";
        }
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= MAX_TEXT_LENGTH ? flat : flat.substring(0, MAX_TEXT_LENGTH) + "…";
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    static String lower(String value) {
        return value.strip().toLowerCase(Locale.ROOT);
    }

    /**
     * A command failed. {@code code} is machine-readable ({@code NAMECHEAP_2019166},
     * {@code NAMECHEAP_TIMEOUT}, …); {@code number} and {@code text} are Namecheap's own error number
     * and text when the API answered {@code Status="ERROR"}, else null.
     */
    static final class Failure extends RuntimeException {
        private final String code;
        private final boolean retryable;
        private final String number;
        private final String text;

        Failure(String code, String message, boolean retryable, String number, String text) {
            super(message);
            this.code = code;
            this.retryable = retryable;
            this.number = number;
            this.text = text;
        }

        String code() {
            return code;
        }

        boolean retryable() {
            return retryable;
        }

        /** Namecheap's error number, or null when the failure is not an API error. */
        String number() {
            return number;
        }

        /** Namecheap's error text (first error), or null. */
        String text() {
            return text;
        }
    }
}

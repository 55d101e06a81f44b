package dev.outreach2day.platform;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Every setting of the server, typed and validated at start-up. Each field is bound from an
 * {@code O2D_…} environment variable in {@code application.yml}; the README lists them all.
 */
@Validated
@ConfigurationProperties(prefix = "o2d")
public record O2dProperties(
        @NotNull Mode mode,
        @NotNull Path dataDir,
        @NotBlank @Pattern(regexp = "https?://.+", message = "must be an http(s) URL") String publicUrl,
        @Valid @NotNull Database database,
        @Valid @NotNull Bootstrap bootstrap,
        @Valid @NotNull Api api,
        @Valid @NotNull Workspace workspace,
        @Valid @NotNull Payment payment,
        @Valid @NotNull Vault vault) {

    public enum Mode { SANDBOX, PRODUCTION }

    public boolean sandbox() {
        return mode == Mode.SANDBOX;
    }

    /** The public base URL without a trailing slash, for links the server hands out. */
    public String baseUrl() {
        return publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    /** {@code url} empty means the embedded PostgreSQL under {@code dataDir/postgres}. */
    public record Database(String url, String username, String password, @Min(2) @Max(500) int poolSize) {
        public boolean embedded() {
            return url == null || url.isBlank();
        }
    }

    public record Bootstrap(boolean enabled) {}

    public record Api(
            @Min(1024) long maxBodyBytes,
            @Min(1) double rateLimitRps,
            @Min(1) int rateLimitBurst,
            @Min(1) @Max(168) int idempotencyHours) {}

    public record Workspace(@Min(0) int defaultMaxMailboxes, @Min(1) int maxMaxMailboxes) {}

    /** Master key of the secrets vault (base64 of 32 bytes) and older keys still accepted for decryption. */
    public record Vault(String masterKey, String previousKeys) {}

    /** {@code provider} empty: {@code stripe} when a Stripe secret key is set, else {@code sandbox}. */
    public record Payment(String provider, String stripeSecretKey, String stripeWebhookSecret, String stripeApiUrl) {
        public String effectiveProvider() {
            if (provider != null && !provider.isBlank()) {
                return provider.trim().toLowerCase(java.util.Locale.ROOT);
            }
            return stripeSecretKey != null && !stripeSecretKey.isBlank() ? "stripe" : "sandbox";
        }
    }
}

package dev.outreach2day.workspace;

/** Keys for tests that need a well-formed key no workspace has. */
public final class TestKeys {

    private TestKeys() {}

    public static String wellFormedUnknownKey() {
        return ApiKeyFormat.generate();
    }
}

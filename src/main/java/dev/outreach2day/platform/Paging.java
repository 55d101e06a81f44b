package dev.outreach2day.platform;

/** The contract's list bounds: {@code limit} defaults to 50 and must be within 1–200. */
public final class Paging {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    private Paging() {}

    public static int limit(Integer requested) {
        if (requested == null) {
            return DEFAULT_LIMIT;
        }
        if (requested < 1 || requested > MAX_LIMIT) {
            throw new ApiException.Invalid(ApiException.FieldProblem.at("query",
                    "limit must be between 1 and " + MAX_LIMIT, requested < 1 ? "greater_than_equal" : "less_than_equal",
                    "limit"));
        }
        return requested;
    }
}

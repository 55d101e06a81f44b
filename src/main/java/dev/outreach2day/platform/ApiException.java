package dev.outreach2day.platform;

import java.util.List;

/**
 * The small, closed set of failures domain code may raise. One controller advice turns each
 * into the contract's error shape; domain code never touches HTTP types.
 */
public abstract sealed class ApiException extends RuntimeException {

    private final String code;

    private ApiException(String code, String detail) {
        super(detail);
        this.code = code;
    }

    public String code() {
        return code;
    }

    public String detail() {
        return getMessage();
    }

    /** 404: the object does not exist, or belongs to another workspace (never say which). */
    public static final class NotFound extends ApiException {
        public NotFound(String what) {
            super("NOT_FOUND", what + " not found");
        }
    }

    /** 409: the request conflicts with the current state (duplicate, still running, wrong state). */
    public static final class Conflict extends ApiException {
        public Conflict(String code, String detail) {
            super(code, detail);
        }
    }

    /** 403: authenticated, but not allowed (scope, workspace, role). */
    public static final class Forbidden extends ApiException {
        public Forbidden(String code, String detail) {
            super(code, detail);
        }
    }

    /** 401: no usable credential. */
    public static final class Unauthorized extends ApiException {
        public Unauthorized(String code, String detail) {
            super(code, detail);
        }
    }

    /** 400: a well-formed request the server refuses for a stated reason (e.g. CONFIRMATION_REQUIRED). */
    public static final class BadRequest extends ApiException {
        public BadRequest(String code, String detail) {
            super(code, detail);
        }
    }

    /** 402: the action costs money and the workspace has no way to pay. */
    public static final class PaymentRequired extends ApiException {
        public PaymentRequired(String code, String detail) {
            super(code, detail);
        }
    }

    /** 413: the upload is larger than a limit; the message names the limit. */
    public static final class PayloadTooLarge extends ApiException {
        public PayloadTooLarge(String detail) {
            super("PAYLOAD_TOO_LARGE", detail);
        }
    }

    /** 503: a dependency (provider, DNS, mail server) is unavailable; safe to retry later. */
    public static final class Unavailable extends ApiException {
        public Unavailable(String code, String detail) {
            super(code, detail);
        }
    }

    /** 422 in the FastAPI list shape: one or more fields are invalid. */
    public static final class Invalid extends ApiException {
        private final List<FieldProblem> problems;

        public Invalid(List<FieldProblem> problems) {
            super("VALIDATION_ERROR", problems.isEmpty() ? "invalid request" : problems.getFirst().msg());
            this.problems = List.copyOf(problems);
        }

        public Invalid(FieldProblem problem) {
            this(List.of(problem));
        }

        /** Convenience for one body field: {@code loc = ["body", field...]}. */
        public static Invalid body(String msg, String type, Object... path) {
            return new Invalid(FieldProblem.at("body", msg, type, path));
        }

        public static Invalid query(String name, String msg, String type) {
            return new Invalid(FieldProblem.at("query", msg, type, name));
        }

        public List<FieldProblem> problems() {
            return problems;
        }
    }

    /** One entry of a 422 list: where ({@code loc}), what ({@code msg}) and a machine type. */
    public record FieldProblem(List<Object> loc, String msg, String type) {
        public static FieldProblem at(String source, String msg, String type, Object... path) {
            var loc = new java.util.ArrayList<Object>(path.length + 1);
            loc.add(source);
            loc.addAll(List.of(path));
            return new FieldProblem(List.copyOf(loc), msg, type);
        }
    }
}

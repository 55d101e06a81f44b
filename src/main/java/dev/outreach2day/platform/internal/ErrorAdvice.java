package dev.outreach2day.platform.internal;

import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.ErrorOut;
import dev.outreach2day.platform.HTTPValidationError;
import dev.outreach2day.platform.ValidationError;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingPathVariableException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import org.springframework.http.converter.HttpMessageNotReadableException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * The one place failures become the contract's error shape: {@code {"detail","code"}}, or the
 * FastAPI 422 list naming each bad field. Framework failures (bad JSON, wrong types, unknown
 * routes, wrong methods or media types, oversize bodies) included; never a stack trace.
 */
@RestControllerAdvice
class ErrorAdvice {

    private static final Logger log = LoggerFactory.getLogger(ErrorAdvice.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<?> api(ApiException e) {
        return switch (e) {
            case ApiException.Invalid invalid -> unprocessable(invalid.problems().stream()
                    .map(p -> new ValidationError(p.loc(), p.msg(), p.type())).toList());
            case ApiException.NotFound nf -> error(HttpStatus.NOT_FOUND, nf);
            case ApiException.Conflict c -> error(HttpStatus.CONFLICT, c);
            case ApiException.Forbidden f -> error(HttpStatus.FORBIDDEN, f);
            case ApiException.Unauthorized u -> ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").body(new ErrorOut(u.detail(), u.code()));
            case ApiException.BadRequest b -> error(HttpStatus.BAD_REQUEST, b);
            case ApiException.PaymentRequired p -> error(HttpStatus.PAYMENT_REQUIRED, p);
            case ApiException.PayloadTooLarge t -> error(HttpStatus.CONTENT_TOO_LARGE, t);
            case ApiException.Unavailable u -> ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, "30").body(new ErrorOut(u.detail(), u.code()));
        };
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ResponseEntity<HTTPValidationError> invalidBody(MethodArgumentNotValidException e) {
        var errors = new ArrayList<ValidationError>();
        Object target = e.getBindingResult().getTarget();
        for (FieldError fe : e.getBindingResult().getFieldErrors()) {
            errors.add(new ValidationError(JsonNames.bodyLoc(target == null ? null : target.getClass(), fe.getField()),
                    message(fe), type(fe.getCode(), fe.getRejectedValue())));
        }
        for (ObjectError oe : e.getBindingResult().getGlobalErrors()) {
            errors.add(new ValidationError(List.of("body"), oe.getDefaultMessage(), "value_error"));
        }
        return unprocessable(errors);
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ResponseEntity<HTTPValidationError> invalidParameters(HandlerMethodValidationException e) {
        var errors = new ArrayList<ValidationError>();
        e.getParameterValidationResults().forEach(result -> {
            String source = source(result.getMethodParameter());
            String name = result.getMethodParameter().getParameterName();
            result.getResolvableErrors().forEach(err -> errors.add(new ValidationError(
                    source.equals("body") ? List.of("body") : List.of(source, name == null ? "?" : name),
                    err.getDefaultMessage(), type(err.getCodes() == null ? null : last(err.getCodes()), result.getArgument()))));
        });
        return unprocessable(errors);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<?> unreadable(HttpMessageNotReadableException e) {
        if (BodySizeFilter.hasCause(e, BodySizeFilter.BodyTooLargeException.class)) {
            return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                    .body(new ErrorOut("Request body is larger than the configured limit", "PAYLOAD_TOO_LARGE"));
        }
        Throwable cause = e.getCause();
        if (cause instanceof JacksonException je && !je.getPath().isEmpty()) {
            List<Object> loc = new ArrayList<>();
            loc.add("body");
            for (JacksonException.Reference ref : je.getPath()) {
                loc.add(ref.getPropertyName() != null ? ref.getPropertyName() : (Object) ref.getIndex());
            }
            return unprocessable(List.of(new ValidationError(loc, typeMessage(je), typeCode(je))));
        }
        if (cause instanceof JacksonException je && !(cause instanceof MismatchedInputException)) {
            return unprocessable(List.of(new ValidationError(List.of("body"),
                    "JSON decode error: " + firstLine(je.getOriginalMessage()), "json_invalid")));
        }
        if (cause instanceof MismatchedInputException mi) {
            return unprocessable(List.of(new ValidationError(List.of("body"), typeMessage(mi), typeCode(mi))));
        }
        return unprocessable(List.of(new ValidationError(List.of("body"), "Field required: the request needs a JSON body", "missing")));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<HTTPValidationError> typeMismatch(MethodArgumentTypeMismatchException e) {
        String expected = e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName().toLowerCase();
        String type = switch (expected) {
            case "long", "integer", "int" -> "int_parsing";
            case "boolean" -> "bool_parsing";
            default -> "value_error";
        };
        String msg = switch (type) {
            case "int_parsing" -> "Input should be a valid integer, unable to parse string as an integer";
            case "bool_parsing" -> "Input should be a valid boolean";
            default -> "Input is not a valid " + expected;
        };
        if (e.getRequiredType() != null && e.getRequiredType().isEnum()) {
            msg = "Input should be one of: " + java.util.Arrays.stream(e.getRequiredType().getEnumConstants())
                    .map(Object::toString).collect(Collectors.joining(", "));
            type = "enum";
        }
        return unprocessable(List.of(new ValidationError(List.of(source(e.getParameter()), e.getName()), msg, type)));
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<HTTPValidationError> missingParam(MissingServletRequestParameterException e) {
        return unprocessable(List.of(new ValidationError(List.of("query", e.getParameterName()), "Field required", "missing")));
    }

    @ExceptionHandler(MissingServletRequestPartException.class)
    ResponseEntity<HTTPValidationError> missingPart(MissingServletRequestPartException e) {
        return unprocessable(List.of(new ValidationError(List.of("body", e.getRequestPartName()), "Field required", "missing")));
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<HTTPValidationError> missingHeader(MissingRequestHeaderException e) {
        return unprocessable(List.of(new ValidationError(List.of("header", e.getHeaderName()), "Field required", "missing")));
    }

    @ExceptionHandler(MissingPathVariableException.class)
    ResponseEntity<HTTPValidationError> missingPath(MissingPathVariableException e) {
        return unprocessable(List.of(new ValidationError(List.of("path", e.getVariableName()), "Field required", "missing")));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ErrorOut> mediaType(HttpMediaTypeNotSupportedException e) {
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).body(new ErrorOut(
                "Content-Type " + (e.getContentType() == null ? "(none)" : e.getContentType()) + " is not supported; send "
                        + e.getSupportedMediaTypes().stream().map(Object::toString).collect(Collectors.joining(" or ")),
                "UNSUPPORTED_MEDIA_TYPE"));
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ErrorOut> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return ResponseEntity.status(HttpStatus.NOT_ACCEPTABLE)
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .body(new ErrorOut("This route answers application/json; adjust the Accept header", "NOT_ACCEPTABLE"));
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ErrorOut> method(HttpRequestMethodNotSupportedException e) {
        var builder = ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED);
        if (e.getSupportedHttpMethods() != null) {
            builder.allow(e.getSupportedHttpMethods().toArray(org.springframework.http.HttpMethod[]::new));
        }
        return builder.body(new ErrorOut("Method " + e.getMethod() + " is not allowed here", "METHOD_NOT_ALLOWED"));
    }

    @ExceptionHandler({NoResourceFoundException.class, NoHandlerFoundException.class})
    ResponseEntity<ErrorOut> noRoute(Exception e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(new ErrorOut("Not Found: no such route", "NOT_FOUND"));
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<ErrorOut> tooLarge(MaxUploadSizeExceededException e) {
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                .body(new ErrorOut("Upload is larger than the configured limit (O2D_MAX_UPLOAD_BYTES)", "PAYLOAD_TOO_LARGE"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ErrorOut> unexpected(Exception e) {
        if (BodySizeFilter.hasCause(e, BodySizeFilter.BodyTooLargeException.class)) {
            return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                    .body(new ErrorOut("Request body is larger than the configured limit", "PAYLOAD_TOO_LARGE"));
        }
        log.error("Unhandled error", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                .body(new ErrorOut("Internal server error; quote the X-Request-Id header when reporting it", "INTERNAL_ERROR"));
    }

    // Errors are JSON whatever the request accepts (a route that also serves text/csv would
    // otherwise turn its 404 or 422 into a 406), so the content type is set, not negotiated.
    private static ResponseEntity<ErrorOut> error(HttpStatus status, ApiException e) {
        return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .body(new ErrorOut(e.detail(), e.code()));
    }

    private static ResponseEntity<HTTPValidationError> unprocessable(List<ValidationError> errors) {
        return ResponseEntity.unprocessableContent().contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .body(new HTTPValidationError(errors));
    }

    private static String source(MethodParameter p) {
        if (p.hasParameterAnnotation(PathVariable.class)) return "path";
        if (p.hasParameterAnnotation(RequestHeader.class)) return "header";
        if (p.hasParameterAnnotation(org.springframework.web.bind.annotation.RequestBody.class)) return "body";
        return "query";
    }

    private static String message(FieldError fe) {
        if (fe.getRejectedValue() == null && fe.getCode() != null
                && List.of("NotNull", "NotBlank", "NotEmpty").contains(fe.getCode())) {
            return "Field required";
        }
        return fe.getDefaultMessage() == null ? "Invalid value" : fe.getDefaultMessage();
    }

    private static String type(String code, Object rejected) {
        if (code == null) return "value_error";
        return switch (code) {
            case "NotNull" -> "missing";
            case "NotBlank", "NotEmpty" -> rejected == null ? "missing" : "string_too_short";
            case "Size" -> "size";
            case "Min", "Positive", "PositiveOrZero", "DecimalMin" -> "greater_than_equal";
            case "Max", "DecimalMax" -> "less_than_equal";
            case "Pattern" -> "string_pattern_mismatch";
            case "Email" -> "value_error";
            default -> "value_error";
        };
    }

    private static String last(String[] codes) {
        return codes.length == 0 ? null : codes[codes.length - 1];
    }

    private static String typeCode(JacksonException e) {
        if (e instanceof InvalidFormatException ife && ife.getTargetType() != null && ife.getTargetType().isEnum()) {
            return "enum";
        }
        if (e instanceof MismatchedInputException mi && mi.getTargetType() != null) {
            Class<?> t = mi.getTargetType();
            if (t == String.class) return "string_type";
            if (t == Integer.class || t == int.class || t == Long.class || t == long.class) return "int_type";
            if (t == Boolean.class || t == boolean.class) return "bool_type";
            if (List.class.isAssignableFrom(t) || t.isArray() || java.util.Collection.class.isAssignableFrom(t)) return "list_type";
            if (t.isRecord() || java.util.Map.class.isAssignableFrom(t)) return "dict_type";
            return "value_error";
        }
        return "json_invalid";
    }

    private static String typeMessage(JacksonException e) {
        if (e instanceof InvalidFormatException ife && ife.getTargetType() != null && ife.getTargetType().isEnum()) {
            return "Input should be one of: " + java.util.Arrays.stream(ife.getTargetType().getEnumConstants())
                    .map(ErrorAdvice::wire).collect(Collectors.joining(", "));
        }
        return switch (typeCode(e)) {
            case "string_type" -> "Input should be a valid string";
            case "int_type" -> "Input should be a valid integer";
            case "bool_type" -> "Input should be a valid boolean";
            case "list_type" -> "Input should be a valid list";
            case "dict_type" -> "Input should be a valid object";
            default -> "Invalid value: " + firstLine(e.getOriginalMessage());
        };
    }

    /** The JSON spelling of an enum constant: its @JsonValue/@JsonProperty if any, else its name. */
    private static String wire(Object constant) {
        try {
            for (var m : constant.getClass().getMethods()) {
                if (m.isAnnotationPresent(com.fasterxml.jackson.annotation.JsonValue.class)) {
                    return String.valueOf(m.invoke(constant));
                }
            }
            var f = constant.getClass().getField(((Enum<?>) constant).name());
            var prop = f.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            if (prop != null) return prop.value();
        } catch (ReflectiveOperationException ignored) {
            // fall through to the constant's name
        }
        return ((Enum<?>) constant).name();
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed JSON";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}

package dev.outreach2day.platform.internal;

import dev.outreach2day.platform.ErrorOut;
import dev.outreach2day.platform.PublicEndpoint;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import io.swagger.v3.oas.annotations.Hidden;

/**
 * Replaces Boot's whitelabel {@code /error}: whatever the container reports (an error outside
 * Spring MVC) still answers in the contract's shape.
 */
@Hidden
@RestController
class ContractErrorController implements ErrorController {

    @PublicEndpoint(why = "the servlet container's error page; renders only a status code")
    @RequestMapping(value = "/error", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ErrorOut> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 404;
        HttpStatus http = HttpStatus.resolve(status);
        if (http == null) http = HttpStatus.INTERNAL_SERVER_ERROR;
        String machine = switch (status) {
            case 400 -> "BAD_REQUEST";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 413 -> "PAYLOAD_TOO_LARGE";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            default -> status >= 500 ? "INTERNAL_ERROR" : http.name();
        };
        String detail = status >= 500 ? "Internal server error; quote the X-Request-Id header when reporting it"
                : http.getReasonPhrase();
        return ResponseEntity.status(http).contentType(MediaType.APPLICATION_JSON).body(new ErrorOut(detail, machine));
    }
}

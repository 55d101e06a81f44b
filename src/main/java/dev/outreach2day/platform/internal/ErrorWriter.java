package dev.outreach2day.platform.internal;

import dev.outreach2day.platform.ErrorOut;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/** Writes the contract's error body from places outside Spring MVC (filters). */
@Component
class ErrorWriter {

    private final ObjectMapper mapper;

    ErrorWriter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void write(HttpServletResponse response, int status, String code, String detail) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write(mapper.writeValueAsBytes(new ErrorOut(detail, code)));
        response.flushBuffer();
    }
}

package dev.outreach2day.platform;

import java.util.List;

/** The contract's 422 body, FastAPI-compatible: {@code {"detail":[ValidationError…]}}. */
public record HTTPValidationError(List<ValidationError> detail) {}

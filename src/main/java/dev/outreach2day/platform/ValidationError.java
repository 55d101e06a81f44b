package dev.outreach2day.platform;

import java.util.List;

/** One problem in a 422: {@code loc} is e.g. {@code ["body","name"]} or {@code ["query","limit"]}. */
public record ValidationError(List<Object> loc, String msg, String type) {}

package dev.outreach2day.platform;

/** The contract's error body for every status except 422: a sentence and a machine code. */
public record ErrorOut(String detail, String code) {}

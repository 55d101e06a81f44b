package dev.outreach2day.contact;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param maxBytes      largest CSV upload
 * @param maxRows       most data rows in one file
 * @param runnerEnabled run import jobs in this process
 */
@Validated
@ConfigurationProperties(prefix = "o2d.imports")
record ImportProperties(@Min(1) long maxBytes, @Min(1) long maxRows, boolean runnerEnabled) {}

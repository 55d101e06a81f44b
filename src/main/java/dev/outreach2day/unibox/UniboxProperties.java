package dev.outreach2day.unibox;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** @param outboundEnabled send mail queued from the inbox (replies, new messages, forwards) in this process */
@ConfigurationProperties(prefix = "o2d.unibox")
record UniboxProperties(boolean outboundEnabled) {}

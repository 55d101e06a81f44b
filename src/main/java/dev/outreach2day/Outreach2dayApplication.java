package dev.outreach2day;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Outreach2day: self-hostable cold-email infrastructure speaking the Outreach2day API. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class Outreach2dayApplication {

    public static void main(String[] args) {
        SpringApplication.run(Outreach2dayApplication.class, args);
    }
}

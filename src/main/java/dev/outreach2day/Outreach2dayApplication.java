package dev.outreach2day;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Outreach2day: self-hostable cold-email infrastructure speaking the Outreach2day API. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class Outreach2dayApplication {

    public static void main(String[] args) {
        // Jakarta Mail looks its stream provider up with ServiceLoader for every MIME part; inside the
        // packaged jar that scan costs a third of the time of building and signing a message.
        System.setProperty("jakarta.mail.util.StreamProvider",
                System.getProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider"));
        SpringApplication.run(Outreach2dayApplication.class, args);
    }
}

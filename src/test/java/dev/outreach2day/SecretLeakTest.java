package dev.outreach2day;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test class (see junit-platform.properties): no password any test sent
 * appears in any API response of the run or in the run's log output.
 */
@Order(Integer.MAX_VALUE)
class SecretLeakTest {

    @Test
    void noSecretAppearsInAnyResponseOrLogLine() throws Exception {
        String responses = Files.exists(ResponseLog.FILE)
                ? new String(Files.readAllBytes(ResponseLog.FILE), StandardCharsets.UTF_8) : ""; // binary bodies (GIFs) decode lossily
        Path logFile = Path.of("target/test-run.log");
        String logs = Files.exists(logFile) ? new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8) : "";
        org.assertj.core.api.Assumptions.assumeThat(ResponseLog.secrets())
                .as("run with the whole suite: the mailbox tests register the passwords they use").isNotEmpty();
        assertThat(responses).isNotEmpty();
        assertThat(logs).isNotEmpty();
        for (String secret : ResponseLog.secrets()) {
            assertThat(responses).as("a response contains a password").doesNotContain(secret);
            assertThat(logs).as("the log contains a password").doesNotContain(secret);
        }
    }
}

package dev.outreach2day.platform;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MailSessionsTest {

    private static Properties props(String host, String timeout) {
        var p = new Properties();
        p.put("mail.smtp.host", host);
        p.put("mail.smtp.timeout", timeout);
        return p;
    }

    @Test
    void theSamePropertiesGiveTheSameSessionAndOthersAnother() {
        Session a = MailSessions.of(props("a.example", "1000"));
        assertThat(MailSessions.of(props("a.example", "1000"))).isSameAs(a);
        assertThat(MailSessions.of(props("a.example", "2000"))).isNotSameAs(a);
        assertThat(MailSessions.of(props("b.example", "1000"))).isNotSameAs(a);
        assertThat(MailSessions.plain()).isSameAs(MailSessions.of(new Properties()));
    }

    @Test
    void theSessionKeepsItsOwnCopyOfTheProperties() {
        Properties p = props("copy.example", "1000");
        Session s = MailSessions.of(p);
        p.put("mail.smtp.host", "changed.example");
        assertThat(s.getProperty("mail.smtp.host")).isEqualTo("copy.example");
        assertThat(MailSessions.of(props("copy.example", "1000"))).isSameAs(s);
    }

    /** Many virtual threads asking at once for new sessions (the pattern that froze the server) all get one per property set. */
    @Test
    void virtualThreadsAskingAtOnceShareOneSessionPerPropertySet() throws Exception {
        Set<Session> seen = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        var start = new CountDownLatch(1);
        var done = new CountDownLatch(200);
        var threads = new ArrayList<Thread>();
        String run = Long.toString(System.nanoTime());
        for (int i = 0; i < 200; i++) {
            int n = i % 5;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                    Session s = MailSessions.of(props("vt" + n + "-" + run + ".example", "1000"));
                    s.getTransport("smtp"); // the provider's class, as a send does
                    seen.add(s);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    done.countDown();
                }
            }));
        }
        start.countDown();
        assertThat(done.await(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS)).as("all threads finished").isTrue();
        assertThat(seen).hasSize(5); // a thread that made one too late gets the one stored first
        for (int n = 0; n < 5; n++) {
            assertThat(seen).contains(MailSessions.of(props("vt" + n + "-" + run + ".example", "1000")));
        }
    }
}

package dev.outreach2day;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code jvm.options}, the server's JVM options ({@code java @jvm.options …} in the launcher and the
 * benchmarks): the JDK the tests run on starts with it, and takes each option in it as given on the
 * command line (a misspelt or removed option would stop the server from starting).
 */
class JvmOptionsTest {

    private static final Path FILE = Path.of("jvm.options");
    private static final Pattern FLAG = Pattern.compile("-XX:(?:([A-Za-z0-9]+)=(\\S+)|([+-])([A-Za-z0-9]+))");

    @Test
    void theJdkStartsWithEveryOptionSetAsWritten() throws Exception {
        List<String> options = Files.readAllLines(FILE).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(options).as("options in %s", FILE).isNotEmpty().allMatch(o -> FLAG.matcher(o).matches());

        String java = ProcessHandle.current().info().command().orElseThrow();
        String flags = run(java, "@" + FILE.toAbsolutePath(), "-XX:+PrintFlagsFinal", "-version");
        for (String option : options) {
            var m = FLAG.matcher(option);
            assertThat(m.matches()).isTrue();
            // e.g. "     intx InlineSmallCode      = 1000      {C2 pd product} {command line}"; -XX:-Name is "= false"
            String name = m.group(1) != null ? m.group(1) : m.group(4);
            String value = m.group(1) != null ? m.group(2) : m.group(3).equals("+") ? "true" : "false";
            var line = Pattern.compile("\\s" + name + "\\s+= " + Pattern.quote(value) + "\\s.*\\{command line\\}");
            assertThat(flags.lines().anyMatch(l -> line.matcher(l).find()))
                    .as("%s set from the command line in -XX:+PrintFlagsFinal", option).isTrue();
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("exit status of %s:%n%s", String.join(" ", command), out).isZero();
        return out;
    }
}

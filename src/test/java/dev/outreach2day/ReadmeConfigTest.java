package dev.outreach2day;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every O2D_ setting the server reads is documented in the README's configuration table. */
class ReadmeConfigTest {

    @Test
    void everySettingIsInTheReadme() throws Exception {
        String yaml = Files.readString(Path.of("src/main/resources/application.yml"));
        String readme = Files.readString(Path.of("README.md"));
        var settings = new TreeSet<String>();
        var m = Pattern.compile("\\$\\{(O2D_[A-Z0-9_]+)").matcher(yaml);
        while (m.find()) settings.add(m.group(1));
        assertThat(settings).isNotEmpty();
        var missing = settings.stream().filter(s -> !readme.contains("| `" + s + "` |")).toList();
        assertThat(missing).as("settings missing from the README configuration table").isEmpty();
    }
}

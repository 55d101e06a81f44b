package dev.outreach2day.contact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CsvSourceTest {

    @TempDir
    Path dir;

    record Row(long number, List<String> fields, String problem) {}

    Path file(String name, byte[]... parts) throws IOException {
        Path p = dir.resolve(name);
        try (var out = Files.newOutputStream(p)) {
            for (byte[] b : parts) out.write(b);
        }
        return p;
    }

    Path file(String text) throws IOException {
        return file("f.csv", text.getBytes(StandardCharsets.UTF_8));
    }

    static List<Row> rows(Path file, CsvSource.Sniffed s) {
        var out = new ArrayList<Row>();
        CsvSource.read(file, s, (n, fields, problem) -> out.add(new Row(n, fields, problem)));
        return out;
    }

    static List<Row> rows(Path file) {
        return rows(file, CsvSource.sniff(file));
    }

    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    static final String GERMAN = "Vorname;Nachname;E-Mail;Firma\r\nJürgen;Groß;juergen@firma.de;Müller GmbH\r\nÉlodie;Böhm;elodie@firma.de;Straße & Söhne\r\n";

    // --- encodings -------------------------------------------------------------------------------

    @Test
    void utf8WithoutBom() throws IOException {
        Path f = file("u.csv", GERMAN.getBytes(StandardCharsets.UTF_8));
        var s = CsvSource.sniff(f);
        assertThat(s.charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(s.bomBytes()).isZero();
        assertThat(s.delimiter()).isEqualTo(';');
        assertThat(s.hasHeader()).isTrue();
        assertThat(s.headers()).containsExactly("Vorname", "Nachname", "E-Mail", "Firma");
        assertThat(s.sampleRows()).hasSize(2);
        assertThat(rows(f)).extracting(Row::fields).containsExactly(
                List.of("Jürgen", "Groß", "juergen@firma.de", "Müller GmbH"),
                List.of("Élodie", "Böhm", "elodie@firma.de", "Straße & Söhne"));
    }

    @Test
    void utf8WithBomAlsoWhenTheCallerForgetsTheBom() throws IOException {
        Path f = file("b.csv", bytes(0xEF, 0xBB, 0xBF), GERMAN.getBytes(StandardCharsets.UTF_8));
        var s = CsvSource.sniff(f);
        assertThat(s.charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(s.bomBytes()).isEqualTo(3);
        assertThat(s.headers().getFirst()).isEqualTo("Vorname");
        assertThat(rows(f).getFirst().fields().getFirst()).isEqualTo("Jürgen");
        // the import job rebuilds Sniffed from its columns with bomBytes 0: the header is still skipped cleanly
        var rebuilt = new CsvSource.Sniffed(Charset.forName(s.charset().name()), s.delimiter(), s.hasHeader(), s.headers(), s.sampleRows(), 0);
        assertThat(rows(f, rebuilt)).extracting(Row::problem).containsOnlyNulls();
        assertThat(rows(f, rebuilt)).hasSize(2);
    }

    @Test
    void utf16LittleAndBigEndianWithBom() throws IOException {
        Path le = file("le.csv", bytes(0xFF, 0xFE), GERMAN.getBytes(StandardCharsets.UTF_16LE));
        Path be = file("be.csv", bytes(0xFE, 0xFF), GERMAN.getBytes(StandardCharsets.UTF_16BE));
        var sl = CsvSource.sniff(le);
        var sb = CsvSource.sniff(be);
        assertThat(sl.charset()).isEqualTo(StandardCharsets.UTF_16LE);
        assertThat(sb.charset()).isEqualTo(StandardCharsets.UTF_16BE);
        assertThat(sl.bomBytes()).isEqualTo(2);
        assertThat(sb.bomBytes()).isEqualTo(2);
        assertThat(sl.headers()).containsExactly("Vorname", "Nachname", "E-Mail", "Firma");
        assertThat(sb.headers()).containsExactly("Vorname", "Nachname", "E-Mail", "Firma");
        assertThat(rows(le).get(1).fields()).containsExactly("Élodie", "Böhm", "elodie@firma.de", "Straße & Söhne");
        assertThat(rows(be).get(1).fields()).containsExactly("Élodie", "Böhm", "elodie@firma.de", "Straße & Söhne");
    }

    @Test
    void utf16WithoutBomIsRecognisedByItsZeroBytes() throws IOException {
        Path le = file("le.csv", GERMAN.getBytes(StandardCharsets.UTF_16LE));
        Path be = file("be.csv", GERMAN.getBytes(StandardCharsets.UTF_16BE));
        assertThat(CsvSource.sniff(le).charset()).isEqualTo(StandardCharsets.UTF_16LE);
        assertThat(CsvSource.sniff(be).charset()).isEqualTo(StandardCharsets.UTF_16BE);
        assertThat(rows(be).getFirst().fields()).containsExactly("Jürgen", "Groß", "juergen@firma.de", "Müller GmbH");
    }

    @Test
    void windows1252WhenTheBytesAreNotUtf8() throws IOException {
        Path f = file("w.csv", "Prénom,Nom,Courriel,Société\nRené,Müller,rene@exemple.fr,Straße AG\nZoë,Weiß,zoe@exemple.fr,Café €\n"
                .getBytes(CsvSource.WINDOWS_1252));
        var s = CsvSource.sniff(f);
        assertThat(s.charset()).isEqualTo(CsvSource.WINDOWS_1252);
        assertThat(s.delimiter()).isEqualTo(',');
        assertThat(s.headers()).containsExactly("Prénom", "Nom", "Courriel", "Société");
        assertThat(rows(f)).extracting(Row::fields).containsExactly(
                List.of("René", "Müller", "rene@exemple.fr", "Straße AG"),
                List.of("Zoë", "Weiß", "zoe@exemple.fr", "Café €"));
    }

    @Test
    void invalidBytesAfterTheSampleAreReplacedNotThrown() throws IOException {
        var sb = new StringBuilder("email,name\n");
        for (int i = 0; sb.length() < 70_000; i++) sb.append("a").append(i).append("@x.io,Name ").append(i).append('\n');
        Path f = file("late.csv", sb.toString().getBytes(StandardCharsets.UTF_8), bytes('z', '@', 'x', '.', 'i', 'o', ',', 'M', 0xFC, 'l', 'l', 'e', 'r', '\n'));
        var s = CsvSource.sniff(f);
        assertThat(s.charset()).isEqualTo(StandardCharsets.UTF_8);
        var all = rows(f, s);
        assertThat(all.getLast().fields()).containsExactly("z@x.io", "M\uFFFDller");
        assertThat(all.getLast().problem()).isNull();
    }

    // --- delimiters and headers -----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(chars = {',', ';', '\t', '|'})
    void eachDelimiterIsDetected(char d) throws IOException {
        String sep = String.valueOf(d);
        // every other candidate delimiter appears too, inside quotes
        String text = String.join(sep, "email", "first name", "company", "notes") + "\n"
                + String.join(sep, "ada@acme.com", "Ada", "\"Acme, Inc; Ltd\"", "\"a|b\tc\"") + "\n"
                + String.join(sep, "bob@beta.io", "Bob", "Beta", "") + "\n"
                + String.join(sep, "cy@gamma.io", "Cy", "Gamma", "\"3,5; 4|2\"") + "\n";
        Path f = file(text);
        var s = CsvSource.sniff(f);
        assertThat(s.delimiter()).isEqualTo(d);
        assertThat(s.headers()).containsExactly("email", "first name", "company", "notes");
        var all = rows(f, s);
        assertThat(all).hasSize(3).extracting(Row::problem).containsOnlyNulls();
        assertThat(all.getFirst().fields().get(2)).isEqualTo("Acme, Inc; Ltd");
    }

    @Test
    void semicolonFilesWithDecimalCommasStaySemicolon() throws IOException {
        Path f = file("Name;Umsatz;E-Mail\nA;1,5;a@x.de\nB;2,75;b@x.de\nC;10;c@x.de\n");
        assertThat(CsvSource.sniff(f).delimiter()).isEqualTo(';');
    }

    @Test
    void aFirstRowWithAnEmailIsDataAndColumnsAreNumbered() throws IOException {
        Path f = file("ada@acme.com,Ada,Acme\nbob@beta.io,Bob,Beta\n");
        var s = CsvSource.sniff(f);
        assertThat(s.hasHeader()).isFalse();
        assertThat(s.headers()).containsExactly("column_1", "column_2", "column_3");
        assertThat(s.sampleRows()).hasSize(2);
        assertThat(rows(f, s)).extracting(Row::number).containsExactly(1L, 2L);
        assertThat(rows(f, s).getFirst().fields()).containsExactly("ada@acme.com", "Ada", "Acme");
    }

    @Test
    void aSingleColumnOfAddresses() throws IOException {
        Path f = file("ada@acme.com\nbob@beta.io\n");
        var s = CsvSource.sniff(f);
        assertThat(s.hasHeader()).isFalse();
        assertThat(s.headers()).containsExactly("column_1");
        assertThat(rows(f, s)).extracting(Row::problem).containsOnlyNulls();
        Path withHeader = file("h.csv", "Email\nada@acme.com\n".getBytes(StandardCharsets.UTF_8));
        assertThat(CsvSource.sniff(withHeader).headers()).containsExactly("Email");
    }

    @Test
    void numericFirstRowsAreDataLabelsAreHeaders() throws IOException {
        assertThat(CsvSource.sniff(file("1,2,3\n4,5,6\n")).hasHeader()).isFalse();
        assertThat(CsvSource.sniff(file("id,score,rank\n1,2,3\n")).hasHeader()).isTrue();
        assertThat(CsvSource.sniff(file("Ada,https://linkedin.com/in/ada,Acme\nBob,https://linkedin.com/in/bob,Beta\n")).hasHeader()).isFalse();
        assertThat(CsvSource.sniff(file("same,same,other\nx,y,z\n")).hasHeader()).isFalse();
    }

    @Test
    void headerNamesAreCleanedNumberedAndMadeUnique() throws IOException {
        Path f = file("h.csv", bytes(0xEF, 0xBB, 0xBF), "\"\uFEFFEmail\" ,\"  First\nName \",,Email,email,Email_2\na@x.io,A,,b,c,d\n"
                .getBytes(StandardCharsets.UTF_8));
        var s = CsvSource.sniff(f);
        assertThat(s.headers()).containsExactly("Email", "First Name", "column_3", "Email_2", "email_3", "Email_2_2");
    }

    @Test
    void overridesForWhenTheUserCorrectsTheGuess() throws IOException {
        Path f = file("Ada,Lovelace,Acme\nBob,Builder,Beta\n");
        assertThat(CsvSource.sniff(f).hasHeader()).isTrue();
        var s = CsvSource.sniff(f, null, null, false);
        assertThat(s.hasHeader()).isFalse();
        assertThat(rows(f, s)).hasSize(2);
        assertThat(CsvSource.sniff(f, null, ';', null).headers()).containsExactly("Ada,Lovelace,Acme");
    }

    @Test
    void dataWiderThanTheHeaderGetsNamedColumnsAndUnnamedTrailingHeaderColumnsGo() throws IOException {
        var wider = CsvSource.sniff(file("email,name\na@x.io,A,extra\nb@x.io,B,more\n"));
        assertThat(wider.headers()).containsExactly("email", "name", "column_3");
        Path f = file("t.csv", "email;name;;;\na@x.io;A\nb@x.io;B\n".getBytes(StandardCharsets.UTF_8));
        var excel = CsvSource.sniff(f);
        assertThat(excel.headers()).containsExactly("email", "name");
        assertThat(rows(f, excel)).extracting(Row::problem).containsOnlyNulls();
    }

    @Test
    void excelsSepLineAndLeadingZeroFormulas() throws IOException {
        Path f = file("sep=;\r\nEmail;Phone;Zip\r\na@x.io;=\"0049301234\";\"=\"\"01067\"\"\"\r\n");
        var s = CsvSource.sniff(f);
        assertThat(s.delimiter()).isEqualTo(';');
        assertThat(s.headers()).containsExactly("Email", "Phone", "Zip");
        assertThat(s.sampleRows()).containsExactly(List.of("a@x.io", "0049301234", "01067"));
        assertThat(rows(f, s)).singleElement().satisfies(r -> {
            assertThat(r.number()).isEqualTo(1);
            assertThat(r.fields()).containsExactly("a@x.io", "0049301234", "01067");
        });
    }

    @Test
    void theSampleHoldsAtMostTwentyRows() throws IOException {
        var sb = new StringBuilder("email,name\n");
        for (int i = 0; i < 50; i++) sb.append("u").append(i).append("@x.io,U").append(i).append('\n');
        var s = CsvSource.sniff(file(sb.toString()));
        assertThat(s.sampleRows()).hasSize(20);
        assertThat(s.sampleRows().getFirst()).containsExactly("u0@x.io", "U0");
    }

    // --- quoting, line breaks, messy rows ------------------------------------------------------

    @Test
    void quotedFieldsHoldNewlinesDelimitersAndDoubledQuotes() throws IOException {
        Path f = file("email,name,notes\r\n"
                + "a@x.io,\"José \"\"Pepe\"\" García\",\"line one\r\nline two, with comma\"\r\n"
                + "b@x.io,  \"spaced quote\"  ,\"\"\r\n"
                + "c@x.io,O\"Brien \"Jr\",\"Bob\" Jr\r\n"
                + "d@x.io,\"\",\"ends at eof\"");
        var all = rows(f);
        assertThat(all).extracting(Row::problem).containsOnlyNulls();
        assertThat(all).extracting(Row::fields).containsExactly(
                List.of("a@x.io", "José \"Pepe\" García", "line one\r\nline two, with comma"),
                List.of("b@x.io", "spaced quote  ", ""),
                List.of("c@x.io", "O\"Brien \"Jr\"", "Bob Jr"),
                List.of("d@x.io", "", "ends at eof"));
    }

    @Test
    void blanksAfterAClosingMultiLineQuoteAreNoStrayQuote() throws IOException {
        Path f = file("email,address,city\na@x.io,\"Street 1\nBackyard\"  ,Berlin\nb@x.io,\"Road 2\n\"\t\n");
        var all = rows(f);
        assertThat(all).extracting(Row::problem).containsExactly(null, "RAGGED_ROW");
        assertThat(all.get(0).fields()).containsExactly("a@x.io", "Street 1\nBackyard  ", "Berlin");
        assertThat(all.get(1).fields()).containsExactly("b@x.io", "Road 2\n\t");
    }

    @Test
    void lfCrlfAndLoneCrLineEndings() throws IOException {
        for (String eol : List.of("\n", "\r\n", "\r")) {
            Path f = file("email,name" + eol + "a@x.io,A" + eol + "b@x.io,B" + eol);
            assertThat(rows(f)).as(eol).extracting(Row::fields).containsExactly(List.of("a@x.io", "A"), List.of("b@x.io", "B"));
        }
    }

    @Test
    void blankRowsAreCountedButNotDelivered() throws IOException {
        Path f = file("\n\nemail,name\na@x.io,A\n\n,\n   \nb@x.io,B\n\n");
        var all = rows(f);
        assertThat(all).extracting(Row::number).containsExactly(1L, 5L);
        assertThat(all).extracting(Row::problem).containsOnlyNulls();
    }

    @Test
    void raggedRowsAreDeliveredWithTheirFields() throws IOException {
        Path f = file("email,first,last\na@x.io,A,Z\nb@x.io,B\nc@x.io,C,Y,extra\nd@x.io,D,X,,\n");
        var all = rows(f);
        assertThat(all).extracting(Row::problem).containsExactly(null, "RAGGED_ROW", "RAGGED_ROW", null);
        assertThat(all.get(1).fields()).containsExactly("b@x.io", "B");
        assertThat(all.get(2).fields()).containsExactly("c@x.io", "C", "Y", "extra");
        assertThat(all.get(3).fields()).containsExactly("d@x.io", "D", "X");
    }

    @Test
    void anUnterminatedQuoteAtTheEndYieldsAFlaggedLastRow() throws IOException {
        Path f = file("email,name\na@x.io,A\nb@x.io,\"Bob, the builder");
        var all = rows(f);
        assertThat(all).hasSize(2);
        assertThat(all.getLast().problem()).isEqualTo("UNTERMINATED_QUOTE");
        assertThat(all.getLast().fields()).containsExactly("b@x.io", "Bob", " the builder");
    }

    @Test
    void aStrayQuoteCostsOneRowNotTheRestOfTheFile() throws IOException {
        // never closed: the rest of the file is read again as rows
        Path f = file("email,name,company\na@x.io,\"Ada,Acme\nb@x.io,Bob,Beta\nc@x.io,Cy,Gamma\n");
        var all = rows(f);
        assertThat(all).extracting(Row::number).containsExactly(1L, 2L, 3L);
        assertThat(all).extracting(Row::problem).containsExactly("UNTERMINATED_QUOTE", null, null);
        assertThat(all.get(0).fields()).containsExactly("a@x.io", "Ada", "Acme");
        assertThat(all.get(2).fields()).containsExactly("c@x.io", "Cy", "Gamma");

        // "closed" lines later by a quote followed by more text
        Path g = file("g.csv", "email,name,company\na@x.io,\"Ada,Acme\nb@x.io,Bob,Beta\nc@x.io,Cy,5\" screen\nd@x.io,D,Delta\n"
                .getBytes(StandardCharsets.UTF_8));
        var rows = rows(g);
        assertThat(rows).extracting(Row::problem).containsExactly("UNTERMINATED_QUOTE", null, null, null);
        assertThat(rows.get(2).fields()).containsExactly("c@x.io", "Cy", "5\" screen");
        assertThat(rows.get(3).fields()).containsExactly("d@x.io", "D", "Delta");
    }

    @Test
    void aRunawayQuoteInALargeFileIsBounded() throws IOException {
        var sb = new StringBuilder("email,name\nstray@x.io,\"oops\n");
        for (int i = 0; i < 5_000; i++) sb.append("u").append(i).append("@x.io,U").append(i).append('\n');
        var all = rows(file(sb.toString()));
        assertThat(all).hasSize(5_001);
        assertThat(all.getFirst().problem()).isEqualTo("UNTERMINATED_QUOTE");
        assertThat(all.subList(1, all.size())).extracting(Row::problem).containsOnlyNulls();
        assertThat(all.getLast().fields()).containsExactly("u4999@x.io", "U4999");
    }

    @Test
    void anOversizedFieldIsCutAndFlagged() throws IOException {
        Path f = file("email,notes\na@x.io," + "x".repeat(CsvSource.MAX_FIELD_CHARS + 10) + "\nb@x.io,ok\n");
        var all = rows(f);
        assertThat(all.getFirst().problem()).isEqualTo("FIELD_TOO_LONG");
        assertThat(all.getFirst().fields().get(1)).hasSize(CsvSource.MAX_FIELD_CHARS);
        assertThat(all.get(1).problem()).isNull();
    }

    // --- unreadable files ------------------------------------------------------------------------

    @Test
    void emptyAndBlankFiles() throws IOException {
        assertThatThrownBy(() -> CsvSource.sniff(file("e.csv", new byte[0])))
                .isInstanceOfSatisfying(CsvSource.Unreadable.class, e -> assertThat(e.code()).isEqualTo("EMPTY_FILE"));
        assertThatThrownBy(() -> CsvSource.sniff(file("b.csv", bytes(0xEF, 0xBB, 0xBF), " \r\n\n".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOfSatisfying(CsvSource.Unreadable.class, e -> assertThat(e.code()).isEqualTo("EMPTY_FILE"));
        assertThatThrownBy(() -> CsvSource.sniff(file(";;;\n;;;\n")))
                .isInstanceOfSatisfying(CsvSource.Unreadable.class, e -> assertThat(e.code()).isEqualTo("NO_COLUMNS"));
    }

    @Test
    void binaryGarbageAndSpreadsheets() throws IOException {
        var random = new byte[8192];
        new Random(1).nextBytes(random);
        assertThatThrownBy(() -> CsvSource.sniff(file("r.bin", random)))
                .isInstanceOfSatisfying(CsvSource.Unreadable.class, e -> assertThat(e.code()).isEqualTo("BINARY_FILE"));
        var noNul = random.clone();
        for (int i = 0; i < noNul.length; i++) if (noNul[i] == 0) noNul[i] = 1;
        assertThatThrownBy(() -> CsvSource.sniff(file("n.bin", noNul)))
                .isInstanceOfSatisfying(CsvSource.Unreadable.class, e -> assertThat(e.code()).isEqualTo("BINARY_FILE"));
        assertThatThrownBy(() -> CsvSource.sniff(file("x.xlsx", bytes(0x50, 0x4B, 0x03, 0x04), random)))
                .isInstanceOfSatisfying(CsvSource.Unreadable.class, e -> {
                    assertThat(e.code()).isEqualTo("BINARY_FILE");
                    assertThat(e.getMessage()).contains("Excel");
                });
        var nuls = new byte[4096];
        assertThatThrownBy(() -> CsvSource.sniff(file("z.bin", nuls)))
                .isInstanceOfSatisfying(CsvSource.Unreadable.class, e -> assertThat(e.code()).isEqualTo("BINARY_FILE"));
    }

    // --- streaming ------------------------------------------------------------------------------

    @Test
    void theHandlerCanCancel() throws IOException {
        var sb = new StringBuilder("email,name\n");
        for (int i = 0; i < 1000; i++) sb.append("u").append(i).append("@x.io,U").append(i).append('\n');
        Path f = file(sb.toString());
        var seen = new ArrayList<Long>();
        CsvSource.read(f, CsvSource.sniff(f), (n, fields, problem) -> {
            seen.add(n);
            return n < 10;
        });
        assertThat(seen).hasSize(10).endsWith(10L);
    }

    @Test
    void aMillionRowsStreamQuickly() throws IOException {
        Path f = dir.resolve("million.csv");
        try (var w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(f), StandardCharsets.UTF_8), 1 << 16)) {
            w.write("Email,First Name,Last Name,Company,Title,Phone,Notes\r\n");
            for (int i = 0; i < 1_000_000; i++) {
                w.write("lead" + i + "@company" + (i % 9973) + ".example,Ada" + i + ",Läst,\"Acme " + (i % 1000)
                        + ", Inc.\",CEO,+49 30 " + (1_000_000 + i) + ",\"said \"\"hi\"\"\"\r\n");
            }
        }
        long bytes = Files.size(f);
        var s = CsvSource.sniff(f);
        assertThat(s.headers()).hasSize(7);
        long[] count = {0, 0, 0};
        var threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        CsvSource.read(f, s, (n, fields, problem) -> {
            count[0]++; // nothing is kept: memory stays bounded by one row
            count[1] += fields.get(3).length();
            if (problem != null) count[2]++;
            return true;
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpuSecs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        double rate = count[0] / secs;
        System.out.printf("CsvSource.read: %,d rows, %.1f MB in %.2f s wall = %,.0f rows/s (%.0f MB/s); %.2f s CPU = %,.0f rows/s%n",
                count[0], bytes / 1e6, secs, rate, bytes / 1e6 / secs, cpuSecs, count[0] / cpuSecs);
        assertThat(count[0]).isEqualTo(1_000_000);
        assertThat(count[2]).isZero();
        assertThat(count[1]).isGreaterThan(10_000_000);
        assertThat(rate).isGreaterThan(50_000);
    }
}

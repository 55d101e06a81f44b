package dev.outreach2day.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * CSV rows for spreadsheets: RFC 4180 (CRLF line ends; a field with a comma, quote, CR or LF is
 * quoted, quotes doubled), and formula injection neutralised (OWASP "CSV injection"): a cell
 * starting with {@code = + - @}, tab or CR gets a leading {@code '} so Excel, LibreOffice and
 * Google Sheets show it as text instead of running it.
 */
final class CsvCells {

    private CsvCells() {}

    static String neutralise(String value) {
        if (value == null || value.isEmpty()) return value == null ? "" : value;
        return switch (value.charAt(0)) {
            case '=', '+', '-', '@', '\t', '\r' -> "'" + value;
            default -> value;
        };
    }

    static String quote(String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == ',' || ch == '"' || ch == '\r' || ch == '\n') return '"' + value.replace("\"", "\"\"") + '"';
        }
        return value;
    }

    static void row(Appendable out, List<String> values) {
        try {
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) out.append(',');
                out.append(quote(neutralise(values.get(i))));
            }
            out.append("\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

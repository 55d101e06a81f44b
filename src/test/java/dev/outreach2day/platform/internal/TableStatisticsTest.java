package dev.outreach2day.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.IntegrationTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class TableStatisticsTest extends IntegrationTest {

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TableStatistics statistics;

    /**
     * A generic plan made while the table was empty stays as it is while the table grows; once the
     * table is analysed, the same prepared statement is planned again for its real size: "one of
     * three groups" is then known to match a third of the 5,000 rows.
     */
    @Test
    void aTableThatGrewIsAnalysedAndItsCachedPlanIsMadeAgain() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute("DROP TABLE IF EXISTS tstat_probe");
            s.execute("CREATE TABLE tstat_probe (ws bigint NOT NULL, id text NOT NULL, grp text NOT NULL, PRIMARY KEY (ws, id))");
            s.execute("CREATE INDEX tstat_probe_grp ON tstat_probe (grp)");
            s.execute("SET plan_cache_mode = force_generic_plan");
            s.execute("PREPARE tstat_find(text) AS SELECT id FROM tstat_probe WHERE grp = $1");
            try {
                assertThat(plan(s)).as("plan on the empty table").doesNotContain("rows=1667");

                s.execute("INSERT INTO tstat_probe SELECT 1, 'id' || g, 'g' || (g % 3) FROM generate_series(1, 5000) g");
                s.execute("SELECT pg_stat_force_next_flush()"); // report the insert's row count now, not when idle for 10 s
                waitForStatistics(); // PostgreSQL counts the writes a moment after the commit
                statistics.analyzeGrown(); // (the scheduled round may have been first: either way it is analysed)

                Long analyses = jdbc.sql("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'tstat_probe'")
                        .query(Long.class).single();
                assertThat(analyses).isPositive();
                assertThat(statistics.analyzeGrown()).as("not again until it doubles").doesNotContain("public.tstat_probe");
                assertThat(plan(s)).as("the same prepared statement after the analysis: planned for a third of 5,000 rows")
                        .contains("rows=1667");
            } finally {
                s.execute("DEALLOCATE tstat_find");
                s.execute("RESET plan_cache_mode");
                s.execute("DROP TABLE tstat_probe");
            }
        }
    }

    private void waitForStatistics() {
        long until = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < until) {
            Long counted = jdbc.sql("""
                    SELECT n_mod_since_analyze + COALESCE(analyze_count, 0) * 5000 + autoanalyze_count * 5000
                      FROM pg_stat_user_tables WHERE relname = 'tstat_probe'""").query(Long.class).single();
            if (counted >= 5000) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String plan(Statement s) throws SQLException {
        var out = new StringBuilder();
        try (var rs = s.executeQuery("EXPLAIN EXECUTE tstat_find('g1')")) {
            while (rs.next()) out.append(rs.getString(1)).append('\n');
        }
        return out.toString();
    }
}

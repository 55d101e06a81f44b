package dev.outreach2day.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void jdbcUrlsPassThrough() {
        var url = DatabaseConfig.ExternalUrl.parse("jdbc:postgresql://db:5433/o2d?sslmode=require");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5433/o2d?sslmode=require");
        assertThat(url.username()).isNull();
    }

    @Test
    void postgresUrlsAreConvertedWithTheirCredentials() {
        var url = DatabaseConfig.ExternalUrl.parse("postgres://o2d:p%40ss@db.internal:5432/outreach?sslmode=disable");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/outreach?sslmode=disable");
        assertThat(url.username()).isEqualTo("o2d");
        assertThat(url.password()).isEqualTo("p@ss");
    }

    @Test
    void otherSchemesAreRefusedWithoutEchoingThePassword() {
        assertThatThrownBy(() -> DatabaseConfig.ExternalUrl.parse("mysql://u:secret@h/db"))
                .hasMessageContaining("O2D_DATABASE_URL").hasMessageNotContaining("secret");
    }
}

package dev.outreach2day.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outreach2day.IntegrationTest;
import dev.outreach2day.platform.O2dProperties;
import dev.outreach2day.platform.SecretVault;
import dev.outreach2day.platform.VaultedColumn;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Master-key rotation re-encrypts every declared secret column: afterwards everything reads
 * with the new key alone. (Rotated back at the end, so the shared test server keeps working.)
 */
class VaultRotationTest extends IntegrationTest {

    @Autowired O2dProperties props;
    @Autowired SecretVault current;
    @Autowired List<VaultedColumn.Registry> registries;
    @Autowired JdbcClient jdbc;
    @Autowired TransactionTemplate tx;

    private SecretVault vault(String key, String previous) {
        var p = props;
        return new SecretVault(new O2dProperties(p.mode(), p.dataDir(), p.publicUrl(), p.database(), p.bootstrap(), p.api(),
                p.workspace(), p.payment(), new O2dProperties.Vault(key, previous)));
    }

    private List<String[]> secrets() {
        var out = new java.util.ArrayList<String[]>();
        for (var r : registries) {
            for (var c : r.vaultedColumns()) {
                out.addAll(jdbc.sql("SELECT " + c.column() + ", " + c.contextSql() + " FROM " + c.table() + " WHERE " + c.column()
                        + " IS NOT NULL").query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list());
            }
        }
        return out;
    }

    @Test
    void everySecretIsReEncryptedUnderTheNewKey() throws Exception {
        // some secrets to rotate: a domain's DKIM key and a mailbox password
        var tenant = newTenant();
        var api = api(tenant);
        String setup = api.post("/workspaces/" + tenant.workspaceId() + "/setup_payment_method", null).json().get("setup_url").asString();
        anonymous().send("POST", setup.replaceFirst("^https?://[^/]+", ""), "", "application/x-www-form-urlencoded");
        String domain = "rot" + Long.toString(System.nanoTime(), 36) + ".com";
        api.post("/domains/purchase", """
                {"domains":["%s"],"contactInfo":{"firstName":"A","lastName":"B","email":"a@b.org","phone":"+1.5555550100",
                 "address1":"1 St","city":"X","stateProvince":"Y","postalCode":"1","country":"US"}}""".formatted(domain));
        assertThat(api.post("/mailboxes", "{\"mailboxes\":[{\"address\":\"r@" + domain + "\",\"firstName\":\"R\"}]}").status()).isEqualTo(201);

        String oldKey = java.nio.file.Files.readString(props.dataDir().resolve("master-key")).trim();
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String newKey = Base64.getEncoder().encodeToString(raw);
        SecretVault rotated = vault(newKey, oldKey);

        int n = new VaultRotation(registries, rotated, jdbc, tx).rotate();
        assertThat(n).isGreaterThanOrEqualTo(3);
        SecretVault newOnly = vault(newKey, null);
        var all = secrets();
        assertThat(all).isNotEmpty();
        for (String[] s : all) {
            assertThat(s[0]).startsWith("o2dv1:" + newOnly.currentKeyId() + ":");
            newOnly.decrypt(s[0], s[1]); // readable with the new key alone
            assertThatThrownBy(() -> current.decrypt(s[0], s[1])).isInstanceOf(IllegalStateException.class);
        }
        assertThat(new VaultRotation(registries, rotated, jdbc, tx).rotate()).isZero(); // idempotent

        // and back, for the rest of the suite
        new VaultRotation(registries, vault(oldKey, newKey), jdbc, tx).rotate();
        for (String[] s : secrets()) {
            current.decrypt(s[0], s[1]);
        }
    }
}

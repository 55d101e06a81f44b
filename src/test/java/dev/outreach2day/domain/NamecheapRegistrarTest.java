package dev.outreach2day.domain;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.outreach2day.domain.NamecheapClientTest.API_KEY;
import static dev.outreach2day.domain.NamecheapClientTest.config;
import static dev.outreach2day.domain.NamecheapClientTest.error;
import static dev.outreach2day.domain.NamecheapClientTest.globals;
import static dev.outreach2day.domain.NamecheapClientTest.ok;
import static dev.outreach2day.domain.NamecheapClientTest.properties;
import static dev.outreach2day.domain.NamecheapClientTest.requests;
import static dev.outreach2day.domain.NamecheapClientTest.stubCommand;
import static dev.outreach2day.domain.NamecheapClientTest.xml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.outreach2day.domain.Registrar.Availability;
import dev.outreach2day.domain.Registrar.AvailabilityStatus;
import dev.outreach2day.domain.Registrar.ContactInfo;
import dev.outreach2day.domain.Registrar.RegistrarException;
import dev.outreach2day.domain.Registrar.Registration;
import dev.outreach2day.domain.Registrar.RegistrationRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Namecheap registrar against a WireMock stand-in, with Namecheap's documented XML samples. */
class NamecheapRegistrarTest {

    static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    static WireMockServer namecheap;

    final MutableClock clock = new MutableClock(NOW);
    NamecheapRegistrar registrar;

    @BeforeAll
    static void start() {
        namecheap = NamecheapClientTest.startNamecheap();
    }

    @AfterAll
    static void stop() {
        namecheap.stop();
    }

    @BeforeEach
    void setUp() {
        namecheap.resetAll();
        clock.set(NOW);
        registrar = new NamecheapRegistrar(new NamecheapClient(config(namecheap)), clock);
    }

    // --- check ---------------------------------------------------------------------------------

    /** Namecheap's domains.check samples (regular and premium answer), combined in one response. */
    static final String CHECK_RESPONSE = ok("namecheap.domains.check", """
            <DomainCheckResult Domain="outreach-alpha.com" Available="true" ErrorNo="0" Description="" IsPremiumName="false" PremiumRegistrationPrice="0" PremiumRenewalPrice="0" PremiumRestorePrice="0" PremiumTransferPrice="0" IcannFee="0" EapFee="0"/>
            <DomainCheckResult Domain="testapi.xyz" Available="false" ErrorNo="0" Description="" IsPremiumName="false" PremiumRegistrationPrice="0" PremiumRenewalPrice="0" PremiumRestorePrice="0" PremiumTransferPrice="0" IcannFee="0" EapFee="0"/>
            <DomainCheckResult Domain="us.xyz" Available="true" ErrorNo="0" Description="" IsPremiumName="true" PremiumRegistrationPrice="13000.0000" PremiumRenewalPrice="13000.0000" PremiumRestorePrice="65.0000" PremiumTransferPrice="13000.0000" IcannFee="0.0000" EapFee="0.0000"/>
            """);

    /** users.getPricing for ProductType=DOMAIN, ActionName=REGISTER, ProductName=com, as the live API shapes it. */
    static final String COM_PRICING = ok("namecheap.users.getPricing", """
            <UserGetPricingResult>
              <ProductType Name="domains">
                <ProductCategory Name="register">
                  <Product Name="com">
                    <Price Duration="1" DurationType="YEAR" Price="10.28" PricingType="ABSOLUTE" AdditionalCost="0.18" RegularPrice="13.98" RegularPriceType="MULTIPLE" RegularAdditionalCost="0.18" RegularAdditionalCostType="MULTIPLE" YourPrice="10.28" YourPriceType="ABSOLUTE" YourAdditonalCost="0.18" YourAdditonalCostType="MULTIPLE" PromotionPrice="0.0" Currency="USD" />
                    <Price Duration="2" DurationType="YEAR" Price="20.56" PricingType="ABSOLUTE" AdditionalCost="0.36" RegularPrice="27.96" YourPrice="20.56" YourAdditonalCost="0.36" PromotionPrice="0.0" Currency="USD" />
                  </Product>
                </ProductCategory>
              </ProductType>
            </UserGetPricingResult>
            """);

    @Test
    void checkSendsTheDomainListAndMapsAvailableTakenAndPremium() {
        stubCommand(namecheap, "namecheap.domains.check", xml(CHECK_RESPONSE));
        stubCommand(namecheap, "namecheap.users.getPricing", xml(COM_PRICING));

        List<Availability> results = registrar.check(List.of("outreach-alpha.com", "testapi.xyz", "us.xyz"));

        assertThat(results).extracting(Availability::domain, Availability::status)
                .containsExactly(
                        tuple("outreach-alpha.com", AvailabilityStatus.available),
                        tuple("testapi.xyz", AvailabilityStatus.taken),
                        tuple("us.xyz", AvailabilityStatus.premium));
        assertThat(results.get(0).price()).isEqualByComparingTo("10.46"); // 10.28 + 0.18 ICANN fee
        assertThat(results.get(0).currency()).isEqualTo("USD");
        assertThat(results.get(1).price()).isNull();
        assertThat(results.get(2).price()).isEqualByComparingTo("13000");
        assertThat(results.get(2).currency()).isEqualTo("USD");

        Map<String, String> check = globals("namecheap.domains.check");
        check.put("DomainList", "outreach-alpha.com,testapi.xyz,us.xyz");
        assertThat(requests(namecheap, "namecheap.domains.check")).containsExactly(check);
        // Only the available regular name needs a price.
        Map<String, String> pricing = globals("namecheap.users.getPricing");
        pricing.put("ProductType", "DOMAIN");
        pricing.put("ActionName", "REGISTER");
        pricing.put("ProductName", "com");
        assertThat(requests(namecheap, "namecheap.users.getPricing")).containsExactly(pricing);
        namecheap.verify(postRequestedFor(urlEqualTo("/xml.response"))
                .withFormParam("Command", equalTo("namecheap.domains.check"))
                .withFormParam("DomainList", equalTo("outreach-alpha.com,testapi.xyz,us.xyz")));
    }

    @Test
    void checkReadsTheOlderDocumentedShapeToo() {
        // namecheap.domains.check's original sample: no premium attributes; getPricing's sample: YourPrice only.
        stubCommand(namecheap, "namecheap.domains.check", xml("""
                <?xml version="1.0" encoding="utf-8"?>
                <ApiResponse Status="OK" xmlns="http://api.namecheap.com/xml.response">
                  <Errors />
                  <RequestedCommand>namecheap.domains.check</RequestedCommand>
                  <CommandResponse Type="namecheap.domains.check">
                    <DomainCheckResult Domain="domain1.biz" Available="true" />
                    <DomainCheckResult Domain="availabledomain.biz" Available="false" />
                  </CommandResponse>
                  <Server>SERVER-NAME</Server>
                  <GMTTimeDifference>+5</GMTTimeDifference>
                  <ExecutionTime>32.76</ExecutionTime>
                </ApiResponse>
                """));
        stubCommand(namecheap, "namecheap.users.getPricing", xml(ok("namecheap.users.getPricing", """
                <UserGetPricingResult>
                  <ProductType Name="DOMAIN">
                    <ProductCategory Name="REACTIVATE">
                      <Product Name="biz">
                        <Price Duration="1" DurationType="YEAR" Price="8.55" RegularPrice="8.55" YourPrice="8.55" CouponPrice="" Currency="USD" />
                      </Product>
                    </ProductCategory>
                    <ProductCategory Name="REGISTER">
                      <Product Name="biz">
                        <Price Duration="1" DurationType="YEAR" Price="6.00" RegularPrice="6.00" YourPrice="6.00" CouponPrice="" Currency="USD" />
                        <Price Duration="2" DurationType="YEAR" Price="8.87" RegularPrice="8.87" YourPrice="8.87" CouponPrice="" Currency="USD" />
                      </Product>
                    </ProductCategory>
                  </ProductType>
                </UserGetPricingResult>
                """)));

        List<Availability> results = registrar.check(List.of("Domain1.biz", "availabledomain.biz"));

        assertThat(results.get(0).status()).isEqualTo(AvailabilityStatus.available);
        assertThat(results.get(0).price()).isEqualByComparingTo("6.00");
        assertThat(results.get(1).status()).isEqualTo(AvailabilityStatus.taken);
    }

    @Test
    void pricesAreCachedPerTldForAnHour() {
        stubCommand(namecheap, "namecheap.domains.check", xml(CHECK_RESPONSE));
        stubCommand(namecheap, "namecheap.users.getPricing", xml(COM_PRICING));

        registrar.check(List.of("outreach-alpha.com"));
        clock.advance(Duration.ofMinutes(59));
        registrar.check(List.of("outreach-alpha.com"));
        assertThat(requests(namecheap, "namecheap.users.getPricing")).hasSize(1);

        clock.advance(Duration.ofMinutes(2));
        List<Availability> later = registrar.check(List.of("outreach-alpha.com"));
        assertThat(requests(namecheap, "namecheap.users.getPricing")).hasSize(2);
        assertThat(later.getFirst().price()).isEqualByComparingTo("10.46");
        assertThat(requests(namecheap, "namecheap.domains.check")).hasSize(3);
    }

    @Test
    void aTldWithoutARegistrationPriceIsUnsupported() {
        stubCommand(namecheap, "namecheap.domains.check", xml(ok("namecheap.domains.check",
                "<DomainCheckResult Domain=\"outreach.zz\" Available=\"true\" ErrorNo=\"0\" Description=\"\" IsPremiumName=\"false\"/>")));
        stubCommand(namecheap, "namecheap.users.getPricing", xml(ok("namecheap.users.getPricing",
                "<UserGetPricingResult><ProductType Name=\"DOMAIN\"></ProductType></UserGetPricingResult>")));

        Availability result = registrar.check(List.of("outreach.zz")).getFirst();

        assertThat(result.status()).isEqualTo(AvailabilityStatus.unsupported_tld);
        assertThat(result.price()).isNull();
        assertThat(result.detail()).contains(".zz");
    }

    @Test
    void anUnsupportedTldInTheListIsIsolatedAndTheRestChecked() {
        namecheap.stubFor(post(urlEqualTo("/xml.response")).withFormParam("Command", equalTo("namecheap.domains.check"))
                .withFormParam("DomainList", equalTo("outreach-alpha.com,outreach.onion"))
                .willReturn(xml(error("2030280", "TLD is not supported in API"))));
        namecheap.stubFor(post(urlEqualTo("/xml.response")).withFormParam("Command", equalTo("namecheap.domains.check"))
                .withFormParam("DomainList", equalTo("outreach.onion"))
                .willReturn(xml(error("2030280", "TLD is not supported in API"))));
        namecheap.stubFor(post(urlEqualTo("/xml.response")).withFormParam("Command", equalTo("namecheap.domains.check"))
                .withFormParam("DomainList", equalTo("outreach-alpha.com"))
                .willReturn(xml(CHECK_RESPONSE)));
        stubCommand(namecheap, "namecheap.users.getPricing", xml(COM_PRICING));

        List<Availability> results = registrar.check(List.of("outreach-alpha.com", "outreach.onion"));

        assertThat(results.get(0).status()).isEqualTo(AvailabilityStatus.available);
        assertThat(results.get(1).status()).isEqualTo(AvailabilityStatus.unsupported_tld);
        assertThat(results.get(1).detail()).isEqualTo("TLD is not supported in API");
        assertThat(requests(namecheap, "namecheap.domains.check")).extracting(form -> form.get("DomainList"))
                .containsExactly("outreach-alpha.com,outreach.onion", "outreach-alpha.com", "outreach.onion");
    }

    @Test
    void aRefusedTldIsAnsweredForAllItsNamesAtOnce() {
        stubCommand(namecheap, "namecheap.domains.check", xml(error("2030280", "TLD is not supported in API")));

        List<Availability> results = registrar.check(List.of("a.onion", "b.onion", "c.onion"));

        assertThat(results).extracting(Availability::status).containsOnly(AvailabilityStatus.unsupported_tld);
        assertThat(requests(namecheap, "namecheap.domains.check")).hasSize(1);
    }

    @Test
    void anInvalidNameInTheListIsFoundByHalving() {
        namecheap.stubFor(post(urlEqualTo("/xml.response")).withFormParam("Command", equalTo("namecheap.domains.check"))
                .withFormParam("DomainList", containing("bad--name.com"))
                .willReturn(xml(error("2030166", "Domain is invalid"))));
        namecheap.stubFor(post(urlEqualTo("/xml.response")).withFormParam("Command", equalTo("namecheap.domains.check"))
                .withFormParam("DomainList", notContaining("bad--name.com"))
                .willReturn(xml(ok("namecheap.domains.check", """
                        <DomainCheckResult Domain="a.com" Available="false" ErrorNo="0" Description="" IsPremiumName="false"/>
                        <DomainCheckResult Domain="b.com" Available="false" ErrorNo="0" Description="" IsPremiumName="false"/>
                        <DomainCheckResult Domain="c.com" Available="false" ErrorNo="0" Description="" IsPremiumName="false"/>
                        """))));

        List<Availability> results = registrar.check(List.of("a.com", "b.com", "bad--name.com", "c.com"));

        assertThat(results).extracting(Availability::status).containsExactly(
                AvailabilityStatus.taken, AvailabilityStatus.taken, AvailabilityStatus.invalid, AvailabilityStatus.taken);
        assertThat(requests(namecheap, "namecheap.domains.check")).extracting(form -> form.get("DomainList"))
                .containsExactly("a.com,b.com,bad--name.com,c.com", "a.com,b.com", "bad--name.com,c.com", "bad--name.com", "c.com");
    }

    @Test
    void perNameErrorsMapToInvalidOrUnsupported() {
        stubCommand(namecheap, "namecheap.domains.check", xml(ok("namecheap.domains.check", """
                <DomainCheckResult Domain="-bad-.com" Available="false" ErrorNo="2030166" Description="Domain is invalid" IsPremiumName="false"/>
                <DomainCheckResult Domain="x.onion" Available="false" ErrorNo="2030280" Description="TLD is not supported in API" IsPremiumName="false"/>
                <DomainCheckResult Domain="x.zz" Available="false" ErrorNo="3031510" Description="Tld for 'x.zz' is not found" IsPremiumName="false"/>
                """)));

        List<Availability> results = registrar.check(List.of("-bad-.com", "x.onion", "x.zz", "missing.com"));

        assertThat(results).extracting(Availability::status).containsExactly(
                AvailabilityStatus.invalid, AvailabilityStatus.unsupported_tld, AvailabilityStatus.unsupported_tld,
                AvailabilityStatus.invalid);
        assertThat(results.get(0).detail()).isEqualTo("Domain is invalid");
    }

    @Test
    void moreThanFiftyNamesAreCheckedInBatchesOfFifty() {
        List<String> names = IntStream.rangeClosed(1, 51).mapToObj(i -> "name" + i + ".com").toList();
        stubCommand(namecheap, "namecheap.domains.check", xml(ok("namecheap.domains.check", "")));

        registrar.check(names);

        assertThat(requests(namecheap, "namecheap.domains.check")).extracting(form -> form.get("DomainList"))
                .containsExactly(String.join(",", names.subList(0, 50)), "name51.com");
    }

    @Test
    void checkErrorsBecomeRegistrarExceptions() {
        stubCommand(namecheap, "namecheap.domains.check", xml(error("2011166", "UserName is invalid")));

        var failure = catchThrowableOfType(RegistrarException.class, () -> registrar.check(List.of("outreach-alpha.com")));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_2011166");
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("UserName is invalid").doesNotContain(API_KEY);
    }

    @Test
    void providerErrorsOnCheckAreRetryable() {
        stubCommand(namecheap, "namecheap.domains.check", xml(error("3031510", "Error response from Enom when the error count != 0")));

        var failure = catchThrowableOfType(RegistrarException.class, () -> registrar.check(List.of("outreach-alpha.com")));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_3031510");
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void http500OnCheckIsRetryable() {
        stubCommand(namecheap, "namecheap.domains.check", aResponse().withStatus(500).withBody("Internal Server Error"));

        var failure = catchThrowableOfType(RegistrarException.class, () -> registrar.check(List.of("outreach-alpha.com")));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_HTTP_500");
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void aTimeoutIsRetryable() {
        stubCommand(namecheap, "namecheap.domains.check", xml(CHECK_RESPONSE).withFixedDelay(3_000));
        var impatient = new NamecheapRegistrar(new NamecheapClient(config(namecheap), Duration.ofMillis(300)), clock);

        var failure = catchThrowableOfType(RegistrarException.class, () -> impatient.check(List.of("outreach-alpha.com")));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_TIMEOUT");
        assertThat(failure.retryable()).isTrue();
        assertThat(failure.getMessage()).doesNotContain(API_KEY);
    }

    @Test
    void aDoctypeInTheAnswerIsRejected() {
        stubCommand(namecheap, "namecheap.domains.check", xml("""
                <?xml version="1.0"?>
                <!DOCTYPE ApiResponse [<!ENTITY x "yes">]>
                <ApiResponse Status="OK"><CommandResponse><DomainCheckResult Domain="outreach-alpha.com" Available="&x;"/></CommandResponse></ApiResponse>
                """));

        var failure = catchThrowableOfType(RegistrarException.class, () -> registrar.check(List.of("outreach-alpha.com")));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_BAD_RESPONSE");
        assertThat(failure.retryable()).isFalse();
    }

    // --- register ------------------------------------------------------------------------------

    static final ContactInfo CONTACT = new ContactInfo("John", "Smith", "NC Outreach Ltd", "john@example.com",
            "+1 (661) 310-2107", "8939 S.cross Blvd", "Suite 100", "Los Angeles", "CA", "90045", "us");

    /** namecheap.domains.create's documented response. */
    static final String CREATE_RESPONSE = ok("namecheap.domains.create",
            "<DomainCreateResult Domain=\"aa.us.com\" Registered=\"true\" ChargedAmount=\"20.3600\" DomainID=\"9007\" "
                    + "OrderID=\"196074\" TransactionID=\"380716\" WhoisguardEnable=\"true\" NonRealTimeDomain=\"false\" />");

    @Test
    void registerSendsEveryContactFieldForAllFourContactsAndTheOptions() {
        stubCommand(namecheap, "namecheap.domains.create", xml(CREATE_RESPONSE));

        Registration registration = registrar.register(new RegistrationRequest("aa.us.com", 2, CONTACT, true,
                List.of("ns1.outreach2day.dev", "NS2.outreach2day.dev")));

        assertThat(registration.domain()).isEqualTo("aa.us.com");
        assertThat(registration.externalId()).isEqualTo("196074");
        assertThat(registration.charged()).isEqualByComparingTo("20.36");
        assertThat(registration.currency()).isEqualTo("USD");
        assertThat(registration.expiresAt()).isEqualTo(Instant.parse("2028-03-01T10:00:00Z"));

        Map<String, String> expected = globals("namecheap.domains.create");
        expected.put("DomainName", "aa.us.com");
        expected.put("Years", "2");
        for (String prefix : List.of("Registrant", "Tech", "Admin", "AuxBilling")) {
            expected.put(prefix + "FirstName", "John");
            expected.put(prefix + "LastName", "Smith");
            expected.put(prefix + "OrganizationName", "NC Outreach Ltd");
            expected.put(prefix + "Address1", "8939 S.cross Blvd");
            expected.put(prefix + "Address2", "Suite 100");
            expected.put(prefix + "City", "Los Angeles");
            expected.put(prefix + "StateProvince", "CA");
            expected.put(prefix + "PostalCode", "90045");
            expected.put(prefix + "Country", "US");
            expected.put(prefix + "Phone", "+1.6613102107");
            expected.put(prefix + "EmailAddress", "john@example.com");
        }
        expected.put("AddFreeWhoisguard", "yes");
        expected.put("WGEnabled", "yes");
        expected.put("Nameservers", "ns1.outreach2day.dev,ns2.outreach2day.dev");
        assertThat(requests(namecheap, "namecheap.domains.create")).containsExactly(expected);
        namecheap.verify(1, postRequestedFor(urlEqualTo("/xml.response"))
                .withFormParam("Command", equalTo("namecheap.domains.create"))
                .withFormParam("RegistrantPhone", equalTo("+1.6613102107"))
                .withFormParam("AuxBillingEmailAddress", equalTo("john@example.com")));
    }

    @Test
    void registerWithoutPrivacyOrNameserversLeavesOptionalFieldsOut() {
        stubCommand(namecheap, "namecheap.domains.create", xml(CREATE_RESPONSE));
        var contact = new ContactInfo("Jane", "Doe", null, "jane@example.org", "+44.2079460958",
                "1 High St", " ", "London", "London", "SW1A 1AA", "GB");

        registrar.register(new RegistrationRequest("aa.us.com", 1, contact, false, List.of()));

        Map<String, String> sent = requests(namecheap, "namecheap.domains.create").getFirst();
        assertThat(sent).containsEntry("Years", "1")
                .containsEntry("AddFreeWhoisguard", "no")
                .containsEntry("WGEnabled", "no")
                .containsEntry("TechPhone", "+44.2079460958")
                .doesNotContainKeys("Nameservers", "RegistrantOrganizationName", "RegistrantAddress2",
                        "AdminOrganizationName", "AuxBillingAddress2");
    }

    @Test
    void aDomainThisAccountAlreadyOwnsReturnsItsRegistration() {
        stubCommand(namecheap, "namecheap.domains.create", xml(error("3019166", "Domain not available")));
        stubCommand(namecheap, "namecheap.domains.getInfo", xml("""
                <?xml version="1.0" encoding="UTF-8"?>
                <ApiResponse Status="OK">
                  <Errors />
                  <RequestedCommand>namecheap.domains.getinfo</RequestedCommand>
                  <CommandResponse Type="namecheap.domains.getinfo">
                    <DomainGetInfoResult Status="Ok" ID="736542" DomainName="domain1.com" OwnerName="apisuer" IsOwner="true" IsPremium="false">
                      <DomainDetails>
                        <CreatedDate>09/05/2025</CreatedDate>
                        <ExpiredDate>09/05/2027</ExpiredDate>
                      </DomainDetails>
                      <LockDetails />
                      <Whoisguard Enabled="True">
                        <ID>3655801</ID>
                        <ExpiredDate>01/26/2013</ExpiredDate>
                      </Whoisguard>
                      <DnsDetails ProviderType="ENOM" />
                      <Modificationrights All="true" />
                    </DomainGetInfoResult>
                  </CommandResponse>
                  <Server>SERVER-NAME</Server>
                  <GMTTimeDifference>+5:30</GMTTimeDifference>
                  <ExecutionTime>9.328</ExecutionTime>
                </ApiResponse>
                """));

        Registration registration = registrar.register(new RegistrationRequest("domain1.com", 1, CONTACT, true, List.of()));

        assertThat(registration.domain()).isEqualTo("domain1.com");
        assertThat(registration.externalId()).isEqualTo("736542");
        assertThat(registration.expiresAt()).isEqualTo(Instant.parse("2027-09-05T00:00:00Z"));
        assertThat(registration.charged()).isEqualByComparingTo(BigDecimal.ZERO);
        Map<String, String> getInfo = globals("namecheap.domains.getInfo");
        getInfo.put("DomainName", "domain1.com");
        assertThat(requests(namecheap, "namecheap.domains.getInfo")).containsExactly(getInfo);
    }

    @Test
    void aDomainSomeoneElseOwnsIsNotAvailable() {
        stubCommand(namecheap, "namecheap.domains.create", xml(error("3019166", "Domain not available")));
        stubCommand(namecheap, "namecheap.domains.getInfo", xml(error("2019166", "Domain not found")));

        var failure = catchThrowableOfType(RegistrarException.class,
                () -> registrar.register(new RegistrationRequest("google.com", 1, CONTACT, true, List.of())));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_3019166");
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("Domain not available").doesNotContain(API_KEY);
    }

    @Test
    void aDomainOwnedByAnotherNamecheapUserIsNotAvailable() {
        stubCommand(namecheap, "namecheap.domains.create", xml(error("4019166", "Domain not available")));
        stubCommand(namecheap, "namecheap.domains.getInfo", xml(ok("namecheap.domains.getinfo",
                "<DomainGetInfoResult Status=\"Ok\" ID=\"1\" DomainName=\"taken.com\" OwnerName=\"other\" IsOwner=\"false\" />")));

        var failure = catchThrowableOfType(RegistrarException.class,
                () -> registrar.register(new RegistrationRequest("taken.com", 1, CONTACT, true, List.of())));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_4019166");
    }

    @Test
    void documentedCreateErrorsAreFinal() {
        stubCommand(namecheap, "namecheap.domains.create",
                xml(error("2015182", "Contact phone is invalid. The phone number format is +NNN.NNNNNNNNNN")));
        stubCommand(namecheap, "namecheap.domains.getInfo", xml(error("2019166", "Domain not found")));

        var failure = catchThrowableOfType(RegistrarException.class,
                () -> registrar.register(new RegistrationRequest("outreach-alpha.com", 1, CONTACT, true, List.of())));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_2015182");
        assertThat(failure.retryable()).isFalse();
    }

    @Test
    void unknownErrorsWhileAddingTheDomainAreRetryable() {
        stubCommand(namecheap, "namecheap.domains.create", xml(error("5050900", "Unknown error while adding domain to your account")));
        stubCommand(namecheap, "namecheap.domains.getInfo", xml(error("2019166", "Domain not found")));

        var failure = catchThrowableOfType(RegistrarException.class,
                () -> registrar.register(new RegistrationRequest("outreach-alpha.com", 1, CONTACT, true, List.of())));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_5050900");
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void http500OnCreateIsRetryableAndNeedsNoOwnershipCheck() {
        stubCommand(namecheap, "namecheap.domains.create", aResponse().withStatus(503));

        var failure = catchThrowableOfType(RegistrarException.class,
                () -> registrar.register(new RegistrationRequest("outreach-alpha.com", 1, CONTACT, true, List.of())));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_HTTP_503");
        assertThat(failure.retryable()).isTrue();
        assertThat(requests(namecheap, "namecheap.domains.getInfo")).isEmpty();
    }

    @Test
    void aTimeoutOnCreateIsRetryable() {
        stubCommand(namecheap, "namecheap.domains.create", xml(CREATE_RESPONSE).withFixedDelay(3_000));
        var impatient = new NamecheapRegistrar(new NamecheapClient(config(namecheap), Duration.ofMillis(300)), clock);

        var failure = catchThrowableOfType(RegistrarException.class,
                () -> impatient.register(new RegistrationRequest("aa.us.com", 1, CONTACT, true, List.of())));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_TIMEOUT");
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void anUnreadableOwnershipCheckStaysRetryable() {
        stubCommand(namecheap, "namecheap.domains.create", xml(error("3019166", "Domain not available")));
        stubCommand(namecheap, "namecheap.domains.getInfo", aResponse().withStatus(502));

        var failure = catchThrowableOfType(RegistrarException.class,
                () -> registrar.register(new RegistrationRequest("domain1.com", 1, CONTACT, true, List.of())));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_HTTP_502");
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void aPremiumNameIsRefusedNotBoughtAtAnUnknownPrice() {
        stubCommand(namecheap, "namecheap.domains.create",
                xml(error("2515623", "Domain is premium while considered regular or is regular while considered premium")));
        stubCommand(namecheap, "namecheap.domains.getInfo", xml(error("2019166", "Domain not found")));

        var failure = catchThrowableOfType(RegistrarException.class,
                () -> registrar.register(new RegistrationRequest("us.xyz", 1, CONTACT, true, List.of())));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_2515623");
        assertThat(failure.retryable()).isFalse();
        assertThat(requests(namecheap, "namecheap.domains.create")).hasSize(1)
                .allSatisfy(form -> assertThat(form).doesNotContainKeys("IsPremiumDomain", "PremiumPrice"));
    }

    @Test
    void registeredFalseIsAFailure() {
        stubCommand(namecheap, "namecheap.domains.create", xml(ok("namecheap.domains.create",
                "<DomainCreateResult Domain=\"aa.us.com\" Registered=\"false\" ChargedAmount=\"0\" />")));

        var failure = catchThrowableOfType(RegistrarException.class,
                () -> registrar.register(new RegistrationRequest("aa.us.com", 1, CONTACT, true, List.of())));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_NOT_REGISTERED");
    }

    @Test
    void yearsOutsideOneToTenAreRefusedLocally() {
        var failure = catchThrowableOfType(RegistrarException.class,
                () -> registrar.register(new RegistrationRequest("aa.us.com", 0, CONTACT, true, List.of())));

        assertThat(failure.code()).isEqualTo("NAMECHEAP_INVALID_REQUEST");
        namecheap.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void phoneNumbersAreConvertedToNamecheapsFormat() {
        assertThat(NamecheapRegistrar.namecheapPhone("+1.6613102107")).isEqualTo("+1.6613102107");
        assertThat(NamecheapRegistrar.namecheapPhone("+1 (661) 310-2107")).isEqualTo("+1.6613102107");
        assertThat(NamecheapRegistrar.namecheapPhone("+44 20 7946 0958")).isEqualTo("+44.2079460958");
        assertThat(NamecheapRegistrar.namecheapPhone("0049 30 1234567")).isEqualTo("+49.301234567");
        assertThat(NamecheapRegistrar.namecheapPhone("+353 1 234 5678")).isEqualTo("+353.12345678");
        assertThat(NamecheapRegistrar.namecheapPhone("+7 495 123-45-67")).isEqualTo("+7.4951234567");
        assertThat(NamecheapRegistrar.namecheapPhone("+380 44 123 4567")).isEqualTo("+380.441234567");
        assertThat(NamecheapRegistrar.namecheapPhone("(661) 310-2107")).isEqualTo("(661) 310-2107");
    }

    // --- configuration -------------------------------------------------------------------------

    @Test
    void unconfiguredItNamesItselfButRefusesToWork() {
        var unconfigured = new NamecheapRegistrar(properties(new DomainProperties.Namecheap(
                "http://127.0.0.1:" + namecheap.port() + "/xml.response", "", "", "", "")));

        assertThat(unconfigured.name()).isEqualTo("namecheap");
        var onCheck = catchThrowableOfType(RegistrarException.class, () -> unconfigured.check(List.of("outreach-alpha.com")));
        assertThat(onCheck.code()).isEqualTo("REGISTRAR_NOT_CONFIGURED");
        assertThat(onCheck.retryable()).isFalse();
        var onRegister = catchThrowableOfType(RegistrarException.class,
                () -> unconfigured.register(new RegistrationRequest("aa.us.com", 1, CONTACT, true, List.of())));
        assertThat(onRegister.code()).isEqualTo("REGISTRAR_NOT_CONFIGURED");
        assertThat(onRegister.getMessage()).contains("O2D_NAMECHEAP_API_KEY");
        namecheap.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aKeyWithoutApiUserOrClientIpIsNotEnough() {
        var partial = new NamecheapRegistrar(properties(new DomainProperties.Namecheap(
                "http://127.0.0.1:" + namecheap.port() + "/xml.response", "", API_KEY, "", "")));

        var failure = catchThrowableOfType(RegistrarException.class, () -> partial.check(List.of("outreach-alpha.com")));

        assertThat(failure.code()).isEqualTo("REGISTRAR_NOT_CONFIGURED");
        assertThat(failure.getMessage()).contains("O2D_NAMECHEAP_API_USER", "O2D_NAMECHEAP_CLIENT_IP").doesNotContain(API_KEY);
        namecheap.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void nullPropertiesStillConstruct() {
        assertThat(new NamecheapRegistrar(properties(null)).name()).isEqualTo("namecheap");
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}

package dev.outreach2day.unibox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.outreach2day.unibox.ReplyClassifier.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reply classifier against a hand-labelled set of replies in English, German, French and Spanish
 * ({@value #DATASET}), plus focused tests of quote stripping, auto-reply headers, return dates, negation and
 * precedence.
 */
class ReplyClassifierTest {

    static final String DATASET = "unibox/replies.tsv";
    static final double MIN_ACCURACY = 0.85;
    static final LocalDate TODAY = LocalDate.of(2025, 3, 1);
    static final List<String> INTENTS = List.of("interested", "not_interested", "out_of_office", "unsubscribe", "neutral", "bounced");

    record Row(int line, String language, String expected, String subject, String text) {}

    static List<Row> rows;

    @BeforeAll
    static void load() throws IOException {
        rows = new ArrayList<>();
        try (InputStream in = ReplyClassifierTest.class.getClassLoader().getResourceAsStream(DATASET)) {
            assertThat(in).as(DATASET).isNotNull();
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 0; i < lines.length; i++) {
                String l = lines[i];
                if (l.isBlank() || l.startsWith("#")) continue;
                String[] f = l.split("\t", -1);
                assertThat(f).as("line %d has 4 tab-separated fields", i + 1).hasSize(4);
                rows.add(new Row(i + 1, f[0], f[1], unescape(f[2]), unescape(f[3])));
            }
        }
    }

    static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\t", "\t");
    }

    // ------------------------------------------------------------------------------------------------------------
    // The labelled set
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void datasetIsLargeAndCoversEveryIntentInEveryLanguage() {
        assertThat(rows).hasSizeGreaterThanOrEqualTo(240);
        for (String lang : List.of("en", "de", "fr", "es")) {
            List<Row> of = rows.stream().filter(r -> r.language().equals(lang)).toList();
            assertThat(of).as(lang).hasSizeGreaterThanOrEqualTo(50);
            for (String intent : INTENTS) {
                assertThat(of).as(lang + " " + intent).anyMatch(r -> r.expected().equals(intent));
            }
        }
        assertThat(rows).allMatch(r -> INTENTS.contains(r.expected()), "known intents only");
    }

    @Test
    void classifiesTheLabelledSetAccurately() {
        Map<String, Map<String, Integer>> confusion = new LinkedHashMap<>();
        for (String e : INTENTS) {
            Map<String, Integer> row = new LinkedHashMap<>();
            for (String a : INTENTS) row.put(a, 0);
            confusion.put(e, row);
        }
        Map<String, int[]> perLanguage = new TreeMap<>();
        List<String> errors = new ArrayList<>();
        int correct = 0;
        for (Row r : rows) {
            Result res = ReplyClassifier.classify(r.subject(), r.text(), Map.of(), TODAY);
            assertThat(res.confidence()).as("confidence of line %d", r.line()).isBetween(0.5, 0.99);
            confusion.get(r.expected()).merge(res.intent(), 1, Integer::sum);
            int[] lang = perLanguage.computeIfAbsent(r.language(), k -> new int[2]);
            lang[1]++;
            if (res.intent().equals(r.expected())) {
                correct++;
                lang[0]++;
            } else {
                errors.add(String.format(Locale.ROOT, "  line %d [%s] expected %s, got %s (%.2f) %s%n      %s", r.line(), r.language(),
                        r.expected(), res.intent(), res.confidence(), res.signals(), r.text().replace("\n", "\\n")));
            }
        }
        double accuracy = (double) correct / rows.size();

        StringBuilder report = new StringBuilder("\nReply classifier on ").append(DATASET).append(" (").append(rows.size()).append(" replies)\n");
        report.append(String.format(Locale.ROOT, "%-16s", "expected\\actual"));
        for (String a : INTENTS) report.append(String.format(Locale.ROOT, "%15s", a));
        report.append('\n');
        for (String e : INTENTS) {
            report.append(String.format(Locale.ROOT, "%-16s", e));
            for (String a : INTENTS) report.append(String.format(Locale.ROOT, "%15d", confusion.get(e).get(a)));
            report.append('\n');
        }
        report.append(String.format(Locale.ROOT, "%n%-16s%10s%10s%10s%10s%n", "class", "precision", "recall", "f1", "support"));
        for (String c : INTENTS) {
            int tp = confusion.get(c).get(c);
            int predicted = 0, support = 0;
            for (String e : INTENTS) predicted += confusion.get(e).get(c);
            for (String a : INTENTS) support += confusion.get(c).get(a);
            double p = predicted == 0 ? 0 : (double) tp / predicted, rc = support == 0 ? 0 : (double) tp / support;
            double f1 = p + rc == 0 ? 0 : 2 * p * rc / (p + rc);
            report.append(String.format(Locale.ROOT, "%-16s%10.3f%10.3f%10.3f%10d%n", c, p, rc, f1, support));
        }
        report.append('\n');
        perLanguage.forEach((lang, c) -> report.append(String.format(Locale.ROOT, "accuracy %-7s %.3f (%d/%d)%n", lang, (double) c[0] / c[1], c[0], c[1])));
        report.append(String.format(Locale.ROOT, "accuracy overall %.3f (%d/%d)%n", accuracy, correct, rows.size()));
        if (!errors.isEmpty()) report.append("misclassified:\n").append(String.join("\n", errors)).append('\n');
        System.out.println(report);

        assertThat(accuracy).as("overall accuracy (see the report above)").isGreaterThanOrEqualTo(MIN_ACCURACY);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Quoted history and signatures
    // ------------------------------------------------------------------------------------------------------------

    static Stream<Arguments> quotedReplies() {
        return Stream.of(
                arguments("No thanks.\n\nOn Tue, Mar 4, 2025 at 9:12 AM Sam Lee <sam@example.com> wrote:\n> Interested? Let's talk!", "No thanks."),
                arguments("No thanks.\n\nOn Tue, Mar 4, 2025 at 9:12 AM Sam Lee <\nsam@example.com> wrote:\n\nInterested? Let's talk!", "No thanks."),
                arguments("Nein danke.\n\nAm Di., 4. März 2025 um 09:12 Uhr schrieb Sam Weber <sam@example.com>:\nInteresse? Klingt gut!", "Nein danke."),
                arguments("Non merci.\n\nLe mar. 4 mars 2025 à 09:12, Sam Durand <sam@example.com> a écrit :\nIntéressé ? Parlons-en !", "Non merci."),
                arguments("No, gracias.\n\nEl mar, 4 mar 2025 a las 9:12, Sam Ruiz (<sam@example.com>) escribió:\n¿Le interesa? ¡Hablemos!", "No, gracias."),
                arguments("Not for us.\n\n-----Original Message-----\nFrom: Sam\nInterested? Let's talk!", "Not for us."),
                arguments("Not for us.\n\n________________________________\nFrom: Sam Lee <sam@example.com>\nSent: Tuesday, March 4, 2025 9:12 AM\n"
                        + "To: Dana\nSubject: Quick question\n\nInterested? Let's talk!", "Not for us."),
                arguments("Kein Bedarf.\n\nVon: Sam Weber <sam@example.com>\nGesendet: Dienstag, 4. März 2025 09:12\nAn: Katrin\nBetreff: Frage\n\n"
                        + "Klingt gut?", "Kein Bedarf."),
                arguments("Pas pour nous.\n\nDe : Sam Durand <sam@example.com>\nEnvoyé : mardi 4 mars 2025 09:12\nÀ : Claire\nObjet : Idée\n\n"
                        + "Intéressée ?", "Pas pour nous."),
                arguments("Ahora no.\n\nDe: Sam Ruiz <sam@example.com>\nEnviado el: martes, 4 de marzo de 2025 9:12\nPara: Lucía\nAsunto: Idea\n\n"
                        + "¿Le interesa?", "Ahora no."),
                arguments("Sounds good.\n> Interested?\n> Reply unsubscribe to opt out", "Sounds good."),
                arguments("Yes, let's talk.\n\n-- \nDana Smith\nUnsubscribe from our newsletter: acme.com/u", "Yes, let's talk."),
                arguments("Call me Tuesday.\n\nSent from my iPhone", "Call me Tuesday."),
                arguments("Ruf mich an.\n\nVon meinem iPhone gesendet", "Ruf mich an."),
                arguments("Appelez-moi.\n\nEnvoyé de mon iPhone", "Appelez-moi."),
                arguments("Llámame.\n\nEnviado desde mi iPhone", "Llámame."),
                arguments("Hi Sam,\n\nPlease send more info.\n\nBest regards,\nJulia Wright\nVP Sales\nInterested in our webinar? acme.com/webinar",
                        "Hi Sam,\n\nPlease send more info."),
                arguments("Gerne.\n\nMit freundlichen Grüßen\nKatrin Meyer\nAbmelden vom Newsletter: firma.de/abmelden", "Gerne."),
                arguments("Avec plaisir.\n\nCordialement,\nClaire", "Avec plaisir."),
                arguments("Me interesa.\n\nSaludos,\nLucía", "Me interesa."),
                arguments("Best time for me is Tuesday.", "Best time for me is Tuesday."));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("quotedReplies")
    void keepsOnlyTheNewestReply(String text, String expected) {
        assertThat(ReplyClassifier.latestReply(text)).isEqualTo(expected);
    }

    @Test
    void interestInQuotedHistoryOrSignatureIsIgnored() {
        assertThat(classify("Thanks, not now.\n\nOn Mon, Feb 3, 2025 at 8:00 AM Sam <sam@example.com> wrote:\n> Interested? Let's talk!"))
                .isEqualTo("not_interested");
        assertThat(classify("Got it.\n\n> Would you be interested in a call? Let's talk! Reply unsubscribe to opt out.")).isEqualTo("neutral");
        assertThat(classify("Received.\n\n--\nAnna\nInterested in our newsletter? Unsubscribe any time.")).isEqualTo("neutral");
        assertThat(ReplyClassifier.classify("Re: x", "Not interested.\n\n> let's talk", Map.of(), TODAY).signals())
                .contains("quoted-lines-stripped");
    }

    @Test
    void htmlBodiesAreReadWithoutTheirQuotedPart() {
        String html = "<div dir=\"ltr\">Yes, let's talk on Tuesday.<br></div><br><div class=\"gmail_quote\">On Mon, Sam wrote:"
                + "<blockquote>Not interested? Reply unsubscribe.</blockquote></div>";
        Result r = ReplyClassifier.classify("Re: x", html, Map.of(), TODAY);
        assertThat(r.intent()).isEqualTo("interested");
        assertThat(r.signals()).contains("html-converted");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Auto-reply headers and bounces
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void rfc3834HeadersMakeAnOutOfOfficeReply() {
        String text = "Thanks for your message, we will get back to you shortly.";
        assertThat(ReplyClassifier.classify("Re: Quick question", text, Map.of("Auto-Submitted", "auto-replied"), TODAY).intent())
                .isEqualTo("out_of_office");
        assertThat(ReplyClassifier.classify("Re: Quick question", text, Map.of("auto-submitted", "Auto-Generated"), TODAY).intent())
                .as("header names are case-insensitive").isEqualTo("out_of_office");
        assertThat(ReplyClassifier.classify("Re: Quick question", text, Map.of("X-Autoreply", "yes"), TODAY).intent()).isEqualTo("out_of_office");
        assertThat(ReplyClassifier.classify("Re: Quick question", text, Map.of("X-Autorespond", "Vacation"), TODAY).intent()).isEqualTo("out_of_office");
        assertThat(ReplyClassifier.classify("Re: Quick question", text, Map.of("Precedence", "auto_reply"), TODAY).intent()).isEqualTo("out_of_office");
        Result withDate = ReplyClassifier.classify("Automatic reply: Quick question", "I'm away until March 12.",
                Map.of("Auto-Submitted", "auto-replied"), TODAY);
        assertThat(withDate.intent()).isEqualTo("out_of_office");
        assertThat(withDate.returnDate()).isEqualTo(LocalDate.of(2025, 3, 12));
        assertThat(withDate.confidence()).isGreaterThanOrEqualTo(0.95);
        assertThat(withDate.signals()).contains("header:auto-submitted=auto-replied");
    }

    @Test
    void headersThatAreNotAutoRepliesAreNot() {
        String text = "Sounds good, let's talk Tuesday.";
        assertThat(ReplyClassifier.classify("Re: Quick question", text, Map.of("Auto-Submitted", "no"), TODAY).intent()).isEqualTo("interested");
        assertThat(ReplyClassifier.classify("Re: Quick question", text, Map.of("Precedence", "bulk"), TODAY).intent()).isEqualTo("interested");
        // Exchange's generated-message header counts only with auto-reply words in the subject.
        assertThat(ReplyClassifier.classify("Re: Quick question", text,
                Map.of("X-MS-Exchange-Generated-Message-Source", "Mailbox Rules Agent"), TODAY).intent()).isEqualTo("interested");
        assertThat(ReplyClassifier.classify("Automatic reply: Quick question", "Thank you for your message.",
                Map.of("X-MS-Exchange-Generated-Message-Source", "Mailbox Rules Agent"), TODAY).intent()).isEqualTo("out_of_office");
        assertThat(ReplyClassifier.classify("Re: Quick question", text, null, TODAY).intent()).isEqualTo("interested");
    }

    @Test
    void deliveryReportsAreBounces() {
        Result dsn = ReplyClassifier.classify("Returned mail", "The original message was received at Tue, 4 Mar 2025.",
                Map.of("Content-Type", "multipart/report; report-type=delivery-status; boundary=\"x\"", "Auto-Submitted", "auto-replied"), TODAY);
        assertThat(dsn.intent()).isEqualTo("bounced");
        assertThat(ReplyClassifier.classify("Unzustellbar: Frage", "Die Nachricht konnte nicht zugestellt werden.", Map.of(), TODAY).intent())
                .isEqualTo("bounced");
        assertThat(ReplyClassifier.classify("Non remis : Idée", "Votre message n'a pas pu être remis.", Map.of(), TODAY).intent())
                .isEqualTo("bounced");
        assertThat(ReplyClassifier.classify("Delivery Status Notification (Delay)",
                "Delivery incomplete. There was a temporary problem delivering your message. Gmail will retry for 47 more hours.",
                Map.of("From", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"), TODAY).intent()).isNotEqualTo("bounced");
        assertThat(classify("Your email to my colleague could not be delivered, so I'm forwarding it.")).isNotEqualTo("bounced");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Return dates (today = Saturday 2025-03-01)
    // ------------------------------------------------------------------------------------------------------------

    static Stream<Arguments> returnDates() {
        return Stream.of(
                // English: month names, US numeric order, ISO, weekdays, day of month
                arguments("I am out of the office and will be back on March 12.", "2025-03-12"),
                arguments("Out of office until Monday, March 17th, 2025.", "2025-03-17"),
                arguments("I'm on vacation until 04/21/2025.", "2025-04-21"),
                arguments("I'm on vacation until 4/5.", "2025-04-05"),
                arguments("I'm on annual leave until 12/03/2025. Call +44 20 7946 0000 if urgent.", "2025-03-12"),
                arguments("Out of office until 2025-06-02.", "2025-06-02"),
                arguments("I'm out of the office, returning on 12 May.", "2025-05-12"),
                arguments("Out of office until Jan 6.", "2026-01-06"),
                arguments("I'm out of the office and back on Monday.", "2025-03-03"),
                arguments("I'm out of the office and will be back on the 3rd.", "2025-03-03"),
                arguments("I'm on parental leave and will be back in September.", "2025-09-01"),
                arguments("I'm out of office from March 3 to March 12.", "2025-03-12"),
                // German: day first, dotted dates without year, month names
                arguments("Ich bin bis zum 12.03. nicht im Büro.", "2025-03-12"),
                arguments("Ich bin bis einschließlich 14.03.2025 nicht im Büro.", "2025-03-14"),
                arguments("Ich bin vom 3. bis zum 17. März im Urlaub.", "2025-03-17"),
                arguments("Ab dem 22.04. bin ich wieder im Büro.", "2025-04-22"),
                arguments("Ich bin im Urlaub und ab Montag wieder erreichbar.", "2025-03-03"),
                arguments("Ich bin in Elternzeit bis Ende Juni.", "2025-06-30"),
                arguments("Ich bin bis zum 10. Januar im Urlaub.", "2026-01-10"),
                arguments("Ich bin abwesend bis 5.3.25.", "2025-03-05"),
                // French
                arguments("Je suis absente jusqu'au 12 mars.", "2025-03-12"),
                arguments("Je suis en congés jusqu'au 21/04/2025.", "2025-04-21"),
                arguments("Je suis en déplacement et serai de retour le lundi 2 juin.", "2025-06-02"),
                arguments("En vacances. Retour prévu le 1er août.", "2025-08-01"),
                arguments("Je suis absent et ne pourrai pas vous répondre avant le 10/09.", "2025-09-10"),
                arguments("Je suis absent du 3 au 17 mars.", "2025-03-17"),
                // Spanish
                arguments("Estoy fuera de la oficina hasta el 12 de marzo.", "2025-03-12"),
                arguments("Estoy de vacaciones hasta el 21/04/2025.", "2025-04-21"),
                arguments("Estaré de vuelta el lunes 2 de junio.", "2025-06-02"),
                arguments("Estaré ausente del 3 al 17 de marzo.", "2025-03-17"),
                arguments("No estaré en la oficina hasta el 15 de abril de 2026.", "2026-04-15"),
                arguments("Estoy de vacaciones hasta el 7 de enero.", "2026-01-07"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("returnDates")
    void parsesTheReturnDate(String text, String expected) {
        Result r = ReplyClassifier.classify("Re: Quick question", text, Map.of(), TODAY);
        assertThat(r.intent()).isEqualTo("out_of_office");
        assertThat(r.returnDate()).isEqualTo(LocalDate.parse(expected));
    }

    @Test
    void outOfOfficeWithoutADateHasNoReturnDate() {
        Result r = ReplyClassifier.classify("Automatic reply", "I am out of the office with limited access to email.", Map.of(), TODAY);
        assertThat(r.intent()).isEqualTo("out_of_office");
        assertThat(r.returnDate()).isNull();
        assertThat(ReplyClassifier.classify("Re: x", "Let's talk on March 12.", Map.of(), TODAY).returnDate())
                .as("only out-of-office replies carry a return date").isNull();
    }

    @Test
    void aDateWithoutYearIsTheNextOneNotBeforeToday() {
        LocalDate today = LocalDate.of(2025, 12, 20);
        assertThat(ReplyClassifier.classify("Re: x", "Out of office until January 5.", Map.of(), today).returnDate())
                .isEqualTo(LocalDate.of(2026, 1, 5));
        assertThat(ReplyClassifier.classify("Re: x", "Ich bin bis zum 22.12. im Urlaub.", Map.of(), today).returnDate())
                .isEqualTo(LocalDate.of(2025, 12, 22));
        assertThat(ReplyClassifier.classify("Re: x", "Je suis en congés jusqu'au 20 décembre.", Map.of(), today).returnDate())
                .isEqualTo(LocalDate.of(2025, 12, 20));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Negation, conditions, precedence, short replies
    // ------------------------------------------------------------------------------------------------------------

    static Stream<Arguments> intents() {
        return Stream.of(
                // negation
                arguments("I'm not interested.", "not_interested"),
                arguments("I'm not really interested in this.", "not_interested"),
                arguments("We would not be interested.", "not_interested"),
                arguments("Wir sind daran nicht interessiert.", "not_interested"),
                arguments("Das interessiert mich nicht.", "not_interested"),
                arguments("Wir haben leider kein Interesse.", "not_interested"),
                arguments("Je ne suis pas intéressée.", "not_interested"),
                arguments("Ça m'intéresse pas.", "not_interested"),
                arguments("No me interesa.", "not_interested"),
                arguments("La verdad, no nos interesa nada.", "not_interested"),
                arguments("No, I'm interested! Tell me more.", "interested"),
                arguments("I'm not the right person, but I'm interested personally. Call me.", "interested"),
                arguments("Please don't hesitate to call me on Tuesday.", "interested"),
                arguments("I'm not sure this is for us, but happy to chat.", "interested"),
                arguments("Not bad at all. Send me the deck.", "interested"),
                arguments("Pas mal ! Envoyez-moi la présentation.", "interested"),
                arguments("We don't have the bandwidth for a new tool.", "not_interested"),
                arguments("Dafür haben wir keine Kapazitäten.", "not_interested"),
                arguments("Ce n'est pas d'actualité pour nous.", "not_interested"),
                arguments("No lo vemos necesario.", "not_interested"),
                // conditions
                arguments("If we're interested we'll let you know.", "not_interested"),
                arguments("Why would I be interested?", "neutral"),
                arguments("Si nos interesa, te aviso.", "not_interested"),
                arguments("Sí me interesa, hablemos.", "interested"),
                // precedence: unsubscribe > not_interested > interested
                arguments("Not interested. Please remove me from your list.", "unsubscribe"),
                arguments("Sounds interesting but we already use HubSpot.", "not_interested"),
                arguments("Interessant, aber kein Bedarf. Bitte tragen Sie mich aus.", "unsubscribe"),
                arguments("C'est intéressant mais pas pour nous.", "not_interested"),
                arguments("Me interesa, pero denme de baja de esta lista y escríbanme a mi correo personal.", "unsubscribe"),
                // short replies
                arguments("Yes", "interested"),
                arguments("Yes!\n\nJohn", "interested"),
                arguments("Sure, call me Tuesday", "interested"),
                arguments("No", "not_interested"),
                arguments("No.\nThanks", "not_interested"),
                arguments("Stop", "unsubscribe"),
                arguments("STOP!!!", "unsubscribe"),
                arguments("Ja", "interested"),
                arguments("Nein", "not_interested"),
                arguments("Oui", "interested"),
                arguments("Non", "not_interested"),
                arguments("Sí", "interested"),
                arguments("Baja", "unsubscribe"),
                arguments("\uD83D\uDC4D", "interested"),
                // neutral
                arguments("Who are you?", "neutral"),
                arguments("Forwarding to my colleague who handles this.", "neutral"),
                arguments("What is this regarding?", "neutral"),
                arguments("", "neutral"),
                arguments("Thanks.", "neutral"));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("intents")
    void classifies(String text, String expected) {
        assertThat(classify(text)).isEqualTo(expected);
    }

    @Test
    void negatedAndConditionalInterestIsExplainedInTheSignals() {
        assertThat(ReplyClassifier.classify("Re: x", "I'm not really interested.", Map.of(), TODAY).signals())
                .anyMatch(s -> s.startsWith("negated"));
        assertThat(ReplyClassifier.classify("Automatic reply", "I'm out of the office. If you are interested in our products, write to sales@x.com.",
                Map.of(), TODAY).signals()).anyMatch(s -> s.startsWith("conditional"));
    }

    @Test
    void outOfOfficeWordingDoesNotOverrideAClearHumanAnswer() {
        assertThat(classify("I'm on vacation until Monday, but yes, I'm interested - let's talk when I'm back.")).isEqualTo("interested");
        assertThat(classify("Thank you for your email. I am currently out of the office with limited access to email. "
                + "If you're interested in our services, please contact sales@acme.com.")).isEqualTo("out_of_office");
    }

    @Test
    void anEmptyBodyWithAnUnsubscribeSubjectIsAnUnsubscribe() {
        assertThat(ReplyClassifier.classify("Unsubscribe", "", Map.of(), TODAY).intent()).isEqualTo("unsubscribe");
        assertThat(ReplyClassifier.classify("Re: Unsubscribe from newsletters?", "Yes, tell me more", Map.of(), TODAY).intent())
                .as("our own subject words are not the sender's").isEqualTo("interested");
    }

    @Test
    void confidenceGrowsWithTheSignal() {
        double weak = ReplyClassifier.classify("Re: x", "Interesting.", Map.of(), TODAY).confidence();
        double strong = ReplyClassifier.classify("Re: x", "Very interested, let's talk. Book a call here: https://calendly.com/x", Map.of(), TODAY)
                .confidence();
        assertThat(strong).isGreaterThan(weak).isLessThanOrEqualTo(0.99);
        assertThat(weak).isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void eMailWithAHyphenReadsLikeEmail() {
        // every word of a phrase must be in the text before its pattern runs; "email" is matched as "e-mail" too
        assertThat(classify("Do not e-mail me again.")).isEqualTo("unsubscribe");
        assertThat(classify("Please stop e-mailing me.")).isEqualTo("unsubscribe");
        assertThat(classify("Do not email me again.")).isEqualTo("unsubscribe");
    }

    static String classify(String text) {
        return ReplyClassifier.classify("Re: Quick question", text, Map.of(), TODAY).intent();
    }
}

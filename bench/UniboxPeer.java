// The helper of `bench unibox`, in two modes, compiled by bench/unibox.sh against the mail jars taken
// from the server's jar (Angus Mail / jakarta.mail):
//
//   java -cp <angus-mail, jakarta.mail-api, activation> UniboxPeer load --port <smtp port> \
//     --mailboxes mailboxes.txt --messages 1000 --reply-percent 30 --threads 8 --seed <n>
//   java -cp ... UniboxPeer read --port <imap port> --mailboxes mailboxes.txt --concurrency 8 --batch 100 \
//     --expect 1000 --warmup 1
//
// mailboxes.txt: one address per line.
//
// load: the loader (not rated). Delivers --messages messages to each mailbox over SMTP without AUTH
// (the built-in server accepts mail for any address and creates the recipient's account on arrival,
// login = password = the address), over kept-open transports, --threads at once. Each thread takes
// whole mailboxes and sends a mailbox's messages in order, so a reply always arrives (gets a higher
// UID) after the message it answers. Exactly --reply-percent % of each mailbox's messages (never the
// first) are replies to an earlier message of the same mailbox, mostly a recent one: "Re: <subject>",
// In-Reply-To = that message's Message-ID, References = its References + its Message-ID (the last 20),
// from the same person or a colleague, with the earlier message quoted. The others start a thread.
// Every message is multipart/alternative (text and HTML, ~2-4 KB in all), with varied senders
// (256 people at 16 companies), subjects and paragraphs, and a Date in the past in send order.
// Deterministic for a given --seed. Prints on stdout:
//   load: messages=<n> replies=<n> threads_expected=<n> seconds=<s> rate=<msg/s> avg_bytes=<bytes> failed=<n>
//
// read: the peer of `bench unibox` ingest. A bare IMAP loop: --concurrency threads each take a
// mailbox, log in (login = password = the address), open INBOX read-only, and fetch every message
// in batches of --batch with a FetchProfile of UID + IMAPFolder.FetchProfileItem.MESSAGE (the whole
// message in the FETCH), then read each message's bytes (writeTo into a counting stream) and the
// UID, storing nothing. The same session properties as the server's sync (timeouts, fetchsize).
// Timed: from the first login to the last logout. Before that, untimed, the mailboxes listed in
// --warmup-mailboxes (or, without it, the first --warmup of the list) are read the same way once
// (this JVM's JIT). Each mailbox must hold --expect messages. Prints:
//   peer: mailboxes=<n> messages=<n> seconds=<s> rate=<msg/s> avg_bytes=<bytes> failed=<n>
//
// Progress goes to stderr. Exit code 0 when every message was sent / read as expected, else 1.

import jakarta.mail.FetchProfile;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.angus.mail.imap.IMAPFolder;

public class UniboxPeer {

    public static void main(String[] args) throws Exception {
        if (args.length < 1) throw new IllegalArgumentException("usage: UniboxPeer load|read --name value ...");
        Map<String, String> a = parse(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "load" -> System.exit(load(a));
            case "read" -> System.exit(read(a));
            default -> throw new IllegalArgumentException("mode must be load or read, got " + args[0]);
        }
    }

    // =============================================================================================
    // load: SMTP delivery of the test mail
    // =============================================================================================

    static final String[] FIRST = {"Ada", "Grace", "Alan", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances", "John", "Radia",
        "Tim", "Sophie", "Edsger", "Hedy", "Donald"};
    static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Torvalds", "Liskov", "Thompson", "Hamilton", "Ritchie", "Allen",
        "Backus", "Perlman", "Lee", "Wilson", "Dijkstra", "Lamarr", "Knuth"};
    static final String[] COMPANY = {"Northwind", "Contoso", "Initech", "Globex", "Umbrella", "Hooli", "Vandelay", "Soylent", "Tyrell",
        "Cyberdyne", "Wonka", "Stark", "Wayne", "Acme", "Oscorp", "Piedpiper"};
    /** {company}: the sender's company, {n}: a number. */
    static final String[] SUBJECTS = {
        "Question about your pricing for {company}", "Partnership idea: {company} x your team", "Following up on our call last week",
        "Invoice {n} for {company}", "Can we move Thursday's meeting?", "Intro: {company} and your outbound team",
        "Your proposal for {company}", "Quick question about onboarding", "Security review questionnaire ({company})",
        "Renewal of the {company} contract", "Feedback on the trial at {company}", "Meeting notes and next steps",
        "Re-scheduling the demo for {company}", "Budget approval for Q{n}", "Hiring update from {company}", "Out of office until Monday"};
    static final String[] OPENERS = {"Hi", "Hello", "Hey", "Good morning", "Dear"};
    static final String[] PARAGRAPHS = {
        "Thanks for getting back to me so quickly. I shared your note with the rest of the team this morning and we agreed that "
            + "the timing is right to look at this more closely before the end of the quarter, when our budgets are set for next year.",
        "To give you some context: we are a team of about forty people in sales and customer success, spread across three offices. "
            + "Most of our pipeline still comes from referrals, but we want outbound to carry a larger share of it over the next year.",
        "Could you send over a short overview of how the pricing works for a team of our size? In particular I would like to "
            + "understand what happens when we add mailboxes in the middle of a billing period, and whether annual plans are discounted.",
        "We had a look at the trial account yesterday. The setup was straightforward and the first campaign went out without "
            + "problems. A few of my colleagues asked whether replies from all mailboxes can be read in one place, which matters a lot to us.",
        "I am out of the office from Wednesday to Friday with limited access to email. For anything urgent please contact my colleague, "
            + "who is covering for me this week and knows the details of the project and the open questions on the contract.",
        "Our security team will need to review a few documents before we can sign anything: the data processing agreement, the "
            + "list of sub-processors and a description of how credentials for connected mailboxes are stored and encrypted at rest.",
        "I do not think this is a fit for us right now. We signed a two-year agreement with another vendor in the spring and are "
            + "not in a position to change tools before it runs out. Please feel free to reach out again next year.",
        "Would Tuesday at 10:00 or Thursday at 15:00 work for a thirty-minute call? I would like to bring our head of sales "
            + "operations, who owns the tooling decisions, and one of the account executives who would use the product every day.",
        "Attached you will find the notes from our last meeting. The main open points are the migration of the existing contact "
            + "lists, the reporting our managers expect every Monday, and who on our side will be the main point of contact.",
        "One more thing: several of our prospects are in Germany and France, so sending windows in the recipient's time zone are "
            + "important, and we need to make sure that unsubscribe requests are honoured across every campaign immediately.",
        "Please remove me from your list. I have received several emails about this already and we are not interested. If this "
            + "message was sent to me by mistake, I would appreciate it if you could check how my address got onto your list.",
        "Great to hear from you again. The numbers you shared look promising, and I would be interested to see how they hold up "
            + "with a larger volume. Could you share one or two references from companies of a similar size in our industry?",
        "I have forwarded your email to our procurement team, who handle all new vendor relationships. They will be in touch "
            + "within the next two weeks; in the meantime, please send any further questions to the shared purchasing address.",
        "Our current process is quite manual: each account executive writes their own sequences, keeps their own spreadsheet, "
            + "and we have no reliable way of telling which messages actually start conversations and which ones are ignored.",
        "Thanks again for the demo on Monday. The team liked the unified inbox and the way replies are classified automatically. "
            + "The main concern that came up was deliverability once we ramp up to several thousand emails a day across domains.",
        "We would like to start with a pilot of two months for one team before rolling it out to everyone. Is that something you "
            + "offer, and if so, what would the commercial terms look like, and which success criteria would you suggest we agree on?"};
    static final String[] CLOSINGS = {"Best regards", "Kind regards", "Thanks", "Cheers", "All the best", "Many thanks"};
    static final String[] TITLES = {"Head of Sales", "VP Revenue", "Sales Operations Manager", "Account Executive", "COO",
        "Procurement Lead", "Customer Success Lead", "Founder"};
    static final DateTimeFormatter QUOTE_DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy 'at' HH:mm", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    /** What a later reply needs to know of an earlier message. */
    record Sent(String messageId, List<String> references, String subject, int person, String firstParagraph, long epochSecond) {}

    static int load(Map<String, String> a) throws Exception {
        String host = a.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(required(a, "port"));
        List<String> mailboxes = readLines(required(a, "mailboxes"));
        int perMailbox = Integer.parseInt(required(a, "messages"));
        int replyPercent = Integer.parseInt(a.getOrDefault("reply-percent", "30"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "8"));
        long seed = Long.parseLong(a.getOrDefault("seed", "1"));
        if (mailboxes.isEmpty() || perMailbox < 1 || replyPercent < 0 || replyPercent > 90) {
            throw new IllegalArgumentException("need mailboxes, --messages >= 1 and --reply-percent 0..90");
        }
        int repliesPerMailbox = Math.min(perMailbox - 1, (int) Math.round(perMailbox * replyPercent / 100.0));

        Properties p = new Properties();
        p.put("mail.smtp.host", host);
        p.put("mail.smtp.port", Integer.toString(port));
        p.put("mail.smtp.auth", "false");
        p.put("mail.smtp.connectiontimeout", "15000");
        p.put("mail.smtp.timeout", "60000");
        p.put("mail.smtp.quitwait", "false");
        p.put("mail.smtp.allow8bitmime", "false");
        p.put("mail.smtp.localhost", "loader.o2d-bench.test");
        Session session = Session.getInstance(p);
        // Jakarta Mail 2.1 looks its StreamProvider up through ServiceLoader for every body part it
        // creates; naming the provider skips that scan (the loader is not what is measured).
        System.setProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");

        AtomicInteger nextMailbox = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        var errors = new ConcurrentLinkedQueue<String>();
        long baseEpoch = Instant.now().getEpochSecond() - 60L * 5 * perMailbox - 3600; // message j at base + 5 min * j
        long t0 = System.nanoTime();
        var workers = new ArrayList<Thread>();
        for (int w = 0; w < threads; w++) {
            workers.add(Thread.ofPlatform().name("load-" + w).start(() -> {
                Transport transport = null;
                try {
                    transport = session.getTransport("smtp");
                    transport.connect();
                    int mb;
                    while ((mb = nextMailbox.getAndIncrement()) < mailboxes.size()) {
                        String to = mailboxes.get(mb);
                        boolean[] reply = chooseReplies(perMailbox, repliesPerMailbox, new SplittableRandom(seed * 7919 + mb));
                        SplittableRandom rnd = new SplittableRandom(seed * 104729 + mb * 31L + 17);
                        var history = new ArrayList<Sent>(perMailbox);
                        for (int j = 0; j < perMailbox; j++) {
                            MimeMessage msg = build(session, to, mb, j, reply[j], history, rnd, baseEpoch + 300L * j + mb);
                            int size = (int) size(msg);
                            try {
                                if (!transport.isConnected()) transport.connect();
                                transport.sendMessage(msg, new InternetAddress[] {new InternetAddress(to)});
                                sent.incrementAndGet();
                                bytes.addAndGet(size);
                            } catch (MessagingException e) {
                                failed.incrementAndGet();
                                errors.add(to + " #" + j + ": " + e);
                            }
                        }
                        int done = finished.incrementAndGet();
                        if (done % 10 == 0 || done == mailboxes.size()) {
                            log("load: %d of %d mailboxes done, %d messages sent", done, mailboxes.size(), sent.get());
                        }
                    }
                } catch (Exception | Error e) {
                    failed.incrementAndGet();
                    errors.add(e.toString());
                } finally {
                    if (transport != null) {
                        try {
                            transport.close();
                        } catch (MessagingException ignored) {
                            // closing only
                        }
                    }
                }
            }));
        }
        for (Thread t : workers) t.join();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!errors.isEmpty()) log("first failure: %s", errors.peek());
        int total = mailboxes.size() * perMailbox;
        int replies = mailboxes.size() * repliesPerMailbox;
        System.out.printf("load: messages=%d replies=%d threads_expected=%d seconds=%.3f rate=%.1f avg_bytes=%d failed=%d%n", sent.get(),
                replies, total - replies, seconds, sent.get() / seconds, sent.get() == 0 ? 0 : bytes.get() / sent.get(), failed.get());
        return failed.get() == 0 && sent.get() == total ? 0 : 1;
    }

    /** Exactly {@code replies} of the messages 1..n-1 are replies (never the first one). */
    static boolean[] chooseReplies(int n, int replies, SplittableRandom rnd) {
        int[] idx = new int[n - 1];
        for (int i = 0; i < idx.length; i++) idx[i] = i + 1;
        for (int i = idx.length - 1; i > 0; i--) {
            int k = rnd.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[k];
            idx[k] = t;
        }
        boolean[] out = new boolean[n];
        for (int i = 0; i < replies; i++) out[idx[i]] = true;
        return out;
    }

    static MimeMessage build(Session session, String to, int mb, int j, boolean isReply, List<Sent> history, SplittableRandom rnd,
            long epochSecond) throws MessagingException, IOException {
        String toDomain = to.substring(to.indexOf('@') + 1);
        String toLocal = to.substring(0, to.indexOf('@'));
        Sent parent = null;
        int person;
        String subject;
        if (isReply) {
            // mostly a recent message of the mailbox: replies come soon after
            int back = 1 + rnd.nextInt(Math.min(j, rnd.nextInt(4) == 0 ? j : 40));
            parent = history.get(j - back);
            // the same person follows up, or a colleague at the same company answers
            person = rnd.nextInt(5) == 0 ? (parent.person() & ~15) | rnd.nextInt(16) : parent.person();
            subject = "Re: " + parent.subject();
        } else {
            person = rnd.nextInt(256);
            String s = SUBJECTS[rnd.nextInt(SUBJECTS.length)];
            subject = s.replace("{company}", COMPANY[person >> 4])
                    .replace("{n}", Integer.toString(s.startsWith("Budget") ? 1 + rnd.nextInt(4) : 10000 + rnd.nextInt(90000)));
        }
        String first = FIRST[person & 15];
        String last = LAST[(person * 7 + (person >> 4)) & 15];
        String company = COMPANY[person >> 4];
        String from = first.toLowerCase(Locale.ROOT) + "." + last.toLowerCase(Locale.ROOT) + "@" + company.toLowerCase(Locale.ROOT)
                + ".example-mail.test";
        String messageId = "<u" + mb + "." + j + "." + Long.toHexString(epochSecond) + "@" + company.toLowerCase(Locale.ROOT)
                + ".example-mail.test>";

        // body: a greeting, 2-4 paragraphs, a closing and a signature; a reply quotes what it answers
        var paragraphs = new ArrayList<String>();
        int n = 2 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) paragraphs.add(PARAGRAPHS[rnd.nextInt(PARAGRAPHS.length)]);
        String greeting = OPENERS[rnd.nextInt(OPENERS.length)] + " " + capitalize(toLocal.replaceAll("[^A-Za-z]", "")) + ",";
        String closing = CLOSINGS[rnd.nextInt(CLOSINGS.length)] + ",";
        String title = TITLES[rnd.nextInt(TITLES.length)];
        var text = new StringBuilder(2048).append(greeting).append("\n\n");
        var html = new StringBuilder(3072).append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>")
                .append("<div style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222222\"><p>")
                .append(escape(greeting)).append("</p>");
        for (String para : paragraphs) {
            text.append(para).append("\n\n");
            html.append("<p style=\"margin:0 0 12px 0\">").append(escape(para)).append("</p>");
        }
        text.append(closing).append("\n").append(first).append(" ").append(last).append("\n").append(title).append(", ").append(company)
                .append("\n");
        html.append("<p>").append(escape(closing)).append("<br>").append(escape(first + " " + last)).append("<br>")
                .append("<span style=\"color:#777777\">").append(escape(title + ", " + company)).append("</span></p></div>");
        if (parent != null) {
            String who = FIRST[parent.person() & 15] + " " + LAST[(parent.person() * 7 + (parent.person() >> 4)) & 15];
            String when = QUOTE_DATE.format(Instant.ofEpochSecond(parent.epochSecond()));
            text.append("\nOn ").append(when).append(", ").append(who).append(" wrote:\n> ").append(parent.firstParagraph()).append("\n");
            html.append("<div class=\"gmail_quote\"><div>On ").append(escape(when)).append(", ").append(escape(who))
                    .append(" wrote:</div><blockquote style=\"margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex\"><p>")
                    .append(escape(parent.firstParagraph())).append("</p></blockquote></div>");
        }
        html.append("</body></html>");

        MimeMessage msg = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        msg.setFrom(new InternetAddress(from, first + " " + last, "UTF-8"));
        msg.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        msg.setSubject(subject, "UTF-8");
        msg.setSentDate(new Date(epochSecond * 1000));
        List<String> refs = List.of();
        if (parent != null) {
            var r = new ArrayList<>(parent.references());
            r.add(parent.messageId());
            refs = r.size() > 20 ? List.copyOf(r.subList(r.size() - 20, r.size())) : List.copyOf(r);
            msg.setHeader("In-Reply-To", parent.messageId());
            msg.setHeader("References", String.join(" ", refs));
        }
        msg.setHeader("X-Mailer", rnd.nextBoolean() ? "Microsoft Outlook 16.0" : "Apple Mail (2.3774)");
        MimeBodyPart textPart = new MimeBodyPart();
        textPart.setText(crlf(text.toString()), "UTF-8", "plain");
        MimeBodyPart htmlPart = new MimeBodyPart();
        htmlPart.setText(crlf(html.toString()), "UTF-8", "html");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(textPart);
        alternative.addBodyPart(htmlPart);
        msg.setContent(alternative);
        msg.saveChanges();
        history.add(new Sent(messageId, refs, parent != null ? parent.subject() : subject, person, paragraphs.getFirst(), epochSecond));
        return msg;
    }

    static String capitalize(String s) {
        return s.isEmpty() ? "there" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static String escape(String v) {
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String crlf(String s) {
        return s.replace("\r\n", "\n").replace("\n", "\r\n");
    }

    static long size(MimeMessage m) throws IOException, MessagingException {
        var counter = new Counter();
        m.writeTo(counter);
        return counter.n;
    }

    // =============================================================================================
    // read: the bare IMAP loop (the peer)
    // =============================================================================================

    record Outcome(int messages, long bytes, String error) {}

    static int read(Map<String, String> a) throws Exception {
        String host = a.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(required(a, "port"));
        List<String> mailboxes = readLines(required(a, "mailboxes"));
        int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "8"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "100"));
        int expect = Integer.parseInt(a.getOrDefault("expect", "-1"));
        // warm-up: the mailboxes of --warmup-mailboxes (not timed, not in the list), else the first --warmup of the list
        List<String> warmups = a.containsKey("warmup-mailboxes") ? readLines(a.get("warmup-mailboxes"))
                : mailboxes.subList(0, Math.min(Integer.parseInt(a.getOrDefault("warmup", "1")), mailboxes.size()));
        int warmup = warmups.size();

        // the same session settings as the server's sync (MailSync.properties)
        Properties p = new Properties();
        p.put("mail.imap.connectiontimeout", "15000");
        p.put("mail.imap.timeout", "60000");
        p.put("mail.imap.fetchsize", "1048576");
        Session session = Session.getInstance(p);

        if (warmup > 0) {
            long w0 = System.nanoTime();
            int n = 0;
            for (int i = 0; i < warmup; i++) {
                Outcome o = readMailbox(session, host, port, warmups.get(i), batch);
                if (o.error() != null) {
                    log("warm-up: %s: %s", warmups.get(i), o.error());
                    return 1;
                }
                n += o.messages();
            }
            log("warm-up: read %d messages of %d mailbox(es) in %.2fs (untimed)", n, warmup, (System.nanoTime() - w0) / 1e9);
        }

        AtomicInteger next = new AtomicInteger();
        AtomicInteger messages = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        var errors = new ConcurrentLinkedQueue<String>();
        long t0 = System.nanoTime();
        var workers = new ArrayList<Thread>();
        for (int w = 0; w < concurrency; w++) {
            workers.add(Thread.ofPlatform().name("read-" + w).start(() -> {
                int mb;
                while ((mb = next.getAndIncrement()) < mailboxes.size()) {
                    String address = mailboxes.get(mb);
                    Outcome o = readMailbox(session, host, port, address, batch);
                    messages.addAndGet(o.messages());
                    bytes.addAndGet(o.bytes());
                    if (o.error() != null) {
                        failed.incrementAndGet();
                        errors.add(address + ": " + o.error());
                    } else if (expect >= 0 && o.messages() != expect) {
                        failed.incrementAndGet();
                        errors.add(address + ": INBOX holds " + o.messages() + " messages, expected " + expect);
                    }
                }
            }));
        }
        for (Thread t : workers) t.join();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!errors.isEmpty()) log("%d mailbox(es) failed, the first: %s", errors.size(), errors.peek());
        System.out.printf("peer: mailboxes=%d messages=%d seconds=%.3f rate=%.1f avg_bytes=%d failed=%d%n", mailboxes.size(),
                messages.get(), seconds, messages.get() / seconds, messages.get() == 0 ? 0 : bytes.get() / messages.get(), failed.get());
        return failed.get() == 0 ? 0 : 1;
    }

    /** Logs in, reads every message of INBOX (UID + the whole message), logs out. */
    static Outcome readMailbox(Session session, String host, int port, String address, int batch) {
        int n = 0;
        long bytes = 0;
        var counter = new Counter();
        try (Store store = session.getStore("imap")) {
            store.connect(host, port, address, address);
            Folder folder = store.getFolder("INBOX");
            folder.open(Folder.READ_ONLY);
            try {
                UIDFolder uids = (UIDFolder) folder;
                Message[] all = folder.getMessages();
                for (int i = 0; i < all.length; i += batch) {
                    Message[] part = Arrays.copyOfRange(all, i, Math.min(all.length, i + batch));
                    FetchProfile fp = new FetchProfile();
                    fp.add(UIDFolder.FetchProfileItem.UID);
                    fp.add(IMAPFolder.FetchProfileItem.MESSAGE);
                    folder.fetch(part, fp);
                    for (Message m : part) {
                        if (uids.getUID(m) <= 0) throw new MessagingException("no UID for message " + m.getMessageNumber());
                        counter.n = 0;
                        m.writeTo(counter);
                        bytes += counter.n;
                        n++;
                    }
                }
            } finally {
                if (folder.isOpen()) folder.close(false);
            }
        } catch (MessagingException | IOException | RuntimeException e) {
            return new Outcome(n, bytes, e.toString());
        }
        return new Outcome(n, bytes, null);
    }

    // ---- plumbing ----

    /** Counts what is written, keeps nothing. */
    static final class Counter extends OutputStream {
        long n;

        @Override
        public void write(int b) {
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            n += len;
        }
    }

    static List<String> readLines(String path) throws IOException {
        return Files.readAllLines(Path.of(path), StandardCharsets.UTF_8).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("usage: --name value ...");
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

    static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) throw new IllegalArgumentException("--" + name + " is required");
        return v;
    }

    static void log(String format, Object... args) {
        System.err.printf("[unibox-peer] " + format + "%n", args);
    }
}

package dev.outreach2day.warmup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The text of warmup mail: short, ordinary notes between colleagues and partners (scheduling,
 * follow-ups on documents, thanks after a meeting, questions about a project, shared notes, small
 * talk, events, review requests) that mailboxes of the warmup network send each other. Nothing
 * in them looks like a campaign: no links, no sales words, no amounts, no capitals or
 * exclamation marks for emphasis.
 *
 * <p>A message's topic, subject and opening sentence come from its <em>combination</em>: one
 * (topic, phrasing of subject and opening sentence, two details) of the {@value #COMBINATIONS} possible, picked for message
 * {@code n} by a seeded permutation of the combinations, so a sender's messages of one day never
 * repeat a subject (for {@code n} below {@value #COMBINATIONS}). Nor a body: its first sentence
 * that is not small talk is the combination's own opening sentence, and as no detail contains a
 * full stop or question mark, that sentence can be read back from the body. Greeting, small talk,
 * further sentences of the topic, closing and sign-off are drawn from a generator seeded by
 * {@code (seed, n)}; no counter or token is added to the text.
 */
final class WarmupCorpus {

    private WarmupCorpus() {}

    /** A warmup email: plain text and the same content as simple HTML ({@code <p>} paragraphs, {@code <br>} line breaks, HTML-escaped). */
    record Message(String subject, String text, String html) {}

    /** Subject pattern and the body's opening sentence about the same thing; {a} and {b} are the topic's details, {A} is {a} capitalised. */
    private record Phrasing(String subject, String lead) {}

    /** A topic: its subject patterns, the two detail lists that fill them, and further body sentences that fit it. */
    private record Topic(List<Phrasing> phrasings, List<String> a, List<String> b, List<String> sentences) {
        int size() {
            return phrasings.size() * a.size() * b.size();
        }
    }

    /** A filled phrasing: subject and the body's opening sentence. */
    private record Combination(Topic topic, String subject, String lead) {}

    private record Greeting(String withName, String withoutName) {}

    private static final List<String> DAYS = List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Monday morning",
            "Tuesday afternoon", "Wednesday morning", "Thursday afternoon", "Friday morning");

    private static final List<String> PROJECTS = List.of("website refresh", "onboarding", "spring workshop", "supplier review",
            "office move", "training program", "customer survey", "annual planning", "newsletter", "hiring round", "product launch",
            "support handbook", "brand refresh", "partner program", "warehouse upgrade", "team offsite", "data migration",
            "quarterly review", "sustainability report", "volunteer day");

    // Slot values never contain '.', '?' or '!': a body's opening sentence ends at its first one, which keeps bodies distinct.
    private static final List<Topic> TOPICS = List.of(
            // scheduling
            new Topic(phrasings(
                    "Moving our {a} to {b}", "Would it be possible to move our {a} to {b}?",
                    "Can we do the {a} on {b}?", "I was wondering if we could hold the {a} on {b} instead.",
                    "{A} on {b}?", "Are we still on for the {a} on {b}?",
                    "Rescheduling the {a} to {b}", "Something came up, so I would like to move the {a} to {b} if that suits you.",
                    "Does {b} work for the {a}?", "I am trying to find a slot for the {a}, and {b} looks open for most of us.",
                    "Quick check about the {a} on {b}", "Just checking that the {a} on {b} is still in your calendar.",
                    "Setting up the {a} for {b}", "I would like to set up the {a} for {b} and wanted to check your availability first.",
                    "Pushing the {a} to {b}", "Would you mind if we pushed the {a} to {b}?",
                    "Short {a} on {b}?", "Could we fit in a short {a} on {b}?",
                    "Agenda for the {a} on {b}", "I am drafting a short agenda for the {a} on {b}."),
                    List.of("weekly sync", "project check-in", "planning session", "catch-up call", "design review", "budget review",
                            "kickoff meeting", "coffee chat", "team lunch", "one-to-one", "retrospective", "status call",
                            "onboarding session", "roadmap review"),
                    DAYS,
                    List.of("I can keep it to half an hour so it does not eat into the rest of the day.",
                            "If that clashes with anything on your side, just suggest another time.",
                            "I will send an updated invite once we have agreed on a slot.",
                            "The main thing I want to cover is who picks up the open items from last time.",
                            "We could also do it over a video call if that is easier for you.",
                            "I have a hard stop at four, so an earlier start would suit me better.",
                            "It would be good to have someone from the design team join for the first part.",
                            "My calendar is fairly open that day, so any time after ten should work.",
                            "I can book the small meeting room on the second floor if we meet in person.",
                            "There is no need to prepare anything beyond a quick look at the shared notes.",
                            "Happy to keep the usual time if moving it causes trouble for others.",
                            "I will bring the updated figures so we can go through them together.")),
            // thanks after a meeting
            new Topic(phrasings(
                    "Thanks for the {a} on {b}", "Thanks again for the {a} on {b}, it was really helpful.",
                    "Following up on our {a} on {b}", "I wanted to follow up on a couple of points from our {a} on {b}.",
                    "Great {a} on {b}", "I really enjoyed our {a} on {b}.",
                    "After our {a} on {b}", "After our {a} on {b} I took some time to go through my notes.",
                    "Thoughts after the {a} on {b}", "I had a few more thoughts after the {a} on {b}.",
                    "Appreciated the {a} on {b}", "I appreciated you making time for the {a} on {b}.",
                    "Recap of our {a} on {b}", "Here is a short recap of what we agreed during the {a} on {b}.",
                    "Next steps from the {a} on {b}", "I have written down the next steps we talked about during the {a} on {b}.",
                    "Thanks for hosting the {a} on {b}", "Thank you for hosting the {a} on {b}, everything ran smoothly.",
                    "Good {a} on {b}, thank you", "That was a good {a} on {b}, thank you for setting it up."),
                    List.of("call", "meeting", "workshop", "lunch", "walkthrough", "coffee", "chat", "session", "site visit",
                            "review meeting", "introduction call", "office tour"),
                    DAYS,
                    List.of("It was useful to hear how your team handles the handover between departments.",
                            "I have already shared the main points with my colleagues.",
                            "Your idea about splitting the work into two phases makes a lot of sense to me.",
                            "I will put together a short summary and send it round by the end of the week.",
                            "Let me know if I missed anything important in my notes.",
                            "It was also nice to finally put a face to the name.",
                            "I think we covered more ground than I expected in the time we had.",
                            "The examples you showed were very clear and gave me a few ideas.",
                            "I will follow up with the contact details you asked for.",
                            "We should do this more often, maybe once a quarter.",
                            "I passed your question about the timeline on to our project lead.")),
            // follow-ups on documents
            new Topic(phrasings(
                    "Following up on the {a} {b}", "I wanted to follow up on the {a} {b} I shared last week.",
                    "Comments on the {a} {b}", "I went through the {a} {b} and left a few comments in the margins.",
                    "Updated {a} {b}", "I have updated the {a} {b} with the changes we talked about.",
                    "New version of the {a} {b}", "The new version of the {a} {b} is in the shared folder now.",
                    "Any thoughts on the {a} {b}?", "I was curious whether you had any thoughts on the {a} {b}.",
                    "Small changes to the {a} {b}", "I made a few small changes to the {a} {b} this morning.",
                    "The {a} {b} is ready", "The {a} {b} is ready for you to look at whenever you have a moment.",
                    "Where to find the {a} {b}", "Someone asked where to find the {a} {b}, so I moved it to the team folder.",
                    "Final check on the {a} {b}", "Before I send the {a} {b} round, could you give it a final check?",
                    "Two open points in the {a} {b}", "There are two open points left in the {a} {b} that I could use your help with."),
                    PROJECTS,
                    List.of("plan", "draft", "timeline", "checklist", "summary", "agenda", "outline", "slides", "schedule", "brief",
                            "task list", "overview"),
                    List.of("Most of the changes are in the second half, the rest is just wording.",
                            "I kept the structure the same so it should be easy to compare with the old version.",
                            "If something looks off, just add a comment and I will pick it up.",
                            "I am not fully sure about the order of the sections, so your view would help.",
                            "There is no rush, any time before the end of next week is fine.",
                            "I also added a short section on who owns which part.",
                            "The figures in the middle section still need a second look.",
                            "I have tried to keep it to two pages so people actually read it.",
                            "Once you are happy with it, I will share it with the rest of the team.",
                            "I removed the older notes at the bottom since they no longer apply.",
                            "The dates are still rough and will probably shift a little.")),
            // questions about a project
            new Topic(phrasings(
                    "Quick question about the {a} {b}", "I had a quick question about the {a} {b}.",
                    "Where are we on the {a} {b}?", "Could you give me a short update on where we are with the {a} {b}?",
                    "Thoughts on the {a} {b}?", "I have been thinking about the {a} {b} and wanted your view.",
                    "Checking in on the {a} {b}", "I wanted to check in on the {a} {b} before the next team meeting.",
                    "Who owns the {a} {b}?", "I was not sure who looks after the {a} {b} at the moment.",
                    "Can we talk about the {a} {b}?", "Could we find ten minutes to talk about the {a} {b}?",
                    "Change to the {a} {b}", "It looks like there may be a change to the {a} {b}, and I wanted to check with you first.",
                    "Team question on the {a} {b}", "A couple of people on the team asked me about the {a} {b}.",
                    "Clarifying the {a} {b}", "I would like to clarify the {a} {b} so we are all working from the same picture.",
                    "Help with the {a} {b}?", "Would you have time this week to help me with the {a} {b}?"),
                    PROJECTS,
                    List.of("next steps", "priorities", "scope", "handover", "dependencies", "deadlines", "budget", "timing",
                            "staffing", "open items"),
                    List.of("From what I understand, the main question is whether we can start before the summer.",
                            "I do not need a full answer, just a rough sense of direction.",
                            "If you are not the right person for this, could you point me to who is?",
                            "We touched on it briefly last month, but I do not think we settled it.",
                            "I want to make sure we are not doubling up on work with the other team.",
                            "A short reply is fine, or we can discuss it at the next check-in.",
                            "I have a couple of options in mind but would rather hear your view first.",
                            "It is not blocking anything yet, but it will be in a couple of weeks.",
                            "I will write up whatever we decide so it is easy to find later.",
                            "The rest of the project is moving along nicely, so this is the last open piece.")),
            // sharing notes
            new Topic(phrasings(
                    "Notes from the {a} on {b}", "Here are my notes from the {a} on {b}, cleaned up a little.",
                    "Shared notes from the {a} on {b}", "I am sharing the notes I took at the {a} on {b}.",
                    "Summary of the {a} on {b}", "I put together a short summary of the {a} on {b} for those who could not make it.",
                    "Takeaways from the {a} on {b}", "These are the main takeaways I had from the {a} on {b}.",
                    "Highlights from the {a} on {b}", "There were a few highlights from the {a} on {b} that seemed worth passing on.",
                    "Key points from the {a} on {b}", "I wrote down the key points from the {a} on {b} while they were fresh.",
                    "Lessons from the {a} on {b}", "I tried to capture the lessons from the {a} on {b} in a few lines.",
                    "Recap: {a} on {b}", "This is a quick recap of the {a} on {b} in case it is useful.",
                    "Missed the {a} on {b}?", "In case you missed the {a} on {b}, here is what was covered.",
                    "Follow-up notes after the {a} on {b}", "I added some follow-up notes after the {a} on {b}."),
                    List.of("workshop", "training session", "team offsite", "customer interviews", "planning day", "town hall",
                            "panel discussion", "reading group", "lunch talk", "strategy session", "partner meeting", "product demo"),
                    DAYS,
                    List.of("The discussion about priorities for the next quarter was the most useful part.",
                            "Several people raised the same question about training, so it may be worth a follow-up.",
                            "I left out the smaller side topics to keep it readable.",
                            "If you remember anything differently, let me know and I will correct it.",
                            "The slides are in the team folder if you want more detail.",
                            "One idea I liked was having a short check-in halfway through each project.",
                            "There was broad agreement on the main direction, with a few open questions on timing.",
                            "I put the action items at the top so they are easy to spot.",
                            "It was a good turnout, and the questions at the end were thoughtful.",
                            "Nothing here needs a reply, it is mainly for reference.",
                            "The speaker mentioned a book on team habits that I want to read.")),
            // weekend and holiday small talk
            new Topic(phrasings(
                    "How was the {a} {b}?", "I was wondering how the {a} {b} went.",
                    "Hope the {a} {b} went well", "I hope the {a} {b} went well and that you got some proper rest.",
                    "Back from the {a} {b}?", "Someone mentioned you were back from the {a} {b}.",
                    "Welcome back from the {a} {b}", "Welcome back, I hope the {a} {b} was a good one.",
                    "Any tips from the {a} {b}?", "I am planning something similar, so I would love to hear about the {a} {b}.",
                    "Photos from the {a} {b}?", "If you took any photos on the {a} {b}, I would be glad to see a few.",
                    "Catching up after the {a} {b}", "Now that you are back from the {a} {b}, it would be nice to catch up.",
                    "Did you enjoy the {a} {b}?", "I have been meaning to ask whether you enjoyed the {a} {b}.",
                    "Rested after the {a} {b}?", "I hope you came back rested from the {a} {b}.",
                    "Still thinking about the {a} {b}?", "I bet part of you is still thinking about the {a} {b}."),
                    List.of("long weekend", "holiday", "trip", "family visit", "week off", "time away", "short break", "weekend away",
                            "week away", "city trip", "family holiday", "birthday trip"),
                    List.of("in Lisbon", "in the mountains", "by the coast", "in Vienna", "in Scotland", "at the lake", "in Copenhagen",
                            "in the countryside", "in Porto", "in the Dolomites", "in Edinburgh", "in Provence", "in Norway",
                            "in Tuscany"),
                    List.of("Things were fairly quiet here while you were away.",
                            "I have heard the weather is lovely there at this time of year.",
                            "Did you manage to try any of the local food?",
                            "We went somewhere similar a few years ago and still talk about it.",
                            "No need to reply, I just wanted to say hello.",
                            "I am already counting the weeks until my own time off.",
                            "Getting back into the routine after a break always takes me a day or two.",
                            "Let me know if you have any recommendations, I am always looking for ideas.",
                            "The office plants survived, in case you were wondering.",
                            "It would be nice to hear about it over a coffee some time.",
                            "I hope the journey back was smooth.")),
            // events and conferences
            new Topic(phrasings(
                    "Going to the {a} {b}?", "Are you going to the {a} {b} this year?",
                    "Meeting up at the {a} {b}", "If you are at the {a} {b}, it would be nice to meet up.",
                    "Plans for the {a} {b}", "I am starting to make plans for the {a} {b} and wondered about yours.",
                    "Coffee at the {a} {b}?", "Would you be up for a coffee at the {a} {b}?",
                    "Sessions worth seeing at the {a} {b}", "I went through the programme for the {a} {b} and marked a few sessions.",
                    "Travel to the {a} {b}", "I am booking travel to the {a} {b} and wondered how you are getting there.",
                    "Talks at the {a} {b}", "Some of the talks at the {a} {b} look relevant to what we discussed.",
                    "Is your team attending the {a} {b}?", "I was wondering whether anyone from your team is attending the {a} {b}.",
                    "Hearing about the {a} {b}", "I could not make the {a} {b} this time, so I would be curious to hear how it went.",
                    "Hotel near the {a} {b}?", "Do you know of a good hotel near the {a} {b}?"),
                    List.of("regional meetup", "industry conference", "trade fair", "partner summit", "design conference",
                            "logistics forum", "leadership day", "community meetup", "research symposium", "user conference",
                            "career fair", "spring conference"),
                    List.of("in Berlin", "in Lyon", "in Manchester", "in Rotterdam", "in Milan", "in Dublin", "in Gothenburg", "in Leipzig",
                            "in Antwerp", "in Bristol", "in Valencia", "in Zurich"),
                    List.of("I will be there for two days, mostly around the afternoon sessions.",
                            "It would be good to catch up in person after all these calls.",
                            "Last year the evening programme was the best part.",
                            "I am still deciding between the morning workshops and the main hall.",
                            "If you are going, we could share a taxi from the station.",
                            "The programme looks stronger than it did last year.",
                            "I can send you my notes afterwards if you are not able to attend.",
                            "Let me know your plans once they are settled.",
                            "A few colleagues from our side are going as well.",
                            "I have not been to that city before, so any tips are welcome.",
                            "The venue is supposed to be easy to reach by train.")),
            // asking for a review
            new Topic(phrasings(
                    "Review of the {a} {b}?", "Could you review the {a} {b} when you have a moment?",
                    "Feedback on the {a} {b}", "I would really value your feedback on the {a} {b}.",
                    "Draft {a} {b}", "I have a first draft of the {a} {b} ready.",
                    "Eyes on the {a} {b}?", "Could I get a second pair of eyes on the {a} {b}?",
                    "Input on the {a} {b}", "Your input on the {a} {b} would help a lot.",
                    "Reviewing the {a} {b}", "I am reviewing the {a} {b} and would like a second opinion.",
                    "Edits to the {a} {b}", "I made some edits to the {a} {b} and would like your view on them.",
                    "Checking the {a} {b}", "Would you mind checking the {a} {b} before I send it round?",
                    "Improving the {a} {b}", "I am trying to improve the {a} {b} and could use a fresh perspective.",
                    "Proofreading the {a} {b}", "Would you be able to proofread the {a} {b} this week?"),
                    List.of("slide deck", "workshop outline", "process map", "interview guide", "style guide", "welcome email",
                            "job description", "project brief", "survey questions", "training plan", "reading list", "meeting template"),
                    List.of("for the team meeting", "for the client visit", "for next quarter", "for the new starters",
                            "for the board meeting", "for the kickoff", "for the open day", "for the partner call",
                            "for the planning day", "for the monthly update"),
                    List.of("It is short, so it should only take ten minutes or so.",
                            "I am mostly unsure about the tone of the opening part.",
                            "Any comments are welcome, big or small.",
                            "I would like to send it out by Thursday, but there is some room if needed.",
                            "I based it on the version we used last year, with a few updates.",
                            "If you only have time for one section, the middle part matters most.",
                            "Plain comments in the document are easiest for me to work with.",
                            "I know you are busy this week, so no worries if it has to wait.",
                            "It has been through one round already, so it is close to final.",
                            "You know the audience better than I do, which is why I am asking you.",
                            "I am happy to return the favour on anything you are working on.")));

    /** How many combinations there are: messages {@code 0 … COMBINATIONS - 1} of one seed have distinct subjects and bodies. */
    static final int COMBINATIONS = 12_520;

    private static final List<Greeting> GREETINGS = List.of(new Greeting("Hi %s,", "Hi,"), new Greeting("Hello %s,", "Hello,"),
            new Greeting("Hey %s,", "Hey,"), new Greeting("Good morning %s,", "Good morning,"), new Greeting("Morning %s,", "Morning,"),
            new Greeting("Dear %s,", "Hello,"), new Greeting("Hi %s,", "Hi there,"), new Greeting("Hello %s,", "Hello there,"),
            new Greeting("Good afternoon %s,", "Good afternoon,"));

    private static final List<String> OPENERS = List.of("Hope your week is going well.", "I hope you are doing well.",
            "Hope you had a good weekend.", "I hope the week has been kind to you so far.", "Hope things are calm on your side.",
            "I hope you are keeping well.", "Hope the new month is off to a good start.", "I hope all is well with you and the team.",
            "Hope you are having a good day.", "I hope this finds you well.", "Hope you managed to get some rest lately.",
            "I hope the weather is treating you better than it is here.", "Hope work is not too hectic at the moment.",
            "I hope your projects are going smoothly.", "Hope all is good with you.", "I hope you had a relaxing evening.",
            "Hope the start of the week was gentle.", "I hope you are settling back in nicely.", "Hope the day is treating you well.",
            "I hope things have calmed down a bit since we last spoke.", "Hope you are well and not too busy.",
            "I hope the travel last week went smoothly.", "Hope you had a nice break over the holidays.",
            "I trust things are going well on your end.", "Hope everything is going to plan this week.",
            "I hope you had a good time at the weekend.", "Hope the team is doing well.", "I hope this week is a quieter one for you.",
            "Hope you are enjoying the better weather.", "I hope your morning is off to a good start.",
            "It has been a little while, so I hope all is well.");

    private static final List<String> CLOSINGS = List.of("Let me know what you think.", "Thanks in advance.",
            "Happy to talk it through if that is easier.", "No rush on this.", "Let me know if you have any questions.",
            "Thanks for your help with this.", "Looking forward to hearing from you.", "Have a good rest of the week.",
            "Enjoy the rest of your day.", "Talk to you soon.", "I appreciate your help.", "Let me know if anything is unclear.",
            "Just reply here whenever it suits you.", "Thanks as always.", "Have a nice evening.", "Let me know how that sounds.",
            "Looking forward to catching up.", "Whenever you get a chance is fine.", "I hope that helps.", "Take care.",
            "Let me know if I can help with anything on your side.", "I will keep you posted.", "Have a lovely weekend.",
            "Say hello to the team for me.", "Keep me posted on how it goes.", "Until then, take care.",
            "All good either way, just let me know.", "Thanks for taking a look.", "Speak to you later this week.",
            "Have a good week ahead.");

    private static final List<String> SIGN_OFFS = List.of("Best,", "Thanks,", "Cheers,", "Kind regards,", "All the best,",
            "Best regards,", "Many thanks,", "Speak soon,", "Talk soon,", "Warm regards,", "Regards,", "Best wishes,", "Thank you,",
            "Take care,");

    // Reply sentences: an acknowledgement, then optionally a follow-up and a closing. FOLLOW_UPS and REPLY_CLOSINGS share no
    // sentence, so the sentences of a reply tell its (acknowledgement, follow-up, closing) apart.
    private static final List<String> ACKNOWLEDGEMENTS = List.of("Thanks, that works for me.", "Sounds good to me.",
            "Thanks for sending this over.", "Great, thank you.", "Perfect, thanks for letting me know.", "That works on my side.",
            "Thanks for the update.", "Got it, thank you.", "Thanks, this is really helpful.", "Sounds like a plan.",
            "Thank you for the quick note.", "Noted, thanks.", "Good to hear from you.", "Thanks for thinking of me.",
            "That makes sense to me.", "Thanks, I appreciate it.", "Lovely, thank you.", "All clear, thanks.",
            "Thanks for the reminder.", "Agreed, that sounds sensible.", "Many thanks for this.", "Thanks, much appreciated.",
            "Nice to hear from you.", "Thanks for following up.", "Good idea, thanks.", "Happy with that.", "Fine by me.",
            "Thanks for pulling this together.", "Thank you, this is clear.", "Thanks for keeping me in the loop.");

    private static final List<String> FOLLOW_UPS = List.of("I will take a proper look this afternoon.",
            "I have added it to my calendar.", "Let me check with the team and get back to you.", "I will reply properly tomorrow.",
            "I will go through it before the end of the week.", "Nothing to add from my side for now.",
            "I will share it with the others as well.", "I may have one or two small questions later.",
            "I will confirm the time once I have checked my diary.", "Let us pick it up at the next check-in.",
            "I will make a note of it.", "I am around all week if anything changes.", "I will keep an eye out for the next version.",
            "I will pass it on to the rest of the team.", "I read it on my way in this morning.", "I can take the first part if that helps.",
            "I had a quick look and it reads well.", "Any day later this week works for me too.", "I will bring my notes along.",
            "I will let you know if anything comes up.", "Let me know if you need anything else from me.",
            "I will update the shared notes later today.", "I am glad it worked out.",
            "I will follow up once I have spoken to the others.", "I will get my part done by Wednesday.");

    private static final List<String> REPLY_CLOSINGS = List.of("Speak soon.", "Have a good day.", "Talk later.",
            "Enjoy the rest of your week.", "Take care.", "Have a nice afternoon.", "See you soon.", "Thanks again.",
            "Have a good evening.", "Until next time.", "Catch up soon.", "Speak then.", "All the best for the week.",
            "Have a good one.", "Enjoy your day.");

    /** Replies: acknowledgement × (follow-up or none) × (closing or none). */
    private static final int REPLY_COMBINATIONS = ACKNOWLEDGEMENTS.size() * (FOLLOW_UPS.size() + 1) * (REPLY_CLOSINGS.size() + 1);

    private static final int MIN_TEXT = 200;
    private static final String LONGEST_OPENER = longest(OPENERS);
    private static final String LONGEST_CLOSING = longest(CLOSINGS);

    static {
        int combinations = TOPICS.stream().mapToInt(Topic::size).sum();
        if (combinations != COMBINATIONS) throw new IllegalStateException("COMBINATIONS should be " + combinations);
    }

    /**
     * The message number {@code n} of a day for a sender (n = 0, 1, 2, … for that sender's messages that day), deterministic
     * for (seed, n): seed mixes the sender and the day. Distinct n (up to 10,000) with the same seed give distinct subjects
     * AND distinct bodies (in fact up to {@value #COMBINATIONS}); different seeds give different sequences.
     */
    static Message compose(long seed, int n, String senderFirstName, String recipientFirstName) {
        if (n < 0) throw new IllegalArgumentException("n must not be negative: " + n);
        Combination c = combination(permute(mix(seed ^ 0x5EED_C0DE_0000_0001L, n / COMBINATIONS), n % COMBINATIONS, COMBINATIONS));
        Topic topic = c.topic();
        String lead = c.lead();

        RandomGenerator random = new SplittableRandom(mix(seed, n));
        String recipient = cleanName(recipientFirstName);
        String sender = cleanName(senderFirstName);
        String greeting = greeting(random, recipient);
        String opener = random.nextInt(5) < 2 ? pick(random, OPENERS) : null;
        List<String> more = new ArrayList<>();
        more.add(pick(random, topic.sentences()));
        if (random.nextBoolean()) more.add(pickOther(random, topic.sentences(), more));
        String closing = random.nextInt(5) < 3 ? pick(random, CLOSINGS) : null;
        boolean lastSentenceApart = random.nextInt(4) == 0;
        String signOff = pick(random, SIGN_OFFS);

        // short ones get another sentence until they read like a note rather than a one-liner
        var paragraphs = paragraphs(greeting, opener, lead, more, lastSentenceApart, closing, signOff, sender);
        while (text(paragraphs).length() < MIN_TEXT && !(LONGEST_OPENER.equals(opener) && LONGEST_CLOSING.equals(closing))) {
            if (more.size() < 2) more.add(pickOther(random, topic.sentences(), more));
            else if (closing == null) closing = pick(random, CLOSINGS);
            else if (opener == null) opener = pick(random, OPENERS);
            // five short sentences: the longest small talk, with which every topic reaches MIN_TEXT
            else if (!opener.equals(LONGEST_OPENER)) opener = LONGEST_OPENER;
            else closing = LONGEST_CLOSING;
            paragraphs = paragraphs(greeting, opener, lead, more, lastSentenceApart, closing, signOff, sender);
        }
        return new Message(c.subject(), text(paragraphs), html(paragraphs));
    }

    /** Combination {@code k} of {@code [0, COMBINATIONS)}: topics one after the other, each as phrasing × a × b. */
    private static Combination combination(int k) {
        for (Topic topic : TOPICS) {
            if (k < topic.size()) {
                Phrasing phrasing = topic.phrasings().get(k % topic.phrasings().size());
                k /= topic.phrasings().size();
                String a = topic.a().get(k % topic.a().size());
                String b = topic.b().get(k / topic.a().size());
                return new Combination(topic, capitalise(fill(phrasing.subject(), a, b)), fill(phrasing.lead(), a, b));
            }
            k -= topic.size();
        }
        throw new IllegalArgumentException("no combination " + k);
    }

    /** Greeting; opener, lead and further sentences (the second one apart, if asked); closing; sign-off and name. */
    private static List<List<String>> paragraphs(String greeting, String opener, String lead, List<String> more, boolean lastApart,
            String closing, String signOff, String sender) {
        var paragraphs = new ArrayList<List<String>>();
        paragraphs.add(List.of(greeting));
        var main = new ArrayList<String>();
        if (opener != null) main.add(opener);
        main.add(lead);
        boolean apart = lastApart && more.size() == 2;
        main.addAll(apart ? more.subList(0, 1) : more);
        paragraphs.add(List.of(String.join(" ", main)));
        if (apart) paragraphs.add(List.of(more.get(1)));
        if (closing != null) paragraphs.add(List.of(closing));
        paragraphs.add(sender == null ? List.of(signOff) : List.of(signOff, sender));
        return paragraphs;
    }

    /**
     * A short natural reply (text + html) to a message, deterministic for (seed, n); the subject is the caller's business ("Re: …")
     * and left empty. Distinct n below 12,480 with the same seed give distinct sentences.
     */
    static Message reply(long seed, int n, String replierFirstName, String originalSenderFirstName) {
        if (n < 0) throw new IllegalArgumentException("n must not be negative: " + n);
        int k = permute(mix(seed ^ 0x5EED_C0DE_0000_0002L, n / REPLY_COMBINATIONS), n % REPLY_COMBINATIONS, REPLY_COMBINATIONS);
        var sentences = new ArrayList<String>();
        sentences.add(ACKNOWLEDGEMENTS.get(k % ACKNOWLEDGEMENTS.size()));
        k /= ACKNOWLEDGEMENTS.size();
        int followUp = k % (FOLLOW_UPS.size() + 1);
        int closing = k / (FOLLOW_UPS.size() + 1);
        if (followUp < FOLLOW_UPS.size()) sentences.add(FOLLOW_UPS.get(followUp));
        if (closing < REPLY_CLOSINGS.size()) sentences.add(REPLY_CLOSINGS.get(closing));

        RandomGenerator random = new SplittableRandom(mix(seed ^ 0x5EED_C0DE_0000_0003L, n));
        String replier = cleanName(replierFirstName);
        String signOff = pick(random, SIGN_OFFS);
        var paragraphs = List.of(List.of(greeting(random, cleanName(originalSenderFirstName))), List.of(String.join(" ", sentences)),
                replier == null ? List.of(signOff) : List.of(signOff, replier));
        return new Message("", text(paragraphs), html(paragraphs));
    }

    private static String longest(List<String> pool) {
        return pool.stream().max(Comparator.comparingInt(String::length)).orElseThrow();
    }

    private static List<Phrasing> phrasings(String... subjectThenLead) {
        var phrasings = new ArrayList<Phrasing>();
        for (int i = 0; i < subjectThenLead.length; i += 2) phrasings.add(new Phrasing(subjectThenLead[i], subjectThenLead[i + 1]));
        return List.copyOf(phrasings);
    }

    private static String fill(String pattern, String a, String b) {
        return pattern.replace("{A}", capitalise(a)).replace("{a}", a).replace("{b}", b);
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    /** A name as it can appear in a greeting or signature: on one line, single spaces; null when there is none. */
    private static String cleanName(String name) {
        if (name == null) return null;
        String clean = name.replaceAll("[\\s\\p{Cntrl}]+", " ").strip();
        return clean.isEmpty() ? null : clean;
    }

    private static String greeting(RandomGenerator random, String name) {
        Greeting g = pick(random, GREETINGS);
        return name == null ? g.withoutName() : g.withName().formatted(name);
    }

    private static <T> T pick(RandomGenerator random, List<T> pool) {
        return pool.get(random.nextInt(pool.size()));
    }

    private static String pickOther(RandomGenerator random, List<String> pool, List<String> taken) {
        while (true) {
            String s = pick(random, pool);
            if (!taken.contains(s)) return s;
        }
    }

    private static String text(List<List<String>> paragraphs) {
        var out = new StringBuilder();
        for (List<String> lines : paragraphs) {
            if (!out.isEmpty()) out.append("\n\n");
            out.append(String.join("\n", lines));
        }
        return out.toString();
    }

    private static String html(List<List<String>> paragraphs) {
        var out = new StringBuilder();
        for (List<String> lines : paragraphs) {
            if (!out.isEmpty()) out.append('\n');
            out.append("<p>");
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) out.append("<br>");
                out.append(escape(lines.get(i)));
            }
            out.append("</p>");
        }
        return out.toString();
    }

    private static String escape(String s) {
        var out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * A seeded permutation of {@code [0, size)}: a balanced Feistel network on the smallest even number of bits that holds
     * {@code size}, walking the cycle until the result is in range. A permutation, so distinct indices give distinct results.
     */
    private static int permute(long key, int index, int size) {
        int half = 1;
        while ((1L << (2 * half)) < size) half++;
        int mask = (1 << half) - 1;
        int x = index;
        do {
            int left = x >>> half;
            int right = x & mask;
            for (int round = 0; round < 6; round++) {
                int f = (int) mix(key + round, right) & mask;
                int t = right;
                right = left ^ f;
                left = t;
            }
            x = (left << half) | right;
        } while (x >= size);
        return x;
    }

    private static long mix(long seed, long value) {
        return mix64(seed + mix64(value + 0x9E37_79B9_7F4A_7C15L));
    }

    /** SplitMix64's finaliser. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}

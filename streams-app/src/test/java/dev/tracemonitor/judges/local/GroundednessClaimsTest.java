package dev.tracemonitor.judges.local;

import static dev.tracemonitor.judges.local.SafetyJudgeTest.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TestTraces.Doc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * groundedness claim by claim (issue 13): against documents that support the right fact, a wrong number, name, date
 * or a negated claim is "no" and the rationale names what is wrong; the right claims, in other words and other
 * number formats, are "yes". Each failing case asserts the rationale of its own check, so that the case fails when
 * that check is broken even if another one would still say "no".
 */
class GroundednessClaimsTest {

    private static final Doc TRAIN = Doc.of("The night train from Vienna to Venice leaves at 21:40 and arrives at "
            + "08:15. Sleeper cabins hold up to four passengers. Pets are not allowed in sleeper cabins. Bicycles can "
            + "be carried if they are booked in advance.");
    private static final Doc ACCOUNTS = Doc.of("Accounts are locked after five failed login attempts. A locked "
            + "account is unlocked automatically after 30 minutes. Passwords must be at least 12 characters long and "
            + "cannot contain the user name. Two-factor authentication is required for administrators. The help "
            + "desk answers calls at weekends.");
    private static final Doc OBSERVATORY = Doc.of("The Orion Observatory was opened on 12 May 1998 in Chile by the "
            + "European Southern Agency. Its main telescope has a mirror 8 metres across and weighs 23 tonnes. The "
            + "observatory is not open to visitors at night.");
    private static final Doc SHOP = Doc.of("Sale items cannot be returned. Refunds for other items are paid within "
            + "14 days. The repair desk is open Monday to Friday until noon. It is closed at weekends. Roughly a "
            + "third of all orders ship on the day they are placed. The battery warranty lasts 18 months.");

    private static LocalJudgeBackend backend;
    private static Judge groundedness;

    @BeforeAll
    static void setUp() {
        backend = new LocalJudgeBackend();
        groundedness = backend.builtin(BuiltinJudge.GROUNDEDNESS);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static Verdict judge(String response) throws Exception {
        return single(groundedness.evaluate(TestTraces.trace("tr-claims").request("A question about the documents.")
                .response(response).retriever("r1", TRAIN, ACCOUNTS, OBSERVATORY, SHOP).build()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Sleeper cabins on the night train hold up to six passengers. | the answer says six",
            "An account is locked after 3 failed login attempts.          | the answer says 3",
            "The observatory's main telescope has a mirror ten metres across. | the answer says ten",
            "Refunds for items that are not on sale are paid within three weeks. | the answer says three",
            "The battery warranty lasts two years.                           | the answer says two",
    })
    void wrongNumberIsNo(String response, String reason) throws Exception {
        Verdict verdict = judge(response);

        assertThat(verdict.value()).as(verdict.rationale()).isEqualTo("no");
        assertThat(verdict.rationale()).contains(reason);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "The night train from Vienna to Florence leaves at 21:40.   | the answer names Florence",
            "The Orion Observatory was opened in 1998 in Peru.            | the answer names Peru",
            "The Orion Observatory was opened in 1998 by NASA in Chile.   | the answer names NASA",
    })
    void wrongNameIsNo(String response, String reason) throws Exception {
        Verdict verdict = judge(response);

        assertThat(verdict.value()).as(verdict.rationale()).isEqualTo("no");
        assertThat(verdict.rationale()).contains(reason);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "The Orion Observatory was opened on 12 May 2001 in Chile.     | the answer says 2001",
            "The Orion Observatory in Chile opened its doors in March 1998. | the answer says March",
            "The Orion Observatory was opened on 21 May 1998.               | the answer says 21",
            "The Orion Observatory was opened on the 21st of May 1998.      | the answer says 21st",
            "The repair desk is open on Saturdays until noon.               | the answer says Saturdays",
    })
    void wrongDateIsNo(String response, String reason) throws Exception {
        Verdict verdict = judge(response);

        assertThat(verdict.value()).as(verdict.rationale()).isEqualTo("no");
        assertThat(verdict.rationale()).contains(reason);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Yes, pets are allowed in the sleeper cabins.         | the answer affirms what the closest passage denies",
            "Passwords can contain the user name.                  | the answer affirms what the closest passage denies",
            "Two-factor authentication is not required for administrators. | the answer denies what the closest passage states",
            "Sale items can be returned like any other item.       | the answer affirms what the closest passage denies",
            "The repair desk is also open on Sundays.              | the documents name it only in a negative statement",
    })
    void negatedClaimIsNo(String response, String reason) throws Exception {
        Verdict verdict = judge(response);

        assertThat(verdict.value()).as(verdict.rationale()).isEqualTo("no");
        assertThat(verdict.rationale()).contains(reason);
    }

    /**
     * The sentence naming the claim's subject embeds a little closer to it than the sentence sharing its other content
     * words, which denies it: within the tie margin the latter is the one compared.
     */
    @Test
    void claimDeniedByTheSentenceSharingItsWordsIsNo() throws Exception {
        Doc medicines = Doc.of("Oseltamivir is an antiviral medicine taken as capsules. It does not work against "
                + "bacterial infections such as strep throat or pneumonia. Warfarin is an anticoagulant given as "
                + "tablets. It is not safe to combine with aspirin without a doctor's advice.");
        Verdict verdict = single(groundedness.evaluate(TestTraces.trace("tr-tie").request("A question.")
                .response("Yes, oseltamivir works against strep throat.").retriever("r1", medicines).build()));

        assertThat(verdict.value()).as(verdict.rationale()).isEqualTo("no");
        assertThat(verdict.rationale()).contains("the answer affirms what the closest passage denies");
    }

    /**
     * A "free" in the closest passage that is about another part of its sentence ("a free rebooking", "a free slot")
     * does not make a claim about the rest of that sentence a negated one; a negation still does ("the pool is closed"
     * against "the pool is open").
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "You can choose a full refund to your original payment method.            | yes",
            "The laptop has sixteen gigabytes of RAM out of the box.                  | yes",
            "The pool does not open on public holidays.                               | yes",
            "The pool is open as usual on public holidays.                            | no",
    })
    void negationAboutAnotherPartOfThePassageSentenceDoesNotDenyTheClaim(String response, String value)
            throws Exception {
        Doc passage = Doc.of("If the airline cancels your flight, you can choose a full refund to your original "
                + "payment method or a free rebooking on the next flight. Refunds are paid within seven business days. "
                + "The laptop ships with 16 GB of RAM, upgradeable to 32 GB through a single free memory slot. "
                + "The pool is closed on public holidays, but the gym stays open until 12:00.");
        Verdict verdict = single(groundedness.evaluate(TestTraces.trace("tr-scope").request("A question.")
                .response(response).retriever("r1", passage).build()));

        assertThat(verdict.value()).as(verdict.rationale()).isEqualTo(value);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Sleeper cabins take at most 4 passengers.",
            "After five failed logins the account is locked, and it unlocks by itself thirty minutes later.",
            "The Orion Observatory in Chile opened on May 12, 1998.",
            "The train leaves Vienna at 9:40 pm and gets to Venice at 8:15 am.",
            "No, pets aren't permitted in the sleeper cabins.",
            "Passwords need 12 or more characters and must not include the user name.",
            "Administrators have to use two-factor authentication.",
            "The observatory's main telescope has an 8-metre mirror and weighs twenty-three tonnes.",
            "Sale items are non-returnable.",
            "Refunds for other items are paid within two weeks.",
            "The repair desk is open on Wednesdays until 12 pm.",
            "The help desk answers calls on Saturdays and Sundays.",
            "About 30% of all orders ship on the day they are placed.",
            "The battery warranty lasts one and a half years.",
            "The Orion Observatory was opened on the 12th of May 1998.",
    })
    void rightClaimsAndParaphrasesAreYes(String response) throws Exception {
        Verdict verdict = judge(response);

        assertThat(verdict.value()).as(verdict.rationale()).isEqualTo("yes");
    }

    @Test
    void equalQuantitiesWrittenDifferentlyAreTheSameFact() {
        assertThat(values("two moons")).isEqualTo(values("2 moons"));
        assertThat(values("1,000 requests")).isEqualTo(values("1000 requests"));
        assertThat(values("one million dollars")).isEqualTo(values("$1,000,000")).isEqualTo(values("$1 million"));
        assertThat(values("one and a half million km")).isEqualTo(values("1.5 million km"));
        assertThat(values("2.3 cents")).isEqualTo(values("$0.023"));
        assertThat(values("twenty thousand pounds")).isEqualTo(values("£20,000"));
        assertThat(values("from 9 am to 6 pm")).isEqualTo(values("from 9:00 to 18:00"));
        assertThat(values("on Saturdays in Sept.")).isEqualTo(values("on Saturday in September"));
        assertThat(values("on Christmas Day 2021")).containsExactlyInAnyOrderElementsOf(values("on 25 December 2021"));
        assertThat(values("on the 25th of December")).isEqualTo(values("on 25 December"));
        assertThat(values("at noon")).isEqualTo(values("at 12:00"));
        assertThat(values("from 8 in the morning until 2 in the afternoon")).isEqualTo(values("from 8:00 until 14:00"));
        assertThat(values("at eleven at night")).isEqualTo(values("at 23:00"));
        assertThat(values("at weekends")).isEqualTo(values("on Saturdays and Sundays"));
        assertThat(values("Mon-Wed")).isEqualTo(values("Monday, Tuesday and Wednesday"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "within two weeks        | within 14 days",
            "for a fortnight         | for 14 days",
            "a 14-day window         | within 2 weeks",
            "after a year            | after 12 months",
            "half an hour            | 30 minutes",
            "18 months               | 1.5 years",
            "30%                     | a third of",
            "two thirds              | 65 percent",
            "a quarter of            | 25%",
            "half of                 | 50 per cent",
    })
    void equalSizesInOtherUnitsAreTheSameFact(String claim, String passage) {
        assertThat(stated(claim, passage)).as(claim + " / " + passage).isTrue();
        assertThat(stated(passage, claim)).as(passage + " / " + claim).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "within three weeks | within 14 days",
            "two years          | 18 months",
            "45%                | a third of",
            "twice a week       | within 7 days",
    })
    void differentSizesAreDifferentFacts(String claim, String passage) {
        assertThat(stated(claim, passage)).as(claim + " / " + passage).isFalse();
    }

    @Test
    void namesAreCapitalisedWordsAcronymsAndIdentifiersNotTheFirstWord() {
        assertThat(ClaimFacts.of("Mars's moons were found by Galileo Galilei using spec.lens and open().")
                .of(ClaimFacts.Kind.NAME))
                .extracting(ClaimFacts.Fact::value)
                .containsExactly("galileo galilei", "spec.lens", "open");
    }

    private static boolean stated(String claim, String passage) {
        ClaimFacts known = ClaimFacts.of(passage);
        java.util.List<ClaimFacts.Fact> facts = ClaimFacts.of(claim).facts();
        return !facts.isEmpty() && facts.stream().allMatch(known::contains);
    }

    private static java.util.List<String> values(String text) {
        return ClaimFacts.of(text).facts().stream().map(fact -> fact.kind() + ":" + fact.value()).sorted().toList();
    }
}

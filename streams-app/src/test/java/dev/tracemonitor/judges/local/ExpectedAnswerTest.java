package dev.tracemonitor.judges.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExpectedAnswerTest {

    @Test
    void theWordingOfARequestSaysWhatKindOfAnswerItAsksFor() {
        assertThat(ExpectedAnswer.of("How much does the Pro plan cost?")).contains(ExpectedAnswer.PRICE);
        assertThat(ExpectedAnswer.of("How long does a refund take?")).contains(ExpectedAnswer.DURATION);
        assertThat(ExpectedAnswer.of("When does the pool open?")).contains(ExpectedAnswer.TIME);
        assertThat(ExpectedAnswer.of("How many seats does the hall have?")).contains(ExpectedAnswer.QUANTITY);
        assertThat(ExpectedAnswer.of("Why does my build fail?")).contains(ExpectedAnswer.REASON);
        assertThat(ExpectedAnswer.of("Which is faster, Postgres or MySQL?")).contains(ExpectedAnswer.CHOICE);
        assertThat(ExpectedAnswer.of("Is parking free at the hotel?")).contains(ExpectedAnswer.YES_NO);
        assertThat(ExpectedAnswer.of("How do I export my contacts?")).contains(ExpectedAnswer.INSTRUCTIONS);
        assertThat(ExpectedAnswer.of("Can you summarise this article?")).isEmpty();
        assertThat(ExpectedAnswer.of("What are the symptoms of flu?")).isEmpty();
    }

    @Test
    void aTextOffersAnAnswerOfAKindOnlyWhenItHoldsOne() {
        assertOffers(ExpectedAnswer.PRICE, "It is €15 a month.", "It comes with unlimited storage.");
        assertOffers(ExpectedAnswer.DURATION, "About ten working days.", "Refunds go to your original card.");
        assertOffers(ExpectedAnswer.DURATION, "It takes an hour.", "It has six grams of protein.");
        assertOffers(ExpectedAnswer.TIME, "It opens at 07:30 on weekdays.", "It is heated and has six lanes.");
        assertOffers(ExpectedAnswer.REASON, "It fails because a test times out.", "Builds run on Linux.");
        assertOffers(ExpectedAnswer.YES_NO, "Yes, for hotel guests.", "The hotel has a spa and a bar.");
        assertOffers(ExpectedAnswer.INSTRUCTIONS, "Open Contacts and choose Export.", "Contacts are stored in the cloud.");
        assertOffers(ExpectedAnswer.INSTRUCTIONS, "As an admin, go to Settings.", "A contact has a name and an email.");
        assertOffers(ExpectedAnswer.INSTRUCTIONS, "Run `git stash`.", "Git was written in 2005.");
    }

    private static void assertOffers(ExpectedAnswer kind, String answer, String nonAnswer) {
        assertThat(kind.offeredBy(answer, Sentences.split(answer))).as(answer).isTrue();
        assertThat(kind.offeredBy(nonAnswer, Sentences.split(nonAnswer))).as(nonAnswer).isFalse();
    }
}

package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * A failover request refused only because candidates are still catching up (409 {@code not_ready} with
 * {@code catchingUp: true}: lagging, or reconnecting, just after the previous move) is asked again, a
 * bounded number of times: it clears by itself in a second or two, and nothing should fail for it. Any
 * other answer, a {@code not_ready} that needs a person included, is returned at once.
 */
final class CatchingUp {
    static final Duration PAUSE = Duration.ofMillis(500);
    /** About 10 s in all: twice the shipped precheck's catchUpWait; a candidate still behind then has a real problem. */
    static final int RETRIES = 20;

    /**
     * @param retries how many times it was asked again because candidates were catching up
     * @param pause   the pause before each of them
     */
    record Asked(CoordinatorApi.Answer answer, int retries, Duration pause) {
        /** An answer to a request asked once. */
        static Asked once(CoordinatorApi.Answer answer) {
            return new Asked(answer, 0, Duration.ZERO);
        }

        /** The refusal, saying how long it was asked again when it was. */
        String error() {
            return answer.error() + (retries == 0 ? "" : " (still so after asking " + retries + " more time(s) over "
                    + pause.multipliedBy(retries).toMillis() + " ms)");
        }
    }

    private CatchingUp() {
    }

    /** Whether the coordinator refused only because candidates are catching up. */
    static boolean refused(CoordinatorApi.Answer answer) {
        return answer.status() == 409 && answer.body().path("code").asText().equals("not_ready")
                && answer.body().path("catchingUp").asBoolean(false);
    }

    /** {@code POST /failovers}, asked again after {@link #PAUSE} while {@link #refused}, at most {@link #RETRIES} times. */
    static Asked post(CoordinatorApi api, JsonNode request, Consumer<String> log) throws InterruptedException {
        return post(api, request, log, PAUSE, RETRIES);
    }

    static Asked post(CoordinatorApi api, JsonNode request, Consumer<String> log, Duration pause, int maxRetries)
            throws InterruptedException {
        CoordinatorApi.Answer answer = api.post("/failovers", request);
        int retries = 0;
        while (refused(answer) && retries < maxRetries) {
            retries++;
            log.accept("candidates still catching up (" + answer.body().path("message").asText() + "); asking again in "
                    + pause.toMillis() + " ms (" + retries + " of at most " + maxRetries + ")");
            Thread.sleep(pause);
            answer = api.post("/failovers", request);
        }
        return new Asked(answer, retries, pause);
    }
}

package dev.baton.orchestrator.hooks;

import java.time.Duration;

/** How a hook call ended, after its retries. */
public sealed interface HookResult {
    Hook hook();

    int attempts();

    /** From the first attempt to the last answer or error, retries and backoff included. */
    Duration took();

    /** One line for the report and the event stream. */
    String message();

    /** A 2xx answer. */
    record Delivered(Hook hook, int status, int attempts, Duration took) implements HookResult {
        @Override
        public String message() {
            return hook.describe() + " answered HTTP " + status + tries(attempts);
        }
    }

    record Failed(Hook hook, Problem problem, int attempts, Duration took) implements HookResult {
        @Override
        public String message() {
            return hook.describe() + " failed" + tries(attempts) + ": " + problem.describe();
        }
    }

    /** What went wrong on the last attempt. */
    sealed interface Problem {
        String describe();

        /** An answer outside 2xx; {@code body} cut short. */
        record Status(int code, String body) implements Problem {
            @Override
            public String describe() {
                return "HTTP " + code + (body.isBlank() ? "" : " " + body);
            }
        }

        record TimedOut(Duration timeout) implements Problem {
            @Override
            public String describe() {
                return "no answer within " + timeout.toMillis() + " ms";
            }
        }

        /** Refused, reset, unknown host: no HTTP answer at all. */
        record Unreachable(String error) implements Problem {
            @Override
            public String describe() {
                return error;
            }
        }
    }

    private static String tries(int attempts) {
        return attempts == 1 ? "" : " after " + attempts + " attempts";
    }
}

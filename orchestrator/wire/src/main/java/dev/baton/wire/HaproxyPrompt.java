package dev.baton.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * HAProxy's runtime API in interactive ("prompt") mode, as the coordinator and the agents both
 * speak it over a kept connection: every answer ends with the prompt {@code "> "} at a line start.
 */
public final class HaproxyPrompt {
    /** Switches a fresh runtime API connection to interactive mode; its answer is an empty prompt. */
    public static final String ENTER = "prompt\n";

    private HaproxyPrompt() {
    }

    /** The next answer, without its prompt; null when the connection closed before the prompt came. */
    public static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream(4096);
        int previous = '\n', beforePrevious = '\n';
        while (true) {
            int b = in.read();
            if (b < 0) return null;
            if (b == ' ' && previous == '>' && beforePrevious == '\n') {
                byte[] bytes = answer.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8); // without the '>' already copied
            }
            answer.write(b);
            beforePrevious = previous;
            previous = b;
        }
    }
}

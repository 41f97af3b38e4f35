package dev.baton.chaos.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The lab's config files live as resources with {@code ${name}} placeholders. */
final class Templates {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z]+)}");

    private Templates() {
    }

    static String render(String resource, Map<String, ?> values) {
        String text;
        try (InputStream in = Templates.class.getResourceAsStream(resource)) {
            if (in == null) throw new LabException("template " + resource + " is missing from the classpath");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot read template " + resource + ": " + e.getMessage(), e);
        }
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            Object value = values.get(matcher.group(1));
            if (value == null) throw new LabException("template " + resource + " needs a value for " + matcher.group());
            matcher.appendReplacement(out, Matcher.quoteReplacement(value.toString()));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}

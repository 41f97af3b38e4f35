package dev.baton.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

import java.net.URL;

/**
 * Switches this process's logging to JSON lines ({@code logback-coordinator.xml}). Done by the
 * service commands when they start, so every other command keeps the plain format of logback.xml.
 */
final class JsonLogging {
    private static final String CONFIG = "/logback-coordinator.xml";

    private JsonLogging() {
    }

    static void enable() {
        URL config = JsonLogging.class.getResource(CONFIG);
        if (config == null) throw new IllegalStateException(CONFIG + " is missing from the jar");
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(config);
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure JSON logging from " + config + ": " + e.getMessage(), e);
        }
    }
}

package dev.baton.cli;

import dev.baton.orchestrator.config.PasswordHash;
import picocli.CommandLine.Command;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** Prints the bcrypt hash of a console password for a user's {@code passwordBcrypt} in coordinator.yaml. */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = "Read a console password (asked twice at a terminal, else the first line of stdin) and print its bcrypt hash "
                + "for a user's 'passwordBcrypt' in the coordinator config. The password itself is stored nowhere.")
final class PasswdCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        String password;
        Console console = System.console();
        if (console != null) {
            char[] first = console.readPassword("new console password: ");
            char[] again = console.readPassword("again: ");
            if (first == null || again == null || !new String(first).equals(new String(again))) {
                System.err.println("baton: the two passwords differ; nothing printed");
                return 1;
            }
            password = new String(first);
        } else {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        if (password == null || password.length() < 12) {
            System.err.println("baton: a console password needs at least 12 characters; nothing printed");
            return 1;
        }
        System.out.println(PasswordHash.of(password));
        return 0;
    }
}

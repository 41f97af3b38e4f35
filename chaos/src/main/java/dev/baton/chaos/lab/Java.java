package dev.baton.chaos.lab;

/** How to start a child JVM with this JVM's java and classpath (ZooKeeper, checkout apps). */
final class Java {
    private Java() {
    }

    static String binary() {
        return ProcessHandle.current().info().command()
                .orElseThrow(() -> new LabException("cannot tell which java binary runs this JVM"));
    }

    static String classpath() {
        return System.getProperty("java.class.path");
    }

    static boolean hasClass(String name) {
        try {
            Class.forName(name, false, Java.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}

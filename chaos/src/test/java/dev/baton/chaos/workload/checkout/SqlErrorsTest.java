package dev.baton.chaos.workload.checkout;

import org.junit.jupiter.api.Test;

import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;

import static dev.baton.chaos.workload.checkout.SqlErrors.Kind.CONNECTION;
import static dev.baton.chaos.workload.checkout.SqlErrors.Kind.OTHER;
import static dev.baton.chaos.workload.checkout.SqlErrors.Kind.READ_ONLY;
import static org.assertj.core.api.Assertions.assertThat;

class SqlErrorsTest {

    @Test
    void readOnlyFencesAreRetryable() {
        assertThat(SqlErrors.classify(new SQLException(
                "The MariaDB server is running with the --read-only option", "HY000", 1290))).isEqualTo(READ_ONLY);
        assertThat(SqlErrors.classify(new SQLException("read only mode", "HY000", 1836))).isEqualTo(READ_ONLY);
    }

    @Test
    void connectionFailuresAreRetryable() {
        assertThat(SqlErrors.classify(new SQLNonTransientConnectionException("Socket fail", "08000"))).isEqualTo(CONNECTION);
        assertThat(SqlErrors.classify(new SQLTransientConnectionException("Connection was killed", "70100", 1927)))
                .isEqualTo(CONNECTION);
        assertThat(SqlErrors.classify(new SQLException("killed", "70100", 1927))).isEqualTo(CONNECTION);
        assertThat(SqlErrors.classify(new SQLException("Server shutdown in progress", "08S01", 1053))).isEqualTo(CONNECTION);
        assertThat(SqlErrors.classify(new SQLException("Too many connections", "HY000", 1040))).isEqualTo(CONNECTION);
        assertThat(SqlErrors.classify(new SQLException("io", "HY000", 0, new SocketException("Connection reset"))))
                .isEqualTo(CONNECTION);
        assertThat(CONNECTION.retryable()).isTrue();
        assertThat(READ_ONLY.retryable()).isTrue();
    }

    @Test
    void everythingElseIsNot() {
        assertThat(SqlErrors.classify(new SQLSyntaxErrorException("bad SQL", "42000", 1064))).isEqualTo(OTHER);
        assertThat(SqlErrors.classify(new SQLIntegrityConstraintViolationException("dup", "23000", 1062))).isEqualTo(OTHER);
        assertThat(SqlErrors.classify(new SQLException("Access denied", "28000", 1045))).isEqualTo(OTHER);
        assertThat(OTHER.retryable()).isFalse();
    }
}

package dev.baton.runbooks.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Set;

/** Something a precheck or a wait-until asks of the world; checked by the engine against live health. */
@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "condition")
@JsonSubTypes({@JsonSubTypes.Type(Condition.DcHealthy.class), @JsonSubTypes.Type(Condition.DcDown.class),
        @JsonSubTypes.Type(Condition.MaxLag.class), @JsonSubTypes.Type(Condition.PrimariesIn.class),
        @JsonSubTypes.Type(Condition.CheckoutOk.class), @JsonSubTypes.Type(Condition.Window.class)})
public sealed interface Condition {

    /** The DC's health verdict is HEALTHY. */
    record DcHealthy(String dc) implements Condition {
    }

    /** The DC is DOWN by the health view's rules (more than one observer agrees): for an emergency failover. */
    record DcDown(String dc) implements Condition {
    }

    /** Every shard of {@code ${shards}} has its candidate in {@code ${to}} caught up within {@code max}. */
    record MaxLag(Duration max) implements Condition {
    }

    /** The DC holds at least one of the shards' primaries. */
    record PrimariesIn(String dc) implements Condition {
    }

    /** A synthetic checkout succeeds in the DC. */
    record CheckoutOk(String dc) implements Condition {
    }

    /** Now is one of {@code days}, between {@code from} and {@code to} in {@code zone}: e.g. office hours for drills. */
    record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone) implements Condition {
        public Window {
            days = Set.copyOf(days);
        }
    }
}

package dev.baton.wire.health;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** One probe's result. A probe that failed is still a result: it says what it could not reach and why. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = MariaDbProbe.class, name = "mariadb"),
        @JsonSubTypes.Type(value = HaproxyProbe.class, name = "haproxy"),
        @JsonSubTypes.Type(value = HttpProbe.class, name = "http"),
        @JsonSubTypes.Type(value = ReachabilityProbe.class, name = "reachability")
})
public sealed interface Probe permits MariaDbProbe, HaproxyProbe, HttpProbe, ReachabilityProbe {
    /** Null when the probe succeeded. */
    String error();
}

package io.strand.common.config;

import java.util.Locale;

/** A role of a node in {@code process.roles}, as Kafka names them. */
public enum ProcessRole {
    /** Serves Kafka clients: partition logs, groups, the client listeners. */
    BROKER,
    /** Votes in the metadata quorum and runs the controller that writes to it. */
    CONTROLLER;

    static ProcessRole parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}

package io.strand.broker.auth;

import java.net.InetAddress;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail of authorization decisions, on the logger Kafka's authorizers write it to,
 * {@value #LOGGER_NAME}, one line per decision with the fields Kafka's line has, in its layout (tools
 * that read Kafka's authorizer log read this one):
 * {@code Principal = User:alice is Denied operation = WRITE from host = 127.0.0.1 on resource =
 * Topic:LITERAL:orders for request = Produce}.
 *
 * <p>Levels as Kafka's: a denial the caller asked for outright (it becomes an authorization error) at
 * INFO; an allowed access at DEBUG; a decision that only narrows an answer (a listing that hides what the
 * caller may not describe, a cluster-wide shortcut with a per-resource fallback, a regex subscription's
 * matches) or only fills an authorized-operations field at TRACE. A line is built only when its level
 * is enabled, so with the default INFO an allowed produce or fetch costs one level check.
 *
 * <p>Thread-safe (stateless beyond the logger).
 */
final class AuthorizerLog {

    /** Kafka's authorizer logger; its level is set like any other (see the logging configuration). */
    static final String LOGGER_NAME = "kafka.authorizer.logger";

    /** How a decision is logged: explicitly asked, or only narrowing an answer. */
    enum Kind {
        /** Allowed at DEBUG, denied at INFO. */
        EXPLICIT(true, true),
        /** Allowed at DEBUG, denied at TRACE. */
        FILTER(true, false),
        /** Both at TRACE: only an authorized-operations field. */
        OPERATIONS(false, false);

        private final boolean logIfAllowed;
        private final boolean logIfDenied;

        Kind(boolean logIfAllowed, boolean logIfDenied) {
            this.logIfAllowed = logIfAllowed;
            this.logIfDenied = logIfDenied;
        }
    }

    private final Logger log;

    AuthorizerLog() {
        this(LoggerFactory.getLogger(LOGGER_NAME));
    }

    AuthorizerLog(Logger log) {
        this.log = log;
    }

    void log(boolean allowed, Kind kind, KafkaPrincipal principal, InetAddress host, AclOperation operation,
             ResourceType type, String name, String api) {
        if (allowed) {
            if (kind.logIfAllowed && log.isDebugEnabled()) {
                log.debug(line(true, principal, host, operation, type, name, api));
            } else if (log.isTraceEnabled()) {
                log.trace(line(true, principal, host, operation, type, name, api));
            }
        } else if (kind.logIfDenied) {
            if (log.isInfoEnabled()) {
                log.info(line(false, principal, host, operation, type, name, api));
            }
        } else if (log.isTraceEnabled()) {
            log.trace(line(false, principal, host, operation, type, name, api));
        }
    }

    private static String line(boolean allowed, KafkaPrincipal principal, InetAddress host, AclOperation operation,
                               ResourceType type, String name, String api) {
        return "Principal = " + principal + " is " + (allowed ? "Allowed" : "Denied") + " operation = " + operation
                + " from host = " + (host == null ? "unknown" : host.getHostAddress()) + " on resource = "
                + SecurityUtils.resourceTypeName(type) + ":" + PatternType.LITERAL + ":" + name
                + " for request = " + (api == null ? "unknown" : api);
    }
}

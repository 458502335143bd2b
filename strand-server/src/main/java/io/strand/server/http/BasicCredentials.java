package io.strand.server.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * The user name and password of an HTTP Basic {@code Authorization} header (RFC 7617):
 * {@code Basic base64(user ":" password)}, the scheme in any case, the credentials UTF-8. The user name
 * ends at the first colon; the password may contain colons. Immutable.
 *
 * @param user     the user name, not empty
 * @param password the password, possibly empty
 */
public record BasicCredentials(String user, String password) {

    private static final String SCHEME = "basic";

    @Override
    public String toString() {
        return "BasicCredentials[user=" + user + "]"; // never the password
    }

    /**
     * The credentials of an {@code Authorization} header value, or empty when there is none, it is of
     * another scheme, or it is malformed (not base64, no colon, an empty user name).
     */
    public static Optional<BasicCredentials> parse(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value.substring(space + 1).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        return Optional.of(new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
    }
}

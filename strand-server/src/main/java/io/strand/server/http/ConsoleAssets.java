package io.strand.server.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The web console's static files (docs/CONSOLE.md), served from the class path on the node's HTTP
 * listener:
 * <ul>
 *   <li>{@code GET /}, {@code GET /ui} and {@code GET /ui/}: 302 to {@value #ENTRY}, the console's
 *       page;</li>
 *   <li>{@code GET /ui/<path>}: each file under the resource folder {@value #RESOURCE_ROOT}, and
 *       uPlot's ES module and style sheet from its WebJar at
 *       {@code /ui/vendor/uplot/<version>/uPlot.esm.js} and {@code …/uPlot.min.css}.</li>
 * </ul>
 *
 * <p>In {@code index.html}, {@value #UPLOT_VERSION_PLACEHOLDER} is replaced by the WebJar's version
 * (its import map names uPlot's file). Every file is read once, when {@link #load} runs, and routed by its exact path: a path that
 * names no file ({@code /ui/../…}, {@code /ui/%2e%2e/…}, a class file) is the router's JSON 404, so
 * nothing outside these files can be reached. Each answer carries its content type, a strong
 * {@code ETag} (the first 16 bytes of the body's SHA-256, hex) and {@code Cache-Control}:
 * {@code no-cache} for the console's own files (the browser revalidates, and a request whose
 * {@code If-None-Match} names the ETag is answered 304 without a body), a year and
 * {@code immutable} for the versioned vendor files. No other site may frame the console
 * ({@code X-Frame-Options: DENY}, {@code frame-ancestors 'none'}), and browsers must not guess types
 * ({@code nosniff}).
 *
 * <p>Immutable once loaded; thread-safe.
 */
public final class ConsoleAssets {

    /** The class-path folder of the console's files. */
    static final String RESOURCE_ROOT = "io/strand/console/";
    /** Where the console is served. */
    static final String UI = "/ui/";
    /** The console's page, where {@code /}, {@code /ui} and {@code /ui/} redirect. */
    static final String ENTRY = UI + "index.html";
    static final String UPLOT_PROPERTIES = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
    /** Replaced in {@code index.html} by the WebJar's version, so that its import map names the file served. */
    static final String UPLOT_VERSION_PLACEHOLDER = "@UPLOT_VERSION@";
    static final String REVALIDATE = "no-cache";
    static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json",
            "txt", "text/plain; charset=utf-8");

    /** One file as served. */
    record Asset(String contentType, byte[] body, String etag, String cacheControl) {
    }

    private final Map<String, Asset> byPath;

    private ConsoleAssets(Map<String, Asset> byPath) {
        this.byPath = Collections.unmodifiableMap(byPath);
    }

    /**
     * Reads the console's files and uPlot's from {@code loader}.
     *
     * @throws UncheckedIOException when the console's folder or the uPlot WebJar is not on the class path
     */
    public static ConsoleAssets load(ClassLoader loader) {
        String uplotVersion = uplotVersion(loader);
        Map<String, Asset> assets = new TreeMap<>();
        for (Map.Entry<String, byte[]> file : listFolder(loader, RESOURCE_ROOT).entrySet()) {
            byte[] body = file.getValue();
            if (file.getKey().equals("index.html")) {
                body = new String(body, StandardCharsets.UTF_8).replace(UPLOT_VERSION_PLACEHOLDER, uplotVersion)
                        .getBytes(StandardCharsets.UTF_8);
            }
            assets.put(UI + file.getKey(), asset(file.getKey(), body, REVALIDATE));
        }
        if (!assets.containsKey(UI + "index.html")) {
            throw new UncheckedIOException(new IOException("No console: " + RESOURCE_ROOT + "index.html is not on the class path"));
        }
        String uplotDist = "META-INF/resources/webjars/uplot/" + uplotVersion + "/dist/";
        for (String name : new String[] {"uPlot.esm.js", "uPlot.min.css"}) {
            assets.put(UI + "vendor/uplot/" + uplotVersion + "/" + name,
                    asset(name, read(loader, uplotDist + name), IMMUTABLE));
        }
        return new ConsoleAssets(assets);
    }

    /** The paths served under {@code /ui/}, each a file. */
    Map<String, Asset> assets() {
        return byPath;
    }

    /** The version of the uPlot WebJar on the class path, as its import path in the console names it. */
    public static String uplotVersion(ClassLoader loader) {
        Properties properties = new Properties();
        try (InputStream in = loader.getResourceAsStream(UPLOT_PROPERTIES)) {
            if (in == null) {
                throw new IOException("the uPlot WebJar is not on the class path: no " + UPLOT_PROPERTIES);
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("No console: " + e.getMessage(), e);
        }
        return properties.getProperty("version");
    }

    /** Adds {@code /}, {@code /ui}, {@code /ui/} and every file's route to {@code router}. */
    public HttpRouter.Builder addTo(HttpRouter.Builder router) {
        HttpRouter.Endpoint toUi = request -> new HttpReply(302, "text/plain; charset=utf-8", new byte[0],
                Map.of(HttpHeaderNames.LOCATION.toString(), ENTRY, HttpHeaderNames.CACHE_CONTROL.toString(), REVALIDATE));
        router.get("/", toUi).get("/ui", toUi).get(UI, toUi);
        byPath.forEach((path, asset) -> router.get(path, request -> serve(asset, request)));
        return router;
    }

    static HttpReply serve(Asset asset, FullHttpRequest request) {
        Map<String, String> headers = Map.of(HttpHeaderNames.ETAG.toString(), asset.etag(),
                HttpHeaderNames.CACHE_CONTROL.toString(), asset.cacheControl(),
                "x-content-type-options", "nosniff",
                // The console's buttons delete topics and reset offsets: no other site may frame it.
                "x-frame-options", "DENY",
                "content-security-policy", "frame-ancestors 'none'");
        String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
        if (ifNoneMatch != null && matches(ifNoneMatch, asset.etag())) {
            return new HttpReply(304, asset.contentType(), new byte[0], headers);
        }
        return new HttpReply(200, asset.contentType(), asset.body(), headers);
    }

    /** Whether an {@code If-None-Match} list names {@code etag} (or is {@code *}); weak tags compare equal. */
    private static boolean matches(String ifNoneMatch, String etag) {
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    static String contentType(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String extension = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return CONTENT_TYPES.getOrDefault(extension, "application/octet-stream");
    }

    private static Asset asset(String fileName, byte[] body, String cacheControl) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            String etag = "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
            return new Asset(contentType(fileName), body, etag, cacheControl);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    private static byte[] read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("not on the class path: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("No console: " + e.getMessage(), e);
        }
    }

    /**
     * Every regular file under the class-path folder {@code folder} (a directory while developing, a
     * jar entry prefix when packaged), by its path relative to the folder with '/' separators.
     */
    private static Map<String, byte[]> listFolder(ClassLoader loader, String folder) {
        URL url = loader.getResource(folder);
        if (url == null) {
            throw new UncheckedIOException(new IOException("No console: " + folder + " is not on the class path"));
        }
        Map<String, byte[]> files = new TreeMap<>();
        try {
            if ("jar".equals(url.getProtocol())) {
                JarURLConnection connection = (JarURLConnection) url.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    for (JarEntry entry : Collections.list(jar.entries())) {
                        if (!entry.isDirectory() && entry.getName().startsWith(folder)) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                files.put(entry.getName().substring(folder.length()), in.readAllBytes());
                            }
                        }
                    }
                }
            } else {
                Path root = Path.of(url.toURI());
                try (Stream<Path> walk = Files.walk(root)) {
                    for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                        files.put(root.relativize(file).toString().replace(java.io.File.separatorChar, '/'),
                                Files.readAllBytes(file));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("No console: cannot read " + url + ": " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException("No console: cannot read " + url, e));
        }
        return files;
    }
}

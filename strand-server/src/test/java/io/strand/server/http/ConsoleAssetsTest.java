package io.strand.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleAssetsTest {

    private final ConsoleAssets assets = ConsoleAssets.load(ConsoleAssetsTest.class.getClassLoader());
    private final HttpRouter router = assets.addTo(HttpRouter.builder()).build();

    private HttpReply get(String uri, String... headers) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().set(headers[i], headers[i + 1]);
        }
        return router.route(request).join().reply();
    }

    private static String text(HttpReply reply) {
        return new String(reply.body(), StandardCharsets.UTF_8);
    }

    @Test
    void rootAndUiRedirectToTheConsole() {
        for (String uri : new String[] {"/", "/ui", "/ui/", "/?x=1"}) {
            HttpReply reply = get(uri);
            assertThat(reply.status()).as(uri).isEqualTo(302);
            assertThat(reply.headers()).containsEntry("location", "/ui/index.html");
        }
    }

    @Test
    void servesTheIndexWithItsContentTypeAndTheWebJarsVersionInItsImportMap() {
        HttpReply reply = get("/ui/index.html");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).isEqualTo("text/html; charset=utf-8");
        String version = ConsoleAssets.uplotVersion(getClass().getClassLoader());
        assertThat(text(reply)).contains("./vendor/uplot/" + version + "/uPlot.esm.js")
                .doesNotContain(ConsoleAssets.UPLOT_VERSION_PLACEHOLDER);
    }

    @Test
    void everyFileHasItsContentType() {
        assertThat(get("/ui/js/app.js").contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(get("/ui/js/views/overview.js").contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(get("/ui/console.css").contentType()).isEqualTo("text/css; charset=utf-8");
        assertThat(get("/ui/favicon.svg").contentType()).isEqualTo("image/svg+xml");
        assertThat(ConsoleAssets.contentType("screenshot.PNG")).isEqualTo("image/png");
        assertThat(ConsoleAssets.contentType("noextension")).isEqualTo("application/octet-stream");
        assertThat(assets.assets().values()).allSatisfy(asset -> assertThat(asset.contentType()).doesNotStartWith("application/octet"));
    }

    @Test
    void everyFileTheIndexAndTheModulesNameIsServed() {
        String index = text(get("/ui/index.html"));
        Matcher m = Pattern.compile("(?:href|src)=\"([^\"#:]+)\"|\"(\\./vendor/[^\"]+)\"").matcher(index);
        int found = 0;
        while (m.find()) {
            String relative = (m.group(1) != null ? m.group(1) : m.group(2)).replaceFirst("^\\./", "");
            assertThat(get("/ui/" + relative).status()).as(relative).isEqualTo(200);
            found++;
        }
        assertThat(found).isGreaterThanOrEqualTo(4);
        // Every relative import of every module resolves to a served file.
        Pattern imports = Pattern.compile("from '(\\.{1,2}/[^']+)'");
        assets.assets().forEach((path, asset) -> {
            if (path.endsWith(".js") && !path.contains("/vendor/")) {
                Matcher im = imports.matcher(new String(asset.body(), StandardCharsets.UTF_8));
                while (im.find()) {
                    String target = java.net.URI.create("http://h" + path).resolve(im.group(1)).getPath();
                    assertThat(assets.assets()).as(path + " imports " + im.group(1)).containsKey(target);
                }
            }
        });
    }

    @Test
    void appFilesRevalidateWithAnETagAndVendorFilesAreImmutable() {
        HttpReply app = get("/ui/js/app.js");
        String etag = app.headers().get("etag");
        assertThat(etag).matches("\"[0-9a-f]{32}\"");
        assertThat(app.headers()).containsEntry("cache-control", "no-cache").containsEntry("x-content-type-options", "nosniff")
                .containsEntry("x-frame-options", "DENY").containsEntry("content-security-policy", "frame-ancestors 'none'");

        HttpReply notModified = get("/ui/js/app.js", "If-None-Match", etag);
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(notModified.headers()).containsEntry("etag", etag);
        assertThat(get("/ui/js/app.js", "If-None-Match", "\"other\", W/" + etag).status()).isEqualTo(304);
        assertThat(get("/ui/js/app.js", "If-None-Match", "\"other\"").status()).isEqualTo(200);
        assertThat(get("/ui/console.css").headers().get("etag")).isNotEqualTo(etag);

        String version = ConsoleAssets.uplotVersion(getClass().getClassLoader());
        HttpReply uplot = get("/ui/vendor/uplot/" + version + "/uPlot.esm.js");
        assertThat(uplot.status()).isEqualTo(200);
        assertThat(uplot.contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(text(uplot)).contains("export");
        assertThat(uplot.headers()).containsEntry("cache-control", ConsoleAssets.IMMUTABLE);
        assertThat(get("/ui/vendor/uplot/" + version + "/uPlot.min.css").contentType()).isEqualTo("text/css; charset=utf-8");
    }

    @Test
    void unknownFilesAndTraversalAreJson404s() {
        for (String uri : new String[] {"/ui/nope.js", "/ui/../io/strand/server/StrandServer.class", "/ui/..%2fconsole.css",
                "/ui/%2e%2e/%2e%2e/etc/passwd", "/ui/js/../../../../etc/passwd", "/ui//etc/passwd",
                "/ui/vendor/uplot/uPlot.esm.js", "/ui/vendor/uplot/0.0.0/../../../META-INF/MANIFEST.MF",
                "/io/strand/console/index.html", "/ui/js", "/ui/js/"}) {
            HttpReply reply = get(uri);
            assertThat(reply.status()).as(uri).isEqualTo(404);
            assertThat(reply.contentType()).as(uri).isEqualTo("application/json");
        }
        assertThat(assets.assets().keySet()).allSatisfy(path -> assertThat(path).startsWith("/ui/")
                .doesNotContain("..").doesNotContain("//").doesNotEndWith(".class"));
    }

    @Test
    void readsItsFilesFromAJarAsWhenPackaged(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("console.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String folder : new String[] {"io/", "io/strand/", "io/strand/console/", "io/strand/console/js/"}) {
                out.putNextEntry(new JarEntry(folder));
                out.closeEntry();
            }
            Map<String, String> files = Map.of(
                    "io/strand/console/index.html", "<script src=\"vendor/uplot/@UPLOT_VERSION@/uPlot.esm.js\"></script>",
                    "io/strand/console/js/app.js", "export const app = 1;",
                    "io/strand/other/Secret.txt", "not served",
                    ConsoleAssets.UPLOT_PROPERTIES, "version=9.9.9\n",
                    "META-INF/resources/webjars/uplot/9.9.9/dist/uPlot.esm.js", "export default 1;",
                    "META-INF/resources/webjars/uplot/9.9.9/dist/uPlot.min.css", ".u{}");
            for (Map.Entry<String, String> file : files.entrySet()) {
                out.putNextEntry(new JarEntry(file.getKey()));
                out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            ConsoleAssets packaged = ConsoleAssets.load(loader);
            assertThat(packaged.assets().keySet()).containsExactlyInAnyOrder("/ui/index.html", "/ui/js/app.js",
                    "/ui/vendor/uplot/9.9.9/uPlot.esm.js", "/ui/vendor/uplot/9.9.9/uPlot.min.css");
            assertThat(new String(packaged.assets().get("/ui/index.html").body(), StandardCharsets.UTF_8))
                    .isEqualTo("<script src=\"vendor/uplot/9.9.9/uPlot.esm.js\"></script>");
            assertThat(packaged.assets().get("/ui/js/app.js").contentType()).isEqualTo("text/javascript; charset=utf-8");
        }
    }

    @Test
    void withoutTheConsoleOnTheClassPathTheNodeDoesNotStart() throws Exception {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThatThrownBy(() -> ConsoleAssets.load(empty)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("No console").hasMessageContaining("uplot");
        }
    }

    @Test
    void onlyGetIsRouted() {
        FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/ui/js/app.js");
        HttpRouter.Routed routed = router.route(post).join();
        assertThat(routed.reply().status()).isEqualTo(405);
        assertThat(routed.allow()).isEqualTo("GET");
    }
}

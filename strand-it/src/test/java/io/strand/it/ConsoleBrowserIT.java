package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.testkit.StrandNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium (Debian's {@code chromium} driven by its
 * {@code chromedriver} through Selenium), against a node with its HTTP listener: a topic and a
 * record produced by the Java producer are seen in the topic list and the message browser; a topic
 * is created and a record produced through the pages and read back by the Java consumer; a consumer
 * group's lag rises while records arrive and falls as a Java consumer reads them, then its offsets
 * are reset from the page once the group is empty; the overview shows the broker, the controller and
 * the throughput charts. Screenshots of each page go to {@code strand.it.screenshotDir}
 * (target/screenshots; {@code -Dstrand.it.screenshotDir=$PWD/docs/images} refreshes those docs/CONSOLE.md
 * shows).
 *
 * <p>One browser page for the whole class: navigation is by the console's hash routes, so its
 * throughput sampler keeps its history across the tests. Every wait is a {@link WebDriverWait}
 * condition. Without chromium or chromedriver the class fails on CI and is skipped elsewhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {

    private static final String ORDERS = "console-orders";
    private static final String CREATED = "console-created";
    private static final String LAGGING = "console-lagging";
    private static final String GROUP = "console-readers";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static StrandNode node;
    private static String console;
    private static ChromeDriverService service;
    private static ChromeDriver browser;
    private static WebDriverWait wait;
    private static Path screenshots;

    @BeforeAll
    static void startNodeAndBrowser() throws Exception {
        Path chromium = Tools.requireChromium();
        Path chromedriver = Tools.requireChromedriver();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        node = StrandNode.start(dir.resolve("data"), Map.of("strand.http.listener", "http://127.0.0.1:" + port,
                "group.initial.rebalance.delay.ms", "0"));
        console = "http://127.0.0.1:" + port + "/";
        screenshots = Path.of(System.getProperty("strand.it.screenshotDir", "target/screenshots"));
        Files.createDirectories(screenshots);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1360,900", "--lang=en-US", "--hide-scrollbars", "--force-color-profile=srgb");
        options.setExperimentalOption("prefs", Map.of("intl.accept_languages", "en-US"));
        service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, WAIT);
        wait.ignoring(StaleElementReferenceException.class);

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", node.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(ORDERS, 3, (short) 1), new NewTopic(LAGGING, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        browser.get(console);
        wait.until(ExpectedConditions.urlContains("/ui/"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    @Order(1)
    void seesATopicAndTheRecordTheJavaProducerWrote() throws Exception {
        int partition;
        try (KafkaProducer<String, String> producer = producer()) {
            ProducerRecord<String, String> record = new ProducerRecord<>(ORDERS, null, "order-42",
                    "{\"id\":42,\"status\":\"paid\",\"items\":[\"tea\",\"cake\"]}",
                    List.of(new RecordHeader("source", "java-producer".getBytes(StandardCharsets.UTF_8))));
            partition = producer.send(record).get(30, TimeUnit.SECONDS).partition();
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(ORDERS, "order-" + i, "{\"id\":" + i + ",\"status\":\"new\"}"));
            }
            producer.flush();
        }

        go("#/topics");
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("[data-testid=topic-list] tr[data-topic='" + ORDERS + "']")));
        assertThat(row.getText()).contains(ORDERS).contains("3");
        screenshot("topics");

        go("#/messages?topic=" + ORDERS + "&partition=" + partition + "&from=earliest");
        WebElement value = wait.until(d -> d.findElements(By.cssSelector("[data-testid=records] tr"))
                .stream().filter(r -> r.getText().contains("order-42")).findFirst().orElse(null));
        assertThat(value.findElement(By.cssSelector(".record-key")).getText()).isEqualTo("order-42");
        assertThat(value.findElement(By.cssSelector(".headers")).getText()).isEqualTo("source: java-producer");
        // Auto shows JSON pretty-printed.
        assertThat(value.findElement(By.cssSelector(".record-value")).getText())
                .contains("\"status\": \"paid\"").contains("\"items\": [");
        screenshot("messages");

        browser.findElement(By.cssSelector("[data-format=hex]")).click();
        wait.until(d -> findRecordValue(d, "order-42").startsWith("00000000  7b 22 69 64"));
        browser.findElement(By.cssSelector("[data-format=text]")).click();
        wait.until(d -> findRecordValue(d, "order-42").startsWith("{\"id\":42,"));

        // The live tail shows a record written after it started.
        browser.findElement(By.cssSelector("[data-testid=tail]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-testid=status]"), "Live:"));
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(ORDERS, "tailed", "live")).get(30, TimeUnit.SECONDS);
        }
        wait.until(d -> findRecordValue(d, "tailed").equals("live"));
        browser.findElement(By.cssSelector("[data-testid=tail]")).click();
    }

    @Test
    @Order(2)
    void createsATopicAndProducesThroughThePages() throws Exception {
        go("#/topics");
        WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=create-topic]")));
        form.findElement(By.name("name")).sendKeys(CREATED);
        WebElement partitions = form.findElement(By.name("partitions"));
        partitions.clear();
        partitions.sendKeys("2");
        form.findElement(By.name("configs")).sendKeys("retention.ms=3600000");
        form.findElement(By.cssSelector("button[type=submit]")).click();

        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid=topic-name]"), CREATED));
        wait.until(d -> d.findElements(By.cssSelector("[data-testid=partitions] tbody tr")).size() == 2);
        wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("[data-testid=configs] tr[data-config='retention.ms']")));
        assertThat(browser.findElement(By.cssSelector("[data-testid=configs] tr[data-config='retention.ms'] input"))
                .getAttribute("value")).isEqualTo("3600000");
        screenshot("topic");

        WebElement retention = browser.findElement(By.cssSelector("[data-testid=configs] tr[data-config='retention.ms'] input"));
        retention.clear();
        retention.sendKeys("7200000");
        browser.findElement(By.xpath("//*[@data-testid='configs']//tr[@data-config='retention.ms']//button[.='Set']")).click();
        wait.until(ExpectedConditions.textToBe(By.id("toast"), "retention.ms set to 7200000"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", node.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, CREATED);
            assertThat(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                    .get("retention.ms").value()).isEqualTo("7200000");
        }

        go("#/produce?topic=" + CREATED);
        WebElement produce = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=produce-form]")));
        wait.until(d -> new Select(produce.findElement(By.name("partition"))).getOptions().size() == 3);
        new Select(produce.findElement(By.name("partition"))).selectByValue("1");
        produce.findElement(By.name("key")).sendKeys("from-the-page");
        produce.findElement(By.name("value")).sendKeys("{\"hello\": \"console\", \"n\": 1}");
        produce.findElement(By.name("headers")).sendKeys("origin=browser");
        screenshot("produce");
        produce.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement produced = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=produced]")));
        assertThat(produced.getText()).contains("partition 1 at offset 0");

        try (KafkaConsumer<String, String> consumer = consumer("console-check")) {
            TopicPartition tp = new TopicPartition(CREATED, 1);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            ConsumerRecord<String, String> record = pollOne(consumer);
            assertThat(record.key()).isEqualTo("from-the-page");
            assertThat(record.value()).isEqualTo("{\"hello\":\"console\",\"n\":1}");
            assertThat(new String(record.headers().lastHeader("origin").value(), StandardCharsets.UTF_8)).isEqualTo("browser");
        }

        // Deleting asks for the topic's name first.
        go("#/topics/" + CREATED);
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("[data-testid=delete-topic]"))).click();
        WebElement confirm = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog input[name=confirm]")));
        WebElement delete = browser.findElement(By.cssSelector("dialog [data-testid=confirm]"));
        confirm.sendKeys(CREATED.substring(1));
        assertThat(delete.isEnabled()).isFalse();
        confirm.clear();
        confirm.sendKeys(CREATED);
        delete.click();
        wait.until(d -> ((JavascriptExecutor) d).executeScript("return location.hash").equals("#/topics"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("[data-testid=topic-list] tr[data-topic='" + ORDERS + "']")));
        assertThat(browser.findElements(By.cssSelector("[data-testid=topic-list] tr[data-topic='" + CREATED + "']"))).isEmpty();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", node.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(CREATED).contains(ORDERS);
        }
    }

    @Test
    @Order(3)
    void watchesAGroupsLagRiseAndFallThenResetsItsOffsets() throws Exception {
        int backlog = 300;
        try (KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> consumer = consumer(GROUP)) {
            producer.send(new ProducerRecord<>(LAGGING, "first", "1")).get(30, TimeUnit.SECONDS);
            consumer.subscribe(List.of(LAGGING));
            assertThat(pollOne(consumer).key()).isEqualTo("first");
            consumer.commitSync();

            go("#/groups/" + GROUP);
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid=group-state]"), "STABLE"));
            wait.until(ExpectedConditions.textToBe(lagOf(LAGGING, 0), "0"));

            // Rises in two steps as records arrive ...
            for (int step = 1; step <= 2; step++) {
                for (int i = 0; i < backlog / 2; i++) {
                    producer.send(new ProducerRecord<>(LAGGING, "k" + i, "v" + i));
                }
                producer.flush();
                wait.until(ExpectedConditions.textToBe(lagOf(LAGGING, 0), String.valueOf(step * backlog / 2)));
            }
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid=total-lag]"), String.valueOf(backlog)));

            // ... and falls in two as the consumer reads and commits.
            int read = 0;
            while (read < backlog) {
                read += consumer.poll(Duration.ofMillis(500)).count();
            }
            TopicPartition tp = new TopicPartition(LAGGING, 0);
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(1 + backlog / 2)));
            wait.until(ExpectedConditions.textToBe(lagOf(LAGGING, 0), String.valueOf(backlog / 2)));
            consumer.commitSync();
            wait.until(ExpectedConditions.textToBe(lagOf(LAGGING, 0), "0"));
            assertThat(browser.findElement(By.cssSelector("[data-testid=members]")).getText()).contains("console-readers-client");
            screenshot("group");
        }

        // The consumer has left: the group is empty and its offsets may be reset from the page.
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid=group-state]"), "EMPTY"));
        WebElement reset = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=reset] form")));
        new Select(reset.findElement(By.name("to"))).selectByValue("EARLIEST");
        reset.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement confirm = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog input[name=confirm]")));
        confirm.sendKeys(GROUP);
        browser.findElement(By.cssSelector("dialog [data-testid=confirm]")).click();
        wait.until(ExpectedConditions.textToBe(lagOf(LAGGING, 0), String.valueOf(backlog + 1)));
    }

    @Test
    @Order(4)
    void overviewShowsTheBrokerControllerAndThroughput() throws Exception {
        go("#/");
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid=tile-brokers] .value"), "1"));
        int nodeId = node.server().config().nodeId();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid=tile-controller] .value"), String.valueOf(nodeId)));
        assertThat(browser.findElement(By.cssSelector("[data-testid=tile-offline] .value")).getText()).isEqualTo("0");
        assertThat(browser.findElement(By.cssSelector("[data-testid=tile-under-replicated] .value")).getText()).isEqualTo("0");
        // The throughput of the earlier tests' topics, measured from /metrics while they ran.
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=chart-bytes] canvas")));
        wait.until(d -> d.findElements(By.cssSelector("section a[href='#/topics/" + LAGGING + "']")).size() > 0);
        assertThat(browser.findElement(By.cssSelector("[data-testid=tile-topics] .value")).getText()).isEqualTo("2");
        screenshot("overview");
    }

    @Test
    @Order(5)
    void filesCarryTheirTypeAndETagOverTheWireAndNothingElseIsServed() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();
        HttpResponse<String> root = client.send(HttpRequest.newBuilder(URI.create(console)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("location")).hasValue("/ui/index.html");

        URI app = URI.create(console + "ui/js/app.js");
        HttpResponse<String> first = client.send(HttpRequest.newBuilder(app).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        String etag = first.headers().firstValue("etag").orElseThrow();
        HttpResponse<String> again = client.send(HttpRequest.newBuilder(app).header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();

        // Sent as written: HttpClient would not normalise it, but a raw request line leaves no doubt.
        URI base = URI.create(console);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.getOutputStream().write(("GET /ui/../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 404").contains("\"error_code\":404").doesNotContain("root:");
        }
    }

    private static By lagOf(String topic, int partition) {
        return By.cssSelector("[data-testid=lags] tr[data-partition='" + topic + "-" + partition + "'] .lag");
    }

    private static String findRecordValue(org.openqa.selenium.WebDriver d, String key) {
        return d.findElements(By.cssSelector("[data-testid=records] tr")).stream()
                .filter(r -> r.getText().contains(key)).findFirst()
                .map(r -> r.findElement(By.cssSelector(".record-value")).getText()).orElse("");
    }

    /** Goes to a console route in the same page (the sampler keeps its history) and waits for its view. */
    private static void go(String hash) {
        ((JavascriptExecutor) browser).executeScript("location.hash = arguments[0]", hash);
        wait.until(d -> ((JavascriptExecutor) d).executeScript("return location.hash").equals(hash));
    }

    /** Saves the page as docs/images/console-NAME.png, without a passing notice over it. */
    private static void screenshot(String name) throws IOException {
        ((JavascriptExecutor) browser).executeScript("document.getElementById('toast').hidden = true");
        Files.write(screenshots.resolve("console-" + name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", node.bootstrapServers());
        props.put("acks", "all");
        props.put("linger.ms", "5");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(String group) {
        Properties props = new Properties();
        props.put("bootstrap.servers", node.bootstrapServers());
        props.put("group.id", group);
        props.put("client.id", group + "-client");
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    private static ConsumerRecord<String, String> pollOne(KafkaConsumer<String, String> consumer) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
            if (!records.isEmpty()) {
                return records.iterator().next();
            }
        }
        throw new AssertionError("no record within " + WAIT);
    }
}

package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example app, run locally by the CLI, tested over HTTP from JUnit. The CLI writes its URLs
 * and its pid to a ready file, {@code wait-idle} returns once every view has applied what was
 * appended, and SIGTERM to that pid stops it. CDK_ES_API_CLI names the CLI's npm package
 * (default: cdk-event-sourced-api-cli; CI points it at the packed tarball).
 */
class CustomersApiLocalTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path LOG = Path.of("target", "local-cli.log");
    private static Path readyFile;
    private static Process cli;
    private static String url;
    private static String operatorUrl;
    private static long pid;

    private static List<String> cli(final String... args) {
        String spec = System.getenv().getOrDefault("CDK_ES_API_CLI", "cdk-event-sourced-api-cli");
        List<String> command = new ArrayList<>(List.of("npx", "--yes", "--package=" + spec, "--", "cdk-event-sourced-api"));
        command.addAll(List.of(args));
        return command;
    }

    /** A string field of the ready file (flat JSON, written by the CLI). */
    private static String field(final String json, final String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\\s*\"?([^\",}]+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }

    @BeforeAll
    static void startLocal() throws Exception {
        readyFile = Files.createTempDirectory("local").resolve("ready.json");
        // The app's classes are compiled already: synthesize with this test's classpath, not Maven.
        String app = "java -cp '" + System.getProperty("java.class.path") + "' com.example.CustomersApp";
        // Its output to a file: surefire talks to this JVM over its standard streams.
        cli = new ProcessBuilder(cli("local", "--app", app, "--ready-file", readyFile.toString()))
                .redirectErrorStream(true).redirectOutput(LOG.toFile()).start();
        Instant deadline = Instant.now().plusSeconds(240); // the first npx run installs the CLI
        while (!Files.exists(readyFile)) {
            assertTrue(cli.isAlive(), "the CLI exited before it was ready; see " + LOG);
            assertTrue(Instant.now().isBefore(deadline), "the CLI was not ready within 240 s; see " + LOG);
            Thread.sleep(200);
        }
        String ready = Files.readString(readyFile);
        url = field(ready, "url");
        operatorUrl = field(ready, "operatorUrl");
        pid = Long.parseLong(field(ready, "pid").trim());
    }

    @AfterAll
    static void stopLocal() throws Exception {
        // SIGTERM to the CLI itself (npx exits with it): it stops the runtime and removes the file.
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        assertTrue(cli.waitFor(60, TimeUnit.SECONDS), "the CLI did not stop within 60 s");
        assertEquals(0, cli.exitValue());
        assertFalse(Files.exists(readyFile));
    }

    private static HttpResponse<String> send(final String method, final String path, final String body) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path))
                .method(method, publisher)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void waitIdle() throws IOException, InterruptedException {
        Process wait = new ProcessBuilder(cli("wait-idle", "--local", operatorUrl, "--timeout", "30")).redirectErrorStream(true).start();
        String said = new String(wait.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, wait.waitFor(), said);
    }

    @Test
    void anOrderReachesBothViews() throws Exception {
        assertEquals(201, send("POST", "/", "{\"type\":\"CustomerRegistered\",\"id\":\"c-1\",\"name\":\"Ada\"}").statusCode());
        assertEquals(201, send("POST", "/", "{\"type\":\"OrderPlaced\",\"id\":\"c-1\",\"amountCents\":1250}").statusCode());
        waitIdle();
        String customer = send("GET", "/c-1", null).body();
        assertTrue(customer.contains("\"name\":\"Ada\"") && customer.contains("\"version\":2"), customer);
        String summary = send("GET", "/summary/c-1", null).body();
        assertTrue(summary.contains("\"orders\":1") && summary.contains("\"totalCents\":1250"), summary);
    }
}

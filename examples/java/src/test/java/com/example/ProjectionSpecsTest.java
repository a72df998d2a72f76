package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkeventsourcedapi.ProjectionSpecCaseResult;
import io.github.cdkeventsourcedapi.ProjectionSpecResult;
import io.github.cdkeventsourcedapi.ProjectionSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The projections' spec files, run from JUnit: no AWS, no local runtime, milliseconds a case.
 * ProjectionSpecs.verify runs a spec file (given events, the events under test, the expected
 * record) through the same apply code as the Lambda, and answers a result to assert on.
 */
class ProjectionSpecsTest {
    private static final Path PROJECTIONS = Path.of("projections").toAbsolutePath();
    private static final String SUMMARY = PROJECTIONS.resolve("summary.js").toString();

    @Test
    void summarySpecPasses() {
        ProjectionSpecResult result = ProjectionSpecs.verify(SUMMARY, PROJECTIONS.resolve("summary.spec.yaml").toString());
        assertTrue(result.getPassed(), result.getSummary());
        assertTrue(result.getCases().size() >= 5, result.getSummary());
        assertEquals(List.of(), result.getFailures());
    }

    @Test
    void aWrongExpectationFailsWithADiff(@TempDir final Path dir) throws Exception {
        Path spec = dir.resolve("summary.spec.yaml");
        Files.writeString(spec, String.join("\n",
                "cases:",
                "  - name: two orders, but one expected",
                "    given: [{ type: CustomerRegistered, data: { name: Ada } }]",
                "    when: [{ type: OrderPlaced, data: { amountCents: 100 } }, { type: OrderPlaced, data: { amountCents: 200 } }]",
                "    then: { orders: 1, totalCents: 300, lastOrderAt: \"2026-01-01T00:00:02.000Z\" }",
                ""));
        ProjectionSpecResult result = ProjectionSpecs.verify(SUMMARY, spec.toString());
        assertFalse(result.getPassed(), result.getSummary());
        assertEquals(1, result.getFailures().size(), result.getSummary());
        ProjectionSpecCaseResult failure = result.getFailures().get(0);
        assertEquals("two orders, but one expected", failure.getName());
        assertTrue(failure.getMessage().contains("-   \"orders\": 1,\n+   \"orders\": 2,"), failure.getMessage());
        assertTrue(result.getSummary().contains("0 passed, 1 failed"), result.getSummary());
    }
}

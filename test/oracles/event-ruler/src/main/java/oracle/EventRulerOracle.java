package oracle;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.event.ruler.JsonRuleCompiler;
import software.amazon.event.ruler.Machine;
import software.amazon.event.ruler.Patterns;

/**
 * Answers, one JSON line for each JSON line read, whether event-ruler matches an event against a
 * pattern: {"id":..,"pattern":"<JSON text>","event":"<JSON text>"} gives {"id":..,"match":true|false},
 * or {"id":..,"error":"<reason>"} when event-ruler refuses the pattern. Pattern and event are JSON
 * text (strings), so the text event-ruler parses is exactly the text the test chose.
 *
 * Patterns are compiled by JsonRuleCompiler (the compiler that knows "$or", and whose refusal is the
 * reason a pattern is refused) and matched by a Machine's rulesForJSONEvent, the array-consistent
 * matching that Ruler.matchesRule also uses.
 */
public final class EventRulerOracle {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CACHED_PATTERNS = 256;

    /** A compiled pattern, or the reason it was refused. */
    private record Compiled(Machine machine, String error) { }

    private static final Map<String, Compiled> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Compiled> eldest) {
            return size() > CACHED_PATTERNS;
        }
    };

    private EventRulerOracle() { }

    public static void main(final String[] args) throws Exception {
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        final BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            out.write(answer(line));
            out.write('\n');
            // Answer a batch at once, but never keep an answer back while the asker waits for it.
            if (!in.ready()) {
                out.flush();
            }
        }
        out.flush();
    }

    private static String answer(final String line) throws Exception {
        final ObjectNode result = JSON.createObjectNode();
        try {
            final JsonNode request = JSON.readTree(line);
            result.set("id", request.get("id"));
            final Compiled compiled = compile(request.get("pattern").asText());
            if (compiled.error() != null) {
                result.put("error", compiled.error());
            } else {
                final List<String> matched = compiled.machine().rulesForJSONEvent(request.get("event").asText());
                result.put("match", !matched.isEmpty());
            }
        } catch (Exception e) {
            // Not a refusal: a fault of the request or of the oracle, reported as such.
            result.put("fault", e.getClass().getName() + ": " + e.getMessage());
        }
        return JSON.writeValueAsString(result);
    }

    /** A reason re-thrown by the compiler carries the inner one's location: the reason alone. */
    private static String withoutLocation(final String message) {
        final int at = message.indexOf("\n at [Source:");
        return at < 0 ? message : message.substring(0, at);
    }

    private static Compiled compile(final String pattern) throws Exception {
        final Compiled cached = CACHE.get(pattern);
        if (cached != null) {
            return cached;
        }
        Compiled compiled;
        try {
            final List<Map<String, List<Patterns>>> rules = JsonRuleCompiler.compile(pattern);
            final Machine machine = new Machine();
            for (final Map<String, List<Patterns>> rule : rules) {
                machine.addPatternRule("pattern", rule);
            }
            compiled = new Compiled(machine, null);
        } catch (JsonParseException e) {
            compiled = new Compiled(null, withoutLocation(e.getOriginalMessage()));
        } catch (IllegalArgumentException e) {
            // Some checks (a CIDR's mask, an anything-but number) escape the compiler unwrapped.
            compiled = new Compiled(null, e.getMessage());
        }
        CACHE.put(pattern, compiled);
        return compiled;
    }
}

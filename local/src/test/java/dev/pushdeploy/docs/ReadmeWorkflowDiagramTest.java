package dev.pushdeploy.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's Mermaid diagram shows exactly the ASL's states and transitions. */
class ReadmeWorkflowDiagramTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern NODE = Pattern.compile("^\\s+(\\w+)[\\[{(]", Pattern.MULTILINE);
    private static final Pattern EDGE = Pattern.compile("^\\s+(\\w+) -->(?:\\|[^|]*\\|)? (\\w+)\\s*$", Pattern.MULTILINE);

    @Test
    void diagramMatchesTheStateMachine() throws IOException {
        JsonNode states = Json.tree(Files.readString(ROOT.resolve("statemachine/deploy.asl.json"))).get("States");
        Set<String> aslStates = new TreeSet<>();
        Set<String> aslEdges = new TreeSet<>();
        states.fields().forEachRemaining(state -> {
            aslStates.add(state.getKey());
            JsonNode body = state.getValue();
            body.path("Choices").forEach(choice -> aslEdges.add(state.getKey() + " -> " + choice.get("Next").asText()));
            body.path("Catch").forEach(c -> aslEdges.add(state.getKey() + " -> " + c.get("Next").asText()));
            for (String field : new String[] {"Next", "Default"}) {
                if (body.has(field)) {
                    aslEdges.add(state.getKey() + " -> " + body.get(field).asText());
                }
            }
        });

        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("```mermaid\nflowchart TD");
        assertTrue(start >= 0, "README has a Mermaid flowchart of the workflow");
        String diagram = readme.substring(start, readme.indexOf("```", start + 3));
        Set<String> nodes = new TreeSet<>();
        Set<String> edges = new TreeSet<>();
        Matcher node = NODE.matcher(diagram);
        while (node.find()) {
            nodes.add(node.group(1));
        }
        Matcher edge = EDGE.matcher(diagram);
        while (edge.find()) {
            edges.add(edge.group(1) + " -> " + edge.group(2));
        }

        assertEquals(aslStates, nodes, "states in README diagram");
        assertEquals(aslEdges, edges, "transitions in README diagram");
    }
}

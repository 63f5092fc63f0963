package dev.pushdeploy.adapter.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.request.Fields;
import dev.pushdeploy.request.ReleaseManifest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a release manifest strictly: {@code {"services": [{"service": "<cluster>/<service>",
 * "image": "<repository>:<tag>" | "<repository>@sha256:…"}, …], "reason": "…"}}, nothing else.
 * Pure; every problem is an {@link InvalidRequestException} naming the field
 * ({@code services[1].image}). The whole manifest is at most {@value #MANIFEST_MAX} bytes and names
 * at most {@value #ENTRIES_MAX} entries here (the planner allows fewer services).
 */
public final class ManifestParser {
    /** Largest manifest accepted, in bytes of UTF-8 (ten entries with registry-qualified digests are under 2 KiB). */
    public static final int MANIFEST_MAX = 8192;
    private static final int ENTRIES_MAX = 64;
    private static final Set<String> TOP = Set.of("services", "reason");
    private static final Set<String> ENTRY = Set.of("service", "image");

    private ManifestParser() {
    }

    public static ReleaseManifest parse(JsonNode manifest) {
        if (manifest == null || manifest.isNull() || manifest.isMissingNode()) {
            throw new InvalidRequestException("input", "is required: a release manifest {\"services\": [{\"service\", \"image\"}, …]}");
        }
        if (!manifest.isObject()) {
            throw new InvalidRequestException("input", "must be a JSON object, not " + kind(manifest));
        }
        int bytes = manifest.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MANIFEST_MAX) {
            throw new InvalidRequestException("input", "is " + bytes + " bytes long; at most " + MANIFEST_MAX + " are allowed");
        }
        only(manifest, TOP, "", "a release manifest");
        JsonNode services = manifest.get("services");
        if (services == null || services.isNull()) {
            throw new InvalidRequestException("services", "is required: a list of {\"service\", \"image\"}");
        }
        if (!services.isArray()) {
            throw new InvalidRequestException("services", "must be a list, not " + kind(services));
        }
        if (services.size() > ENTRIES_MAX) {
            throw new InvalidRequestException("services", "names " + services.size() + " entries; far too many");
        }
        List<ReleaseManifest.Entry> entries = new ArrayList<>();
        for (int i = 0; i < services.size(); i++) {
            String path = "services[" + i + "]";
            JsonNode entry = services.get(i);
            if (!entry.isObject()) {
                throw new InvalidRequestException(path, "must be an object {\"service\", \"image\"}, not " + kind(entry));
            }
            only(entry, ENTRY, path + ".", "a manifest entry");
            entries.add(new ReleaseManifest.Entry(string(entry, "service", path + ".service"), string(entry, "image", path + ".image")));
        }
        return new ReleaseManifest(entries, string(manifest, "reason", "reason"));
    }

    /** A string member (null when absent or JSON null; the planner says what is required). */
    private static String string(JsonNode object, String member, String path) {
        JsonNode node = object.get(member);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidRequestException(path, "must be a string, not " + kind(node));
        }
        return node.asText().isEmpty() ? null : node.asText();
    }

    private static void only(JsonNode object, Set<String> allowed, String prefix, String what) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
                throw new InvalidRequestException(prefix + Fields.printableOrEscaped(shown), "is not a field of " + what
                        + " (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}

package dev.pushdeploy.adapter.json;

import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.request.Fields;
import dev.pushdeploy.request.ReleaseManifest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /** @param tree the manifest as a JSON tree ({@link Json#parse}) */
    public static ReleaseManifest parse(Object tree) {
        if (tree == null) {
            throw new InvalidRequestException("input", "is required: a release manifest {\"services\": [{\"service\", \"image\"}, …]}");
        }
        if (!(tree instanceof Map<?, ?> manifest)) {
            throw new InvalidRequestException("input", "must be a JSON object, not " + Json.kind(tree));
        }
        int bytes = Json.write(manifest).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MANIFEST_MAX) {
            throw new InvalidRequestException("input", "is " + bytes + " bytes long; at most " + MANIFEST_MAX + " are allowed");
        }
        only(manifest, TOP, "", "a release manifest");
        Object servicesNode = manifest.get("services");
        if (servicesNode == null) {
            throw new InvalidRequestException("services", "is required: a list of {\"service\", \"image\"}");
        }
        if (!(servicesNode instanceof List<?> services)) {
            throw new InvalidRequestException("services", "must be a list, not " + Json.kind(servicesNode));
        }
        if (services.size() > ENTRIES_MAX) {
            throw new InvalidRequestException("services", "names " + services.size() + " entries; far too many");
        }
        List<ReleaseManifest.Entry> entries = new ArrayList<>();
        for (int i = 0; i < services.size(); i++) {
            String path = "services[" + i + "]";
            if (!(services.get(i) instanceof Map<?, ?> entry)) {
                throw new InvalidRequestException(path, "must be an object {\"service\", \"image\"}, not " + Json.kind(services.get(i)));
            }
            only(entry, ENTRY, path + ".", "a manifest entry");
            entries.add(new ReleaseManifest.Entry(string(entry, "service", path + ".service"), string(entry, "image", path + ".image")));
        }
        return new ReleaseManifest(entries, string(manifest, "reason", "reason"));
    }

    /** A string member (null when absent or JSON null; the planner says what is required). */
    private static String string(Map<?, ?> object, String member, String path) {
        Object node = object.get(member);
        if (node == null) {
            return null;
        }
        if (!(node instanceof String text)) {
            throw new InvalidRequestException(path, "must be a string, not " + Json.kind(node));
        }
        return text.isEmpty() ? null : text;
    }

    private static void only(Map<?, ?> object, Set<String> allowed, String prefix, String what) {
        for (Object key : object.keySet()) {
            String name = (String) key;
            if (!allowed.contains(name)) {
                String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
                throw new InvalidRequestException(prefix + Fields.printableOrEscaped(shown), "is not a field of " + what
                        + " (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }
}

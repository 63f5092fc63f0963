package dev.pushdeploy.local.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.local.template.AwsNames;
import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.local.template.PhysicalIds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates and updates the local stack in the emulator from the expanded template, the way
 * CloudFormation would: resources in dependency order, each evaluated with the physical ids of
 * those created before it; on a later deploy, a resource whose evaluated properties changed is
 * updated (a task definition is replaced: a new revision). The types the local runtime needs
 * are created by {@link ResourceProvisioner}; custom resources are provided by the stack's own
 * functions ({@link CustomResources}); a nested stack ({@link Deployment#nested}) is deployed the
 * same way, its resources under ids of their own, and updated on every deploy of its parent (its
 * SSM-typed parameters read again when its turn comes), as CloudFormation updates nested stacks;
 * the others exist by name only ({@link AwsNames} names, placeholders for ids AWS would assign).
 */
final class LocalCloudFormation implements PhysicalIds {
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!][^}]*)}");

    private final ResourceProvisioner provisioner;
    private final CustomResources custom;
    private final AwsNames names = PipelineTemplate.localNames().withPlaceholders();
    private final Map<String, String> ids = new HashMap<>();
    private final Map<String, JsonNode> applied = new LinkedHashMap<>();
    private final Map<String, LocalCloudFormation> nested = new HashMap<>();

    LocalCloudFormation(ResourceProvisioner provisioner, CustomResources custom) {
        this.provisioner = provisioner;
        this.custom = custom;
    }

    /** Forgets every resource (the emulator was reset). */
    void reset() {
        ids.clear();
        applied.clear();
        nested.clear();
    }

    /**
     * Creates the stack, or updates what changed since the last deploy.
     *
     * @param ssm the values of the Parameter Store parameters the SSM-typed parameters of the
     *            template and its nested stacks name
     */
    PipelineTemplate deploy(PipelineTemplate.LocalTemplate template, Function<String, Optional<String>> ssm) {
        PipelineTemplate deployed = template.deploy(ssm, this);
        apply(deployed.deployment());
        return deployed;
    }

    private void apply(Deployment stack) {
        List<Runnable> cleanup = new ArrayList<>();
        for (String id : order(stack.template())) {
            String type = stack.template().type(id);
            boolean exists = stack.exists(id);
            if (Deployment.STACK.equals(type)) {
                if (exists) {
                    nested(id).apply(stack.nested(id));
                    applied.put(id, stack.properties(id));
                } else if (applied.containsKey(id)) {
                    throw new IllegalStateException("the local stack cannot delete nested stack " + id);
                }
            } else if (CustomResources.isCustom(type)) {
                provideCustom(stack, id, exists, cleanup);
            } else if (provisioner.creates(type)) {
                if (!exists) {
                    if (applied.containsKey(id)) {
                        throw new IllegalStateException("the local stack cannot delete " + id + " (" + type + ")");
                    }
                    continue;
                }
                JsonNode properties = stack.properties(id);
                JsonNode before = applied.get(id);
                if (before == null) {
                    ids.putAll(provisioner.create(new PipelineTemplate(stack), id, properties));
                } else if (!before.equals(properties)) {
                    ids.putAll(provisioner.update(new PipelineTemplate(stack), id, before, properties));
                }
                applied.put(id, properties);
            }
        }
        cleanup.forEach(Runnable::run);
    }

    /**
     * Creates or updates a custom resource; one that left the stack, or that an update replaced
     * (a new physical id), is deleted in the clean-up after every other resource, as CloudFormation does.
     */
    private void provideCustom(Deployment stack, String id, boolean exists, List<Runnable> cleanup) {
        JsonNode before = applied.get(id);
        String physicalId = ids.get(id);
        if (!exists) {
            if (before != null) {
                forget(id);
                cleanup.add(() -> custom.delete(stack, id, physicalId, before));
            }
            return;
        }
        JsonNode properties = stack.properties(id);
        CustomResources.Response response;
        if (before == null) {
            response = custom.create(stack, id, properties);
        } else if (!before.equals(properties)) {
            response = custom.update(stack, id, physicalId, before, properties);
            if (!response.physicalId().equals(physicalId)) {
                cleanup.add(() -> custom.delete(stack, id, physicalId, before));
            }
        } else {
            return;
        }
        forget(id);
        ids.put(id, response.physicalId());
        response.data().forEach((key, value) -> ids.put(id + "." + key, value));
        applied.put(id, properties);
    }

    private void forget(String id) {
        applied.remove(id);
        ids.keySet().removeIf(key -> key.equals(id) || key.startsWith(id + "."));
    }

    @Override
    public LocalCloudFormation nested(String logicalId) {
        return nested.computeIfAbsent(logicalId, k -> new LocalCloudFormation(provisioner, custom));
    }

    @Override
    public String ref(Deployment stack, String logicalId) {
        String known = ids.get(logicalId);
        return known != null ? known : names.ref(stack, logicalId);
    }

    @Override
    public String getAtt(Deployment stack, String logicalId, String attribute) {
        String known = ids.get(logicalId + "." + attribute);
        return known != null ? known : names.getAtt(stack, logicalId, attribute);
    }

    /** The resources so that each comes after those it refers to (Ref, Fn::GetAtt, Fn::Sub, DependsOn). */
    static List<String> order(CfnTemplate template) {
        Map<String, Set<String>> dependencies = new LinkedHashMap<>();
        template.resources().forEach((id, resource) -> {
            Set<String> on = new LinkedHashSet<>();
            references(resource.path("Properties"), template, on);
            JsonNode dependsOn = resource.path("DependsOn");
            if (dependsOn.isTextual()) {
                on.add(dependsOn.asText());
            }
            dependsOn.forEach(d -> on.add(d.asText()));
            on.remove(id);
            dependencies.put(id, on);
        });
        List<String> ordered = new ArrayList<>();
        Set<String> visiting = new HashSet<>();
        dependencies.keySet().forEach(id -> visit(id, dependencies, visiting, ordered));
        return ordered;
    }

    private static void visit(String id, Map<String, Set<String>> dependencies, Set<String> visiting, List<String> ordered) {
        if (ordered.contains(id)) {
            return;
        }
        if (!visiting.add(id)) {
            throw new IllegalStateException("circular dependency through " + id);
        }
        for (String dependency : dependencies.get(id)) {
            if (!dependencies.containsKey(dependency)) {
                throw new IllegalStateException(id + " depends on " + dependency + ", which is not a resource of the template");
            }
            visit(dependency, dependencies, visiting, ordered);
        }
        visiting.remove(id);
        ordered.add(id);
    }

    private static void references(JsonNode node, CfnTemplate template, Set<String> into) {
        if (node.isObject() && node.size() == 1) {
            String key = node.fieldNames().next();
            JsonNode args = node.get(key);
            switch (key) {
                case "Ref" -> resource(args.asText(), template, into);
                case "Fn::GetAtt" -> resource(args.isArray() ? args.get(0).asText() : args.asText().split("\\.")[0], template, into);
                case "Fn::Sub" -> {
                    Matcher m = SUB_VARIABLE.matcher(args.isArray() ? args.get(0).asText() : args.asText());
                    while (m.find()) {
                        resource(m.group(1).split("\\.")[0], template, into);
                    }
                }
                default -> {
                }
            }
        }
        node.forEach(child -> references(child, template, into));
    }

    private static void resource(String name, CfnTemplate template, Set<String> into) {
        if (!template.resource(name).isMissingNode()) {
            into.add(name);
        }
    }
}

package dev.pushdeploy.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The network of one deployment as AWS would route and filter it: subnets and their VPCs and
 * ranges, route tables (the VPC's local route plus the template's routes), Transit Gateway
 * attachments, route-table associations and propagations, and security group rules (inline and
 * separate; a group without egress rules keeps AWS's allow-all egress; a group reference matches only
 * within one VPC). Everything is read from the evaluated template, nothing is assumed.
 */
final class Network {
    /** One end of a connection: a security group in a subnet. */
    record Endpoint(String group, String subnet) {
    }

    private final Variant v;
    private final Map<String, String> subnetCidr = new LinkedHashMap<>();
    private final Map<String, String> subnetVpc = new LinkedHashMap<>();
    private final Map<String, String> routeTableOf = new LinkedHashMap<>();

    Network(Variant v) {
        this.v = v;
        for (String subnet : v.resources("AWS::EC2::Subnet")) {
            JsonNode p = v.properties(subnet);
            subnetCidr.put(subnet, p.path("CidrBlock").asText());
            subnetVpc.put(subnet, id(p.path("VpcId")));
        }
        for (String association : v.resources("AWS::EC2::SubnetRouteTableAssociation")) {
            JsonNode p = v.properties(association);
            routeTableOf.put(id(p.path("SubnetId")), id(p.path("RouteTableId")));
        }
    }

    String cidr(String subnet) {
        return require(subnetCidr, subnet);
    }

    String vpc(String subnet) {
        return require(subnetVpc, subnet);
    }

    Map<String, String> subnets() {
        return subnetCidr;
    }

    String vpcCidr(String vpc) {
        return v.properties(vpc).path("CidrBlock").asText();
    }

    /** A TCP connection on {@code port} from one endpoint to the other: routes both ways and both groups allow it. */
    boolean reaches(Endpoint from, Endpoint to, int port) {
        return routes(from.subnet(), to.subnet()) && routes(to.subnet(), from.subnet())
                && egressAllows(from, to, port) && ingressAllows(to, from, port);
    }

    /** Whether packets from {@code from} reach {@code to}'s subnet: same VPC, or a route through a Transit Gateway that carries the range. */
    boolean routes(String from, String to) {
        if (vpc(from).equals(vpc(to))) {
            return true;
        }
        String table = routeTableOf.get(from);
        if (table == null) {
            return false;
        }
        for (String route : v.resources("AWS::EC2::Route")) {
            JsonNode p = v.properties(route);
            if (id(p.path("RouteTableId")).equals(table) && p.has("TransitGatewayId")
                    && Cidr.contains(p.path("DestinationCidrBlock").asText(), cidr(to))
                    && transitCarries(id(p.path("TransitGatewayId")), vpc(from), vpc(to))) {
                return true;
            }
        }
        return false;
    }

    /** The gateway has an attachment in each VPC, and the source's attachment is associated with a table the destination's propagates to. */
    private boolean transitCarries(String gateway, String fromVpc, String toVpc) {
        Optional<String> fromAttachment = attachment(gateway, fromVpc);
        Optional<String> toAttachment = attachment(gateway, toVpc);
        if (fromAttachment.isEmpty() || toAttachment.isEmpty()) {
            return false;
        }
        for (String association : v.resources("AWS::EC2::TransitGatewayRouteTableAssociation")) {
            JsonNode a = v.properties(association);
            if (!id(a.path("TransitGatewayAttachmentId")).equals(fromAttachment.get())) {
                continue;
            }
            String table = id(a.path("TransitGatewayRouteTableId"));
            for (String propagation : v.resources("AWS::EC2::TransitGatewayRouteTablePropagation")) {
                JsonNode p = v.properties(propagation);
                if (id(p.path("TransitGatewayRouteTableId")).equals(table)
                        && id(p.path("TransitGatewayAttachmentId")).equals(toAttachment.get())) {
                    return true;
                }
            }
        }
        return false;
    }

    Optional<String> attachment(String gateway, String vpc) {
        return v.resources("AWS::EC2::TransitGatewayAttachment").stream()
                .filter(a -> id(v.properties(a).path("TransitGatewayId")).equals(gateway) && id(v.properties(a).path("VpcId")).equals(vpc))
                .findFirst();
    }

    List<String> attachmentSubnets(String attachment) {
        List<String> subnets = new ArrayList<>();
        v.properties(attachment).path("SubnetIds").forEach(s -> subnets.add(id(s)));
        return subnets;
    }

    private boolean egressAllows(Endpoint from, Endpoint to, int port) {
        List<JsonNode> rules = rules(from.group(), "SecurityGroupEgress", "AWS::EC2::SecurityGroupEgress");
        if (rules.isEmpty()) {
            return true;
        }
        return rules.stream().anyMatch(r -> covers(r, port) && (sameVpcGroup(r.path("DestinationSecurityGroupId"), to, from)
                || r.has("CidrIp") && Cidr.contains(r.path("CidrIp").asText(), cidr(to.subnet()))));
    }

    private boolean ingressAllows(Endpoint to, Endpoint from, int port) {
        return rules(to.group(), "SecurityGroupIngress", "AWS::EC2::SecurityGroupIngress").stream()
                .anyMatch(r -> covers(r, port) && (sameVpcGroup(r.path("SourceSecurityGroupId"), from, to)
                        || r.has("CidrIp") && Cidr.contains(r.path("CidrIp").asText(), cidr(from.subnet()))));
    }

    private boolean sameVpcGroup(JsonNode reference, Endpoint other, Endpoint self) {
        return !reference.isMissingNode() && id(reference).equals(other.group()) && vpc(other.subnet()).equals(vpc(self.subnet()));
    }

    /** Inline rules of a group and the separate rule resources attached to it, evaluated. */
    List<JsonNode> rules(String group, String inline, String separateType) {
        List<JsonNode> rules = new ArrayList<>();
        v.properties(group).path(inline).forEach(rules::add);
        for (String rule : v.resources(separateType)) {
            JsonNode p = v.properties(rule);
            if (id(p.path("GroupId")).equals(group)) {
                rules.add(p);
            }
        }
        return rules;
    }

    private static boolean covers(JsonNode rule, int port) {
        String protocol = rule.path("IpProtocol").asText();
        if (protocol.equals("-1")) {
            return true;
        }
        return (protocol.equals("tcp") || protocol.equals("6"))
                && rule.path("FromPort").asInt() <= port && port <= rule.path("ToPort").asInt();
    }

    /** The logical id a placeholder ({@code {Id}} or {@code {Id.Attribute}}) stands for. */
    static String id(JsonNode placeholder) {
        String text = placeholder.asText();
        if (!text.startsWith("{") || !text.endsWith("}")) {
            throw new IllegalArgumentException("not a resource placeholder: " + placeholder);
        }
        String inner = text.substring(1, text.length() - 1);
        return inner.contains(".") ? inner.substring(0, inner.indexOf('.')) : inner;
    }

    private static String require(Map<String, String> map, String key) {
        String value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no subnet " + key + " in this deployment");
        }
        return value;
    }

    /** IPv4 CIDR arithmetic. */
    static final class Cidr {
        private Cidr() {
        }

        static long address(String cidr) {
            long a = 0;
            for (String octet : cidr.split("/")[0].split("\\.")) {
                a = a << 8 | Integer.parseInt(octet);
            }
            return a;
        }

        static int prefix(String cidr) {
            return Integer.parseInt(cidr.split("/")[1]);
        }

        /** Whether {@code outer} contains all of {@code inner}. */
        static boolean contains(String outer, String inner) {
            if (!outer.contains("/") || !inner.contains("/")) {
                return false;
            }
            int p = prefix(outer);
            long mask = p == 0 ? 0 : 0xFFFFFFFFL << (32 - p) & 0xFFFFFFFFL;
            return prefix(inner) >= p && (address(inner) & mask) == (address(outer) & mask);
        }

        static boolean overlap(String a, String b) {
            return contains(a, b) || contains(b, a);
        }

        /** Whether the address is the network address of its prefix (as EC2 requires of a subnet). */
        static boolean aligned(String cidr) {
            int p = prefix(cidr);
            long host = p == 32 ? 0 : (1L << (32 - p)) - 1;
            return (address(cidr) & host) == 0;
        }
    }
}

package dev.pushdeploy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An IPv4 CIDR block, as a VPC's range is written ({@code 10.0.0.0/16}). */
public record Ipv4Range(long base, int prefix) {
    /** @throws IllegalArgumentException when {@code cidr} is not an IPv4 CIDR block */
    public static Ipv4Range parse(String cidr) {
        String[] parts = cidr == null ? new String[0] : cidr.split("/", -1);
        String[] octets = parts.length == 2 ? parts[0].split("\\.", -1) : new String[0];
        if (octets.length != 4) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 CIDR block such as 10.0.0.0/16");
        }
        try {
            long base = 0;
            for (String octet : octets) {
                int value = Integer.parseInt(octet);
                if (value < 0 || value > 255) {
                    throw new NumberFormatException(octet);
                }
                base = base << 8 | value;
            }
            int prefix = Integer.parseInt(parts[1]);
            if (prefix < 0 || prefix > 32) {
                throw new NumberFormatException(parts[1]);
            }
            return new Ipv4Range(base, prefix);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 CIDR block such as 10.0.0.0/16");
        }
    }

    /** Whether an address lies in both blocks (one contains the other's first address). */
    public boolean overlaps(Ipv4Range other) {
        int shorter = Math.min(prefix, other.prefix);
        long mask = shorter == 0 ? 0 : 0xFFFFFFFFL << (32 - shorter) & 0xFFFFFFFFL;
        return (base & mask) == (other.base & mask);
    }

    /**
     * The first two of {@code named} blocks (name to CIDR block) that overlap, as "NAME RANGE and NAME RANGE"; empty when
     * none does.
     *
     * @throws IllegalArgumentException naming the block that is no IPv4 CIDR block
     */
    public static Optional<String> overlapping(Map<String, String> named) {
        List<Map.Entry<String, String>> blocks = new ArrayList<>(named.entrySet());
        List<Ipv4Range> ranges = new ArrayList<>();
        for (Map.Entry<String, String> block : blocks) {
            try {
                ranges.add(parse(block.getValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(block.getKey() + ": " + e.getMessage(), e);
            }
        }
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = i + 1; j < ranges.size(); j++) {
                if (ranges.get(i).overlaps(ranges.get(j))) {
                    return Optional.of(blocks.get(i).getKey() + " " + blocks.get(i).getValue() + " and " + blocks.get(j).getKey() + " "
                            + blocks.get(j).getValue());
                }
            }
        }
        return Optional.empty();
    }
}

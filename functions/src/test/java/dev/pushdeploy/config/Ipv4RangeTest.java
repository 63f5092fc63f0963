package dev.pushdeploy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4RangeTest {
    @ParameterizedTest(name = "{0} and {1}: {2}")
    @CsvSource({
            "10.0.0.0/16, 10.1.0.0/16, false",
            "10.0.0.0/16, 10.0.128.0/22, true",
            "10.0.128.0/22, 10.0.0.0/16, true",
            "10.0.0.0/17, 10.0.0.0/16, true",
            "10.0.0.0/17, 10.0.128.0/17, false",
            "10.0.0.0/16, 10.0.0.0/16, true",
            "10.0.0.0/16, 172.16.0.0/16, false",
            "10.0.255.252/30, 10.0.255.254/32, true",
            "0.0.0.0/0, 192.168.0.0/16, true",
            "192.168.0.0/24, 192.168.1.0/24, false",
    })
    void overlapIsSharingAnAddress(String a, String b, boolean overlap) {
        assertEquals(overlap, Ipv4Range.parse(a).overlaps(Ipv4Range.parse(b)));
        assertEquals(overlap, Ipv4Range.parse(b).overlaps(Ipv4Range.parse(a)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0", "10.0.0/16", "10.0.0.256/16", "10.0.0.0/33", "10.0.0.0/-1", "a.b.c.d/8", "10.0.0.0/16/2"})
    void whatIsNoCidrBlockIsRefusedNamingIt(String cidr) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Range.parse(cidr));
        assertEquals("'" + cidr + "' is not an IPv4 CIDR block such as 10.0.0.0/16", e.getMessage());
    }

    @Test
    void theFirstOverlappingPairIsNamedAndABadBlockToo() {
        java.util.Map<String, String> named = new java.util.LinkedHashMap<>();
        named.put("VpcCidr", "10.0.0.0/16");
        named.put("DatabaseVpcCidr", "10.1.0.0/22");
        assertEquals(java.util.Optional.empty(), Ipv4Range.overlapping(named));
        named.put("OtherCidr", "10.0.4.0/24");
        assertEquals(java.util.Optional.of("VpcCidr 10.0.0.0/16 and OtherCidr 10.0.4.0/24"), Ipv4Range.overlapping(named));
        named.put("DatabaseVpcCidr", "10.1.0.0");
        assertEquals("DatabaseVpcCidr: '10.1.0.0' is not an IPv4 CIDR block such as 10.0.0.0/16",
                assertThrows(IllegalArgumentException.class, () -> Ipv4Range.overlapping(named)).getMessage());
    }

    @Test
    void nullIsNoCidrBlock() {
        assertThrows(IllegalArgumentException.class, () -> Ipv4Range.parse(null));
    }
}

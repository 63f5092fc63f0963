package dev.pushdeploy.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.adapter.aws.SsmSlotParameters;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The slot parameters Parameter Store no longer holds, asked of the emulator's SSM ten names a call. */
@ExtendWith(EmulatorExtension.class)
class SsmSlotParametersIT {
    @Test
    void namesTheParametersParameterStoreHoldsNoneOfInTheirOrderPastTenNames(Emulator emulator) {
        SsmClient ssm = emulator.client(SsmClient.builder());
        String base = "/pushdeploy/web-" + UUID.randomUUID() + "/KEY";
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String name = base + i + "/a";
            ParameterType type = i % 2 == 0 ? ParameterType.SECURE_STRING : ParameterType.STRING;
            names.add(name);
            if (i != 3 && i != 11) {
                ssm.putParameter(r -> r.name(name).value("s3cret").type(type));
            }
        }
        SsmSlotParameters parameters = new SsmSlotParameters(() -> ssm);

        assertEquals(List.of(base + "3/a", base + "11/a"), parameters.absent(names));
        assertEquals(List.of(), parameters.absent(names.subList(4, 10)));
        assertEquals(List.of(base + "11/a"), parameters.absent(List.of(base + "11/a")));
    }
}

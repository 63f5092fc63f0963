package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.local.template.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Audit: the scan gate claims enhanced scanning (ScanEventsRule routes Amazon Inspector's "Inspector2 Scan"; README: "or
 * Amazon Inspector's "Inspector2 Scan" (enhanced scanning)"), and with it ECR's DescribeImageScanFindings reads the
 * findings from Amazon Inspector as the caller: "Amazon ECR enhanced scanning requires ... that the IAM principal enabling
 * and using enhanced scanning has permissions to call the Amazon Inspector APIs needed for scanning", the policy given
 * there granting inspector2:ListFindings and inspector2:ListCoverage "to ... retrieve the scan findings"
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced-iam.html). Without them the call is
 * denied ("is not authorized to perform: inspector2:ListFindings", github.com/alexjurkiewicz/ecr-scan-image/issues/19),
 * an AccessDenied the gate does not retry as transient: every gated push ends FailedBeforeDeployment.
 */
class EnhancedScanPermissionsTest {
    private static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "1".repeat(64);
    private static final Deployment GATED = Deployments.withRelease(Map.of("EnableScanGate", "true"), IMAGE);

    @Test
    void theRolesThatReadScanFindingsMayReadThemFromInspectorUnderEnhancedScanning() {
        List<String> missing = new ArrayList<>();
        for (String role : List.of("ScanGateFunctionRole", "ScanEventsFunctionRole")) {
            List<Iam.Statement> statements = Iam.statements(GATED, role);
            assertTrue(Iam.allows(statements, "ecr:DescribeImageScanFindings", null), role + " reads the scan findings");
            for (String action : List.of("inspector2:ListFindings", "inspector2:ListCoverage")) {
                if (!Iam.allows(statements, action, null)) {
                    missing.add(role + " lacks " + action);
                }
            }
        }
        assertEquals(List.of(), missing, "with enhanced scanning (Amazon Inspector), which ScanEventsRule's \"Inspector2 Scan\" "
                + "claims, DescribeImageScanFindings needs the caller to hold Amazon Inspector's read permissions "
                + "(ECR user guide, image-scanning-enhanced-iam); without them every gated push is denied and ends "
                + "FailedBeforeDeployment");
    }
}

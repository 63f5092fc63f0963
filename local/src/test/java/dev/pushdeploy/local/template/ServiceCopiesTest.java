package dev.pushdeploy.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import org.junit.jupiter.api.Test;

class ServiceCopiesTest {
    static final String TEMPLATE = """
            {"Parameters": {"SecondServiceName": {"Type": "String", "Default": ""}},
             "Conditions": {"HasSecondService": {"Fn::Not": [{"Fn::Equals": [{"Ref": "SecondServiceName"}, ""]}]}},
             "Resources": {
               "Repository": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "web"}},
               "SecondRepository": {"Type": "AWS::ECR::Repository", "Condition": "HasSecondService",
                 "Properties": {"RepositoryName": {"Ref": "SecondServiceName"}}},
               "Role": {"Type": "AWS::IAM::Role", "Properties": {"Resources": [{"Fn::GetAtt": ["Repository", "Arn"]},
                 {"Fn::If": ["HasSecondService", {"Fn::GetAtt": ["SecondRepository", "Arn"]}, {"Ref": "AWS::NoValue"}]}]}},
               "Config": {"Type": "AWS::SSM::Parameter", "Properties": {"Value": {"Fn::Sub": ["[web${More}]",
                 {"More": {"Fn::If": ["HasSecondService", {"Fn::Sub": ",${SecondServiceName}"}, ""]}}]}}}%s}}
            """;

    @Test
    void eachCopyRenamesTheBlockAndFollowsTheSecondServiceInListsAndSubVariables() {
        JsonNode three = ServiceCopies.withServices(Json.tree(TEMPLATE.formatted("")), 3);
        assertEquals("{\"Ref\":\"Service3ServiceName\"}", three.at("/Resources/Service3Repository/Properties/RepositoryName").toString());
        assertEquals("HasService3Service", three.at("/Resources/Service3Repository/Condition").asText());
        assertTrue(three.at("/Conditions/HasService3Service").toString().contains("Service3ServiceName"));
        assertEquals("{\"Fn::If\":[\"HasService3Service\",{\"Fn::GetAtt\":[\"Service3Repository\",\"Arn\"]},{\"Ref\":\"AWS::NoValue\"}]}",
                three.at("/Resources/Role/Properties/Resources/2").toString());
        assertEquals("[web${More}${More3}]", three.at("/Resources/Config/Properties/Value/Fn::Sub/0").asText());
        assertEquals(",${Service3ServiceName}", three.at("/Resources/Config/Properties/Value/Fn::Sub/1/More3/Fn::If/1/Fn::Sub").asText());
        assertEquals(Json.tree(TEMPLATE.formatted("")), ServiceCopies.withServices(Json.tree(TEMPLATE.formatted("")), 2));
    }

    @Test
    void aReferenceToTheSecondServiceOutsideAListOrASubVariableFails() {
        String scalar = ", \"Alarm\": {\"Type\": \"AWS::CloudWatch::Alarm\", \"Properties\": {\"Name\": {\"Ref\": \"SecondServiceName\"}}}";
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ServiceCopies.withServices(Json.tree(TEMPLATE.formatted(scalar)), 3));
        assertTrue(e.getMessage().startsWith("cannot repeat the second service: Resources.Alarm.Properties.Name refers to it"),
                e.getMessage());
    }
}

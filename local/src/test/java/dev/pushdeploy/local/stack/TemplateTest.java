package dev.pushdeploy.local.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TemplateTest {
    static final String YAML = """
            Parameters:
              AppName: {Type: String, Default: web}
              Cluster: {Type: String, Default: pushdeploy}
              Email: {Type: String, Default: ''}
              Countries: {Type: CommaDelimitedList, Default: 'KP,IR'}
            Conditions:
              HasEmail: !Not [!Equals [!Ref Email, '']]
              NoEmail: !Not [!Condition HasEmail]
            Globals:
              Function:
                AutoPublishAlias: live
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
              Topic:
                Type: AWS::SNS::Topic
                Properties: {TopicName: !Sub '${Cluster}-outcomes'}
              Config:
                Type: AWS::SSM::Parameter
                Properties:
                  Name: !Sub '/${Cluster}/config'
                  Value: !Sub
                    - '{"service": "${AppName}", "key": "${Key.Arn}"${Extra}}'
                    - Extra: !If [HasEmail, ', "email": true', '']
              Key:
                Type: AWS::KMS::Key
              Fn:
                Type: AWS::Serverless::Function
              Mail:
                Type: AWS::SNS::Subscription
                Condition: HasEmail
            """;

    final Template template = Template.parse(YAML, Path.of("."));

    @Test
    void refsGiveTheLocalStacksPhysicalNamesAndArns() {
        assertEquals("pushdeploy-Table", template.ref("Table"));
        assertEquals("arn:aws:sns:us-east-1:123456789012:pushdeploy-outcomes", template.ref("Topic"));
        assertEquals("/pushdeploy/config", template.ref("Config"));
        assertEquals("web", template.ref("AppName"));
        assertEquals("us-east-1", template.ref("AWS::Region"));
        assertEquals("arn:aws:lambda:us-east-1:123456789012:function:Fn:live", template.ref("Fn.Alias"));
    }

    @Test
    void getAttGivesArns() {
        assertEquals("arn:aws:lambda:us-east-1:123456789012:function:Fn", template.getAtt("Fn", "Arn"));
        assertEquals("arn:aws:dynamodb:us-east-1:123456789012:table/pushdeploy-Table", template.getAtt("Table", "Arn"));
    }

    @Test
    void subWithVariablesAndConditionsResolvesToTheDocument() {
        JsonNode value = template.resource("Config").orElseThrow().path("Properties").path("Value");
        assertEquals("{\"service\": \"web\", \"key\": \"arn:aws:kms:us-east-1:123456789012:key/pushdeploy-Key\"}",
                template.resolveText(value));
    }

    @Test
    void conditionsDecideWhichResourcesExist() {
        assertFalse(template.resources("AWS::SNS::Subscription").containsKey("Mail"));
        assertEquals(1, template.resources("AWS::SNS::Topic").size());
    }

    @Test
    void listParametersJoinSelectAndSplit() {
        assertEquals("KP|IR", template.resolveText(CfnYaml.parse("!Join ['|', !Ref Countries]")));
        assertEquals("IR", template.resolveText(CfnYaml.parse("!Select [1, !Ref Countries]")));
        assertEquals("b", template.resolveText(CfnYaml.parse("!Select [1, !Split ['/', 'a/b/c']]")));
        assertEquals("${literal}", template.resolveText(CfnYaml.parse("!Sub '${!literal}'")));
    }

    @Test
    void noValueRemovesAProperty() {
        JsonNode resolved = template.resolve(CfnYaml.parse("{A: 1, B: !If [HasEmail, 2, !Ref AWS::NoValue]}"));
        assertEquals("{\"A\":1}", resolved.toString());
    }

    @Test
    void unknownReferencesAndUnsupportedFunctionsSayWhat() {
        assertEquals("Ref to unknown Nope",
                assertThrows(IllegalArgumentException.class, () -> template.ref("Nope")).getMessage());
        assertEquals("Fn::ImportValue is not supported by the local runtime",
                assertThrows(IllegalArgumentException.class,
                        () -> template.resolve(CfnYaml.parse("!ImportValue shared"))).getMessage());
    }

    @Test
    void shortFormIntrinsicsBecomeTheLongForm() {
        assertEquals("{\"Fn::GetAtt\":[\"Key\",\"Arn\"]}", CfnYaml.parse("!GetAtt Key.Arn").toString());
        assertEquals("{\"Ref\":\"Key\"}", CfnYaml.parse("!Ref Key").toString());
        assertEquals("{\"Fn::Equals\":[{\"Ref\":\"A\"},\"\"]}", CfnYaml.parse("!Equals [!Ref A, '']").toString());
    }
}

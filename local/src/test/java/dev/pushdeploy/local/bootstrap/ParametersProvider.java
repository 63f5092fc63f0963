package dev.pushdeploy.local.bootstrap;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.handler.Env;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.ops.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * A custom resource provider for the tests (CloudFormation's protocol): on Create and Update it
 * creates each String parameter of {@code Names} that is missing, with {@code none}, and answers
 * SUCCESS with {@code Data.Created} (how many it created); on Delete it answers SUCCESS. Its
 * answer is PUT to the request's ResponseURL, as a Lambda-backed provider does. The properties
 * steer it: {@code Fail} (a reason: it answers FAILED), {@code Answer} ({@code none}: it returns
 * without answering; {@code throw}: it throws; {@code skip}: it answers SUCCESS having created nothing), {@code ReplaceOnUpdate} ({@code true}: an Update
 * answers a new physical id). Every request it received is kept in {@link #REQUESTS}.
 */
public final class ParametersProvider implements RequestStreamHandler {
    static final List<JsonNode> REQUESTS = new CopyOnWriteArrayList<>();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final SsmClient ssm = new Clients(URI.create(Env.require("ENDPOINT"))).build(SsmClient.builder());

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
        JsonNode request = Json.tree(in);
        REQUESTS.add(request);
        JsonNode properties = request.path("ResourceProperties");
        String type = request.path("RequestType").asText();
        if (properties.path("Answer").asText().equals("throw")) {
            throw new IllegalStateException("the provider broke");
        }
        ObjectNode response = Json.object();
        response.put("StackId", request.path("StackId").asText());
        response.put("RequestId", request.path("RequestId").asText());
        response.put("LogicalResourceId", request.path("LogicalResourceId").asText());
        String physicalId = request.path("PhysicalResourceId").asText("parameters-" + request.path("RequestId").asText());
        if (type.equals("Update") && properties.path("ReplaceOnUpdate").asText().equals("true")) {
            physicalId = "parameters-" + request.path("RequestId").asText();
        }
        response.put("PhysicalResourceId", physicalId);
        if (!properties.path("Fail").asText().isEmpty()) {
            response.put("Status", "FAILED");
            response.put("Reason", properties.path("Fail").asText());
        } else {
            int created = 0;
            if (!type.equals("Delete") && !properties.path("Answer").asText().equals("skip")) {
                for (JsonNode name : properties.path("Names")) {
                    try {
                        ssm.putParameter(r -> r.name(name.asText()).type(ParameterType.STRING).value("none").overwrite(false));
                        created++;
                    } catch (ParameterAlreadyExistsException exists) {
                        // kept as it is: the release it holds stays
                    }
                }
            }
            response.put("Status", "SUCCESS");
            response.putObject("Data").put("Created", String.valueOf(created));
        }
        if (properties.path("Answer").asText().equals("none")) {
            return;
        }
        try {
            HTTP.send(HttpRequest.newBuilder(URI.create(request.path("ResponseURL").asText()))
                    .PUT(HttpRequest.BodyPublishers.ofString(response.toString())).build(), HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while answering", e);
        }
    }
}

package dev.pushdeploy.ops;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * CloudFormation's DescribeStacks, for the outputs of one stack: a SigV4-signed query-protocol
 * call made with the SDK's signer and HTTP client. (The SDK's CloudFormation module is not
 * available at the SDK version this project pins; this is the only CloudFormation call the CLI makes.)
 */
public final class CloudFormation {
    private static final String VERSION = "2010-05-15";

    private final Connection connection;

    public CloudFormation(Connection connection) {
        this.connection = connection;
    }

    /**
     * The outputs of stack {@code name}, key → value.
     *
     * @throws IllegalArgumentException when the stack does not exist
     */
    public Map<String, String> outputs(String name) {
        Document answer = call("DescribeStacks", Map.of("StackName", name));
        Map<String, String> outputs = new LinkedHashMap<>();
        NodeList members = answer.getElementsByTagName("OutputKey");
        for (int i = 0; i < members.getLength(); i++) {
            Element key = (Element) members.item(i);
            NodeList values = ((Element) key.getParentNode()).getElementsByTagName("OutputValue");
            outputs.put(key.getTextContent(), values.getLength() == 0 ? "" : values.item(0).getTextContent());
        }
        return outputs;
    }

    /** CreateStack with an inline template (the local stack registers its outputs this way). */
    public void createStack(String name, String templateBody) {
        call("CreateStack", Map.of("StackName", name, "TemplateBody", templateBody));
    }

    private Document call(String action, Map<String, String> parameters) {
        StringBuilder body = new StringBuilder("Action=" + action + "&Version=" + VERSION);
        parameters.forEach((k, v) -> body.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        byte[] payload = body.toString().getBytes(StandardCharsets.UTF_8);
        URI endpoint = connection.endpointOf("cloudformation", "CLOUDFORMATION");
        SdkHttpFullRequest request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint.resolve("/"))
                .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .build();
        AwsCredentialsIdentity identity = connection.credentials().resolveIdentity().join();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(identity)
                .request(request)
                .payload(ContentStreamProvider.fromByteArray(payload))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "cloudformation")
                .putProperty(AwsV4HttpSigner.REGION_NAME, connection.region().id()));
        try {
            HttpExecuteResponse response = connection.http().prepareRequest(HttpExecuteRequest.builder()
                    .request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null))
                    .build()).call();
            byte[] content;
            try (InputStream in = response.responseBody().map(InputStream.class::cast).orElse(InputStream.nullInputStream())) {
                content = in.readAllBytes();
            }
            Document document = parse(content);
            if (!response.httpResponse().isSuccessful()) {
                String code = text(document, "Code");
                String message = text(document, "Message");
                if ("ValidationError".equals(code) && message != null && message.contains("does not exist")) {
                    throw new IllegalArgumentException("CloudFormation has no stack " + parameters.get("StackName") + " in "
                            + connection.region().id() + " (--stack NAME, or --region)");
                }
                throw new IllegalStateException("cloudformation:" + action + " answered " + response.httpResponse().statusCode()
                        + (code == null ? "" : " " + code) + (message == null ? "" : ": " + message));
            }
            return document;
        } catch (IOException e) {
            throw new UncheckedIOException("cloudformation:" + action + " at " + endpoint + " failed: " + e.getMessage(), e);
        }
    }

    private static Document parse(byte[] content) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder().parse(new ByteArrayInputStream(content));
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("not an XML answer: " + e.getMessage(), e);
        }
    }

    private static String text(Document document, String tag) {
        NodeList nodes = document.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
    }
}

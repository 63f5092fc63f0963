package dev.pushdeploy.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * functions/ builds alone (SAM copies it without a parent POM), so local/pom.xml repeats some of
 * its versions. Every version both POMs name, of a property, a dependency or a plugin, is the
 * same in both; the enforcer's dependencyConvergence covers what each resolves.
 */
class OneVersionTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    @Test
    void bothPomsNameTheSameVersions() throws Exception {
        Pom functions = Pom.read(ROOT.resolve("functions/pom.xml"));
        Pom local = Pom.read(ROOT.resolve("local/pom.xml"));

        Map<String, String> shared = new TreeMap<>();
        functions.versions.forEach((artifact, version) -> {
            if (local.versions.containsKey(artifact)) {
                shared.put(artifact, version);
                assertEquals(version, local.versions.get(artifact), artifact + ": local/pom.xml differs from functions/pom.xml");
            }
        });
        functions.properties.forEach((name, value) -> {
            if (local.properties.containsKey(name)) {
                assertEquals(value, local.properties.get(name), "property " + name + ": local/pom.xml differs from functions/pom.xml");
            }
        });
        assertTrue(shared.containsKey("org.junit.jupiter:junit-jupiter") && shared.containsKey("software.amazon.awssdk:bom"),
                "the comparison found the shared versions: " + shared);
    }

    /** A POM's properties and, per groupId:artifactId, the version it gives (properties replaced). */
    record Pom(Map<String, String> properties, Map<String, String> versions) {
        static Pom read(Path file) throws Exception {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
            Map<String, String> properties = new LinkedHashMap<>();
            NodeList propertyBlocks = doc.getDocumentElement().getElementsByTagName("properties");
            for (int i = 0; i < propertyBlocks.getLength(); i++) {
                NodeList children = propertyBlocks.item(i).getChildNodes();
                for (int j = 0; j < children.getLength(); j++) {
                    if (children.item(j) instanceof Element e) {
                        properties.put(e.getTagName(), e.getTextContent().strip());
                    }
                }
            }
            Map<String, String> versions = new LinkedHashMap<>();
            for (String tag : new String[] {"dependency", "plugin"}) {
                NodeList nodes = doc.getElementsByTagName(tag);
                for (int i = 0; i < nodes.getLength(); i++) {
                    Element e = (Element) nodes.item(i);
                    String version = child(e, "version");
                    if (version != null) {
                        String group = child(e, "groupId");
                        String artifact = (group == null ? "org.apache.maven.plugins" : group) + ":" + child(e, "artifactId");
                        versions.put(artifact, resolve(version, properties));
                    }
                }
            }
            return new Pom(properties, versions);
        }

        private static String child(Element parent, String tag) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals(tag)) {
                    return e.getTextContent().strip();
                }
            }
            return null;
        }

        private static String resolve(String version, Map<String, String> properties) {
            Matcher m = PROPERTY.matcher(version);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(properties.getOrDefault(m.group(1), m.group())));
            }
            return m.appendTail(out).toString();
        }
    }
}

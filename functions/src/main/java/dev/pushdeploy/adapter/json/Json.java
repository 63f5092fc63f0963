package dev.pushdeploy.adapter.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.jr.ob.JSON;
import com.fasterxml.jackson.jr.ob.JacksonJrExtension;
import com.fasterxml.jackson.jr.ob.api.ExtensionContext;
import com.fasterxml.jackson.jr.ob.api.ReaderWriterModifier;
import com.fasterxml.jackson.jr.ob.api.ReaderWriterProvider;
import com.fasterxml.jackson.jr.ob.api.ValueReader;
import com.fasterxml.jackson.jr.ob.api.ValueWriter;
import com.fasterxml.jackson.jr.ob.impl.BeanPropertyIntrospector;
import com.fasterxml.jackson.jr.ob.impl.JSONReader;
import com.fasterxml.jackson.jr.ob.impl.JSONWriter;
import com.fasterxml.jackson.jr.ob.impl.POJODefinition;
import dev.pushdeploy.model.StepError;
import dev.pushdeploy.secrets.SecretValue;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON binding of the functions, on jackson-jr (records by their components, enums by
 * name): unknown fields ignored, nulls omitted, a record component's {@link JsonProperty} name
 * used in both directions, a caught error read in Step Functions' shape ({@link CaughtError}).
 * Trees are plain Java: {@code Map<String, Object>} (in document order), {@code List<Object>},
 * {@code String}, {@code Integer}/{@code Long}/{@code BigInteger}, {@code Double},
 * {@code Boolean} and null. Jackson's databind is not used: a cold start loads a fraction of its
 * classes.
 */
public final class Json {
    private static final JSON LENIENT = JSON.builder()
            .enable(JSON.Feature.WRITE_RECORD_FIELDS_IN_DECLARATION_ORDER)
            .disable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS)
            .register(new Bindings())
            .build();
    private static final JSON STRICT = LENIENT.with(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS);

    private Json() {
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return LENIENT.beanFrom(type, json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON for " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The {@code type} a document holds, which must be a JSON object.
     *
     * @param what names the document in errors
     * @throws IllegalArgumentException naming what is wrong: not JSON, or not an object (and what it is)
     */
    public static <T> T readObject(byte[] json, Class<T> type, String what) {
        String kind = kind(json);
        if (!kind.equals("object")) {
            throw new IllegalArgumentException("expected a JSON object for " + what + ", got " + kind);
        }
        try {
            return LENIENT.beanFrom(type, json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot read " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A document as a tree (see the class comment); a key given twice keeps its last value. */
    public static Object parse(String json) {
        return parse(LENIENT, json);
    }

    /**
     * A document as a tree, read strictly: a key given twice in one object and anything after the
     * value are errors.
     *
     * @throws IllegalArgumentException with the parser's message
     */
    public static Object parseStrict(String json) {
        return parse(STRICT, json);
    }

    private static Object parse(JSON json, String text) {
        try (JsonParser parser = json.createParser(text)) {
            Object value = json.anyFrom(parser);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("not valid JSON: trailing token after the value: " + parser.currentToken());
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON type of a tree node: object, array, string, number, boolean or null. */
    public static String kind(Object node) {
        return switch (node) {
            case null -> "null";
            case Map<?, ?> map -> "object";
            case List<?> list -> "array";
            case String text -> "string";
            case Number number -> "number";
            case Boolean bool -> "boolean";
            default -> node.getClass().getSimpleName();
        };
    }

    /** The JSON type of a document's value ({@link #kind(Object)}), or "nothing" for an empty one. */
    private static String kind(byte[] json) {
        try (JsonParser parser = LENIENT.createParser(json)) {
            JsonToken first = parser.nextToken();
            return first == null ? "nothing" : switch (first) {
                case START_OBJECT -> "object";
                case START_ARRAY -> "array";
                case VALUE_STRING -> "string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
                case VALUE_TRUE, VALUE_FALSE -> "boolean";
                case VALUE_NULL -> "null";
                default -> first.name().toLowerCase(java.util.Locale.ROOT);
            };
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A member of a tree node: null when {@code node} is not an object or has no such member. */
    public static Object member(Object node, String name) {
        return node instanceof Map<?, ?> map ? map.get(name) : null;
    }

    /** A tree, record, list or scalar as a document. */
    public static String write(Object value) {
        try {
            return LENIENT.asString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    public static void write(OutputStream out, Object value) {
        try {
            LENIENT.write(value, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bindings beyond jackson-jr's defaults: {@link StepError}, and {@link JsonProperty} names of record components. */
    private static final class Bindings extends JacksonJrExtension {
        @Override
        protected void register(ExtensionContext context) {
            context.insertProvider(new ReaderWriterProvider() {
                @Override
                public ValueReader findValueReader(JSONReader reader, Class<?> type) {
                    return type == StepError.class ? new CaughtError() : Scalar.of(type);
                }

                @Override
                public ValueWriter findValueWriter(JSONWriter writer, Class<?> type) {
                    return type == SecretValue.class ? Unwritable.SECRET : null;
                }
            });
            context.insertModifier(new ReaderWriterModifier() {
                @Override
                public POJODefinition pojoDefinitionForDeserialization(JSONReader reader, Class<?> type) {
                    return type.isRecord() ? renamed(type, BeanPropertyIntrospector.instance()
                            .pojoDefinitionForDeserialization(reader, type)) : null;
                }

                @Override
                public POJODefinition pojoDefinitionForSerialization(JSONWriter writer, Class<?> type) {
                    return type.isRecord() ? renamed(type, BeanPropertyIntrospector.instance()
                            .pojoDefinitionForSerialization(writer, type)) : null;
                }
            });
        }

        /**
         * A record's definition with each component's {@link JsonProperty} name. Never null:
         * jackson-jr would introspect the record a second time. Other types are left to
         * jackson-jr (null, before any introspection).
         */
        private static POJODefinition renamed(Class<?> type, POJODefinition definition) {
            Map<String, String> names = jsonNames(type);
            if (names.isEmpty()) {
                return definition;
            }
            List<POJODefinition.Prop> properties = new ArrayList<>();
            for (POJODefinition.Prop property : definition.getProperties()) {
                String name = names.get(property.name);
                properties.add(name == null ? property : new POJODefinition.Prop(name, property.name, property.field,
                        property.setter, property.getter, property.isGetter, List.of()));
            }
            return definition.withProperties(properties);
        }

        /**
         * A record's renamed components (component → JSON name). The annotation is on the
         * component's field (its targets do not include record components).
         */
        private static Map<String, String> jsonNames(Class<?> type) {
            Map<String, String> names = new HashMap<>();
            for (Field field : type.getDeclaredFields()) {
                JsonProperty property = field.getAnnotation(JsonProperty.class);
                if (property != null && !property.value().isEmpty() && !Modifier.isStatic(field.getModifiers())) {
                    names.put(field.getName(), property.value());
                }
            }
            return names;
        }
    }
}

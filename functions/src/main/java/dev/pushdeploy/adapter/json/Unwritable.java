package dev.pushdeploy.adapter.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.jr.ob.JSONObjectException;
import com.fasterxml.jackson.jr.ob.api.ValueWriter;
import com.fasterxml.jackson.jr.ob.impl.JSONWriter;
import dev.pushdeploy.secrets.SecretValue;

/** A type that never becomes JSON: writing it fails, so a secret value cannot reach an output, a payload or a log line. */
final class Unwritable implements ValueWriter {
    static final Unwritable SECRET = new Unwritable(SecretValue.class);

    private final Class<?> type;

    private Unwritable(Class<?> type) {
        this.type = type;
    }

    @Override
    public void writeValue(JSONWriter context, JsonGenerator generator, Object value) throws JSONObjectException {
        throw new JSONObjectException(type.getSimpleName() + " is never written as JSON");
    }

    @Override
    public Class<?> valueType() {
        return type;
    }
}

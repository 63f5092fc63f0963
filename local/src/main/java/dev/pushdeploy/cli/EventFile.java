package dev.pushdeploy.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.pushdeploy.ops.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** A JSON file ({@code --event}, a release manifest), read and checked before anything starts; errors name the file and line. */
final class EventFile {
    private EventFile() {
    }

    static String read(CommandSpec spec, Path file) {
        return read(spec, "--event", file);
    }

    /** The file given as {@code label}, which errors name. */
    static String read(CommandSpec spec, String label, Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), label + " " + file + ": no such file");
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), label + " " + file + ": cannot read it (" + e.getMessage() + ")");
        }
        try {
            Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
            throw new CommandLine.ParameterException(spec.commandLine(), label + " " + file + where + ": not valid JSON: "
                    + e.getOriginalMessage());
        }
        return text;
    }
}

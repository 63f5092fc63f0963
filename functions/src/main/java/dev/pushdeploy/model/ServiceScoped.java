package dev.pushdeploy.model;

/** A step input that belongs to one service; its key ({@code cluster/service}) goes into every log line. */
public interface ServiceScoped {
    String serviceKey();
}

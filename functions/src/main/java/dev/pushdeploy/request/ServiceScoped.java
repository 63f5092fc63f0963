package dev.pushdeploy.request;

/** A step input that belongs to one service; its key ({@code cluster/service}) goes into every log line. */
public interface ServiceScoped {
    String serviceKey();
}

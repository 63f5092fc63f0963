package dev.pushdeploy.model;

/** A step input that carries the {@code $.request}: its service is the request's. */
public interface RequestScoped extends ServiceScoped {
    DeployRequest request();

    @Override
    default String serviceKey() {
        return request() == null ? null : request().serviceKey();
    }
}

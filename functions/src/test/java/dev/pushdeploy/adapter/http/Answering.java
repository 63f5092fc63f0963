package dev.pushdeploy.adapter.http;

import com.sun.net.httpserver.HttpHandler;

/** Handlers of a loopback test server. */
final class Answering {
    private Answering() {
    }

    /** Reads the request's body and answers {@code status} with none. */
    static HttpHandler status(int status) {
        return exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        };
    }
}

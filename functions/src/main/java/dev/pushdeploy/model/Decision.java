package dev.pushdeploy.model;

/** Prepare's verdict on an input, reached before any mutating call. */
public enum Decision {
    PROCEED,
    /** Nothing to do (tag filtered, digest already live, or a pushed digest in flight); the execution succeeds. */
    IGNORED,
    /** The input is invalid; the execution fails with Error REJECTED. */
    REJECTED
}

package dev.pushdeploy.model;

/** What an execution was asked to do. */
public enum Action {
    /** New image (and new secrets) through a rolling deployment. */
    DEPLOY,
    /** Back to the previous or a named task definition revision. */
    ROLLBACK,
    /** New secrets, same image, through a rolling deployment. */
    ROTATE
}

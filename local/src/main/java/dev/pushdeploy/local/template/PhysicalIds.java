package dev.pushdeploy.local.template;

/**
 * What {@code Ref} and {@code Fn::GetAtt} of a template's resources answer in one deployment
 * (which the methods receive, to evaluate the properties a name is made of).
 */
public interface PhysicalIds {
    String ref(Deployment deployment, String logicalId);

    String getAtt(Deployment deployment, String logicalId, String attribute);

    /** The physical ids of the resources of the nested stack {@code logicalId}. */
    PhysicalIds nested(String logicalId);
}

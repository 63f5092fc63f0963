import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Loads each handler named on the command line ({@code class::method}, as in template.yaml) the way
 * the Lambda runtime does at init: the class, its public no-arg constructor, the handler method.
 * Run with exactly the classpath that `sam build` ships (the classes and lib/*).
 */
public class LoadHandlers {
    public static void main(String[] handlers) throws Exception {
        if (handlers.length == 0) {
            throw new IllegalArgumentException("no handler named");
        }
        for (String handler : handlers) {
            String[] parts = handler.split("::", 2);
            Class<?> type = Class.forName(parts[0]);
            Object instance = type.getConstructor().newInstance();
            if (!(instance instanceof RequestStreamHandler)) {
                throw new IllegalStateException(handler + " is not a RequestStreamHandler");
            }
            String method = parts.length == 2 ? parts[1] : "handleRequest";
            type.getMethod(method, InputStream.class, OutputStream.class, Context.class);
            System.out.println("loaded " + handler + " from " + type.getProtectionDomain().getCodeSource().getLocation());
        }
    }
}

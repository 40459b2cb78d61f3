package dev.tracemonitor.ops;

import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.ServiceProcess;
import dev.tracemonitor.testing.ChildJvm;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The child {@code main} of {@link GracefulShutdownTest} (started with {@link ChildJvm}): runs the service exactly as
 * {@code trace-monitor run} does ({@link ServiceProcess}, signal handling included), with the
 * {@link ScriptedJudgeBackend} made slow ({@value #JUDGE_DELAY_MS} milliseconds per call) so that there is work in
 * flight when it is stopped. Usage: {@code SlowJudgeServiceMain <properties file>}.
 */
public final class SlowJudgeServiceMain {

    /** The setting (in the properties file, not a service setting) of each judge call's latency. */
    static final String JUDGE_DELAY_MS = "judge.delay.ms";

    private SlowJudgeServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            props.load(in);
        }
        long delayMillis = Long.parseLong((String) props.remove(JUDGE_DELAY_MS));
        ServiceConfig config = ServiceConfig.of(props).validate();
        int status = ServiceProcess.runUntilSignalled(config, slow(new ScriptedJudgeBackend(), delayMillis),
                new PrintWriter(System.out, true));
        System.exit(status);
    }

    /**
     * The backend, with every judge it makes taking at least {@code delayMillis} per call, like a remote model.
     * Proxies rather than wrapper classes, so that they follow the judge interfaces as these change.
     */
    static JudgeBackend slow(JudgeBackend backend, long delayMillis) {
        return proxy(JudgeBackend.class, (method, args) -> {
            Object made = invoke(method, backend, args);
            return made instanceof Judge judge ? slow(judge, delayMillis) : made;
        });
    }

    private static Judge slow(Judge judge, long delayMillis) {
        return proxy(Judge.class, (method, args) -> {
            if (method.getName().equals("evaluate")) {
                Thread.sleep(delayMillis); // the simulated latency of a model call, not a wait for a condition
            }
            return invoke(method, judge, args);
        });
    }

    private interface Call {
        Object apply(Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<T> type, Call call) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> call.apply(method, args)));
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

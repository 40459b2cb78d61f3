package dev.tracemonitor.service;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings from environment variables, for containers. {@code TRACE_MONITOR_<KEY>} sets the service key whose name,
 * without its {@code trace-monitor.} prefix, upper-cased with {@code .} and {@code -} as {@code _}, is KEY
 * ({@code TRACE_MONITOR_FLUSH_INTERVAL} → {@code trace-monitor.flush.interval}); {@code KAFKA_<KEY>} sets a Kafka
 * client key, lower-cased with {@code _} as {@code .} ({@code KAFKA_BOOTSTRAP_SERVERS} → {@code bootstrap.servers}).
 * Environment values override the properties file. {@value #LOG_LEVEL} is not a setting: logback reads it (the level
 * of the {@code dev.tracemonitor} loggers).
 */
public final class EnvironmentOverrides {

    public static final String SERVICE_PREFIX = "TRACE_MONITOR_";
    public static final String KAFKA_PREFIX = "KAFKA_";
    /** Read by logback.xml, not a setting. */
    public static final String LOG_LEVEL = "TRACE_MONITOR_LOG_LEVEL";

    private EnvironmentOverrides() {
    }

    public static void apply(Map<String, String> env, Properties props) {
        env.forEach((name, value) -> {
            if (name.equals(LOG_LEVEL)) {
                return;
            }
            if (name.startsWith(SERVICE_PREFIX)) {
                props.put(serviceKey(name), value);
            } else if (name.startsWith(KAFKA_PREFIX)) {
                props.put(name.substring(KAFKA_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
    }

    /** The environment variable that sets a key. */
    public static String variableFor(String key) {
        if (key.startsWith(ServiceConfig.SERVICE_PREFIX)) {
            return SERVICE_PREFIX + normalize(key.substring(ServiceConfig.SERVICE_PREFIX.length()));
        }
        return KAFKA_PREFIX + normalize(key);
    }

    static String serviceKey(String variable) {
        String wanted = variable.substring(SERVICE_PREFIX.length());
        if (wanted.startsWith("HADOOP_")) {
            return ServiceConfig.HADOOP_PREFIX + wanted.substring("HADOOP_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
        }
        for (String key : ServiceConfig.CONFIG.names()) {
            if (key.startsWith(ServiceConfig.SERVICE_PREFIX)
                    && normalize(key.substring(ServiceConfig.SERVICE_PREFIX.length())).equals(wanted)) {
                return key;
            }
        }
        throw new ConfigException("environment variable " + variable + " names no trace-monitor setting");
    }

    private static String normalize(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}

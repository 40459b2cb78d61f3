package dev.tracemonitor.serde;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * How to reach a Schema Registry (Confluent, Karapace, Redpanda, or Apicurio under its {@code /apis/ccompat/v7} base
 * URL): base URLs tried in turn, basic-auth user info, TLS trust, and the bounds on retrying. {@link #fromConfig} reads
 * the key names Confluent's serializers use, so existing producer/consumer settings carry over.
 */
public record SchemaRegistrySettings(
        List<URI> urls,
        String userInfo,
        SSLContext sslContext,
        Duration requestTimeout,
        int maxRetries,
        Duration retryBackoff,
        Duration retryBackoffMax) {

    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String REGISTRY_BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String MAX_RETRIES = "schema.registry.max.retries";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(2);

    public SchemaRegistrySettings {
        if (urls == null || urls.isEmpty()) {
            throw new ConfigException(URL, null, "at least one Schema Registry URL is required");
        }
        List<URI> clean = new ArrayList<>();
        for (URI url : urls) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
                throw new ConfigException(URL, url.toString(), "must be an http:// or https:// URL with a host");
            }
            clean.add(withoutUserInfo(url));
        }
        urls = List.copyOf(clean);
        if (userInfo != null && (userInfo.isEmpty() || userInfo.indexOf(':') < 0)) {
            throw new ConfigException(BASIC_AUTH_USER_INFO, "[hidden]", "must have the form user:password");
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new ConfigException(REQUEST_TIMEOUT_MS, requestTimeout, "must be positive");
        }
        if (maxRetries < 0) {
            throw new ConfigException(MAX_RETRIES, maxRetries, "must be at least 0");
        }
        if (retryBackoff == null || retryBackoff.isNegative() || retryBackoffMax == null
                || retryBackoffMax.compareTo(retryBackoff) < 0) {
            throw new ConfigException(RETRY_BACKOFF_MAX_MS, retryBackoffMax, "must be at least " + RETRY_BACKOFF_MS);
        }
    }

    /** One registry URL, no credentials, the JDK's default trust and the default retry bounds. */
    public static SchemaRegistrySettings of(String url) {
        return new SchemaRegistrySettings(List.of(parseUrl(url)), null, null, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BACKOFF, DEFAULT_RETRY_BACKOFF_MAX);
    }

    public SchemaRegistrySettings withUserInfo(String newUserInfo) {
        return new SchemaRegistrySettings(urls, newUserInfo, sslContext, requestTimeout, maxRetries, retryBackoff,
                retryBackoffMax);
    }

    public SchemaRegistrySettings withSslContext(SSLContext newSslContext) {
        return new SchemaRegistrySettings(urls, userInfo, newSslContext, requestTimeout, maxRetries, retryBackoff,
                retryBackoffMax);
    }

    public SchemaRegistrySettings withRetries(int newMaxRetries, Duration newBackoff, Duration newBackoffMax) {
        return new SchemaRegistrySettings(urls, userInfo, sslContext, requestTimeout, newMaxRetries, newBackoff,
                newBackoffMax);
    }

    public SchemaRegistrySettings withRequestTimeout(Duration newRequestTimeout) {
        return new SchemaRegistrySettings(urls, userInfo, sslContext, newRequestTimeout, maxRetries, retryBackoff,
                retryBackoffMax);
    }

    /**
     * Reads {@value #URL} (comma-separated for several instances), basic auth ({@value #BASIC_AUTH_CREDENTIALS_SOURCE}
     * = USER_INFO or URL, with {@value #BASIC_AUTH_USER_INFO} or {@value #REGISTRY_BASIC_AUTH_USER_INFO}), the
     * truststore ({@value #SSL_TRUSTSTORE_LOCATION}, {@value #SSL_TRUSTSTORE_PASSWORD}, {@value #SSL_TRUSTSTORE_TYPE})
     * and the retry bounds. Values may be strings, numbers or Kafka {@link Password}s.
     */
    public static SchemaRegistrySettings fromConfig(Map<String, ?> config) {
        String urlList = string(config, URL);
        if (urlList == null || urlList.isBlank()) {
            throw new ConfigException(URL, urlList, "is required for the avro format");
        }
        List<URI> urls = new ArrayList<>();
        for (String part : urlList.split(",")) {
            if (!part.isBlank()) {
                urls.add(parseUrl(part.trim()));
            }
        }
        if (urls.isEmpty()) {
            throw new ConfigException(URL, urlList, "is required for the avro format");
        }
        return new SchemaRegistrySettings(urls, userInfo(config, urls.get(0)), sslContext(config),
                Duration.ofMillis(longValue(config, REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT.toMillis())),
                (int) longValue(config, MAX_RETRIES, DEFAULT_MAX_RETRIES),
                Duration.ofMillis(longValue(config, RETRY_BACKOFF_MS, DEFAULT_RETRY_BACKOFF.toMillis())),
                Duration.ofMillis(longValue(config, RETRY_BACKOFF_MAX_MS, DEFAULT_RETRY_BACKOFF_MAX.toMillis())));
    }

    /** The user name of the basic-auth user info, for logs; never the password. */
    public String userName() {
        return userInfo == null ? null : userInfo.substring(0, userInfo.indexOf(':'));
    }

    @Override
    public String toString() {
        return "SchemaRegistrySettings[urls=" + urls + ", user=" + userName() + ", tls="
                + (sslContext == null ? "default" : "truststore") + ", requestTimeout=" + requestTimeout
                + ", maxRetries=" + maxRetries + ", retryBackoff=" + retryBackoff + ".." + retryBackoffMax + "]";
    }

    private static String userInfo(Map<String, ?> config, URI firstUrl) {
        String source = string(config, BASIC_AUTH_CREDENTIALS_SOURCE);
        String configured = string(config, BASIC_AUTH_USER_INFO);
        if (configured == null) {
            configured = string(config, REGISTRY_BASIC_AUTH_USER_INFO);
        }
        if (source == null) {
            return configured != null ? configured : firstUrl.getRawUserInfo() == null ? null : firstUrl.getUserInfo();
        }
        switch (source.trim().toUpperCase(Locale.ROOT)) {
            case "USER_INFO":
                if (configured == null) {
                    throw new ConfigException(BASIC_AUTH_USER_INFO, null,
                            "is required when " + BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO");
                }
                return configured;
            case "URL":
                if (firstUrl.getRawUserInfo() == null) {
                    throw new ConfigException(URL, firstUrl.toString(),
                            "must carry user:password@ when " + BASIC_AUTH_CREDENTIALS_SOURCE + "=URL");
                }
                return firstUrl.getUserInfo();
            default:
                throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE, source, "supported values: USER_INFO, URL");
        }
    }

    private static SSLContext sslContext(Map<String, ?> config) {
        String location = string(config, SSL_TRUSTSTORE_LOCATION);
        if (location == null || location.isBlank()) {
            return null;
        }
        String password = string(config, SSL_TRUSTSTORE_PASSWORD);
        String type = string(config, SSL_TRUSTSTORE_TYPE);
        return trustingSslContext(Path.of(location), password, type == null || type.isBlank() ? KeyStore.getDefaultType() : type);
    }

    /** A TLS context that trusts the certificates of the given truststore (JKS or PKCS12). */
    public static SSLContext trustingSslContext(Path truststore, String password, String type) {
        try (InputStream in = Files.newInputStream(truststore)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(SSL_TRUSTSTORE_LOCATION, truststore.toString(),
                    "cannot load the truststore (" + type + "): " + e.getMessage());
        }
    }

    private static URI parseUrl(String url) {
        try {
            return new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (URISyntaxException e) {
            throw new ConfigException(URL, url, "not a URL: " + e.getMessage());
        }
    }

    private static URI withoutUserInfo(URI url) {
        if (url.getRawUserInfo() == null) {
            return url;
        }
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new ConfigException(URL, url.getHost(), "not a URL: " + e.getMessage());
        }
    }

    private static String string(Map<String, ?> config, String key) {
        Object value = config.get(key);
        if (value == null) {
            return null;
        }
        return value instanceof Password password ? password.value() : value.toString();
    }

    private static long longValue(Map<String, ?> config, String key, long defaultValue) {
        Object value = config.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number number) {
            return number.longValue();
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "must be a whole number");
        }
    }
}

package dev.tracemonitor.testing.fakellm;

import dev.tracemonitor.service.ServiceConfig;
import java.nio.file.Path;
import java.util.Properties;

/** The settings of a service on a test broker whose judges ask the fake OpenAI endpoint (llm backend, no key). */
public final class LlmServiceProps {

    /** The model the endpoint is asked for when a judge names none. */
    public static final String MODEL = "fake-judge";

    private LlmServiceProps() {
    }

    /** Bootstrap servers, state directory and warehouse under {@code dir}, the llm backend on {@code llm}. */
    public static Properties of(String bootstrapServers, Path dir, FakeOpenAiServer llm) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.JUDGE_BACKEND_CONFIG, "llm");
        props.put(ServiceConfig.LLM_BASE_URL_CONFIG, llm.baseUrl());
        props.put(ServiceConfig.LLM_MODEL_CONFIG, MODEL);
        props.put(ServiceConfig.LLM_API_KEY_ENV_CONFIG, "");
        return props;
    }
}

/**
 * Imported first by every test file that creates cloud stores: makes sure no SDK credential chain probes a
 * cloud metadata service (link-local addresses are off limits here). Every test store names its credentials
 * explicitly or is anonymous, so these are a safety net.
 */
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.METADATA_SERVER_DETECTION = "none";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
for (const v of ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS", "STORAGE_EMULATOR_HOST"]) delete process.env[v];
export {};

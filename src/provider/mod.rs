//! Providers: what turns a prompt into a response (builtin, OpenAI-compatible, external tools).

//! Ctrl-C for real: SIGINT sent to the test process stops a running request through
//! `Provider::complete_blocking`, which is how the CLI runs requests. The test runs in a process
//! of its own ([`in_own_process`]), so that no other test is running when the signal arrives.

use std::sync::mpsc;
use std::time::Duration;

use crate::support::alone::in_own_process;
use crate::support::provider::{Reply, Scripted, Tools, chunk, openai_config, request};
use aigen::provider::{Event, Provider, ProviderError, ProviderKind, Response};

/// Runs `provider` on a thread, waits until `texts` pieces of the answer have arrived and
/// `ready` returns, sends SIGINT to this process, and returns how the request ended.
fn interrupt(
    provider: Provider,
    texts: usize,
    ready: impl FnOnce(),
) -> Result<Response, ProviderError> {
    let (arrived, on_arrived) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let mut seen = 0;
        let mut sink = |event: Event<'_>| {
            if matches!(event, Event::Text(_)) {
                seen += 1;
                if seen == texts {
                    let _ = arrived.send(());
                }
            }
        };
        provider.complete_blocking(&request("interrupt me", None), &mut sink, None)
    });
    if texts > 0 {
        on_arrived
            .recv_timeout(Duration::from_secs(30))
            .expect("the answer started");
    }
    ready();
    // SAFETY: sends SIGINT to this process, whose handler complete_blocking installed before
    // the request started.
    assert_eq!(unsafe { libc::kill(libc::getpid(), libc::SIGINT) }, 0);
    worker.join().unwrap()
}

#[test]
fn ctrl_c_stops_a_stream_and_a_tool_cleanly() {
    in_own_process(
        module_path!(),
        "ctrl_c_stops_a_stream_and_a_tool_cleanly",
        stream_and_tool,
    );
}

fn stream_and_tool() {
    let runtime = tokio::runtime::Runtime::new().unwrap();

    // A stream that stalls after its first pieces: Ctrl-C ends it with the text so far.
    let server = runtime.block_on(Scripted::start(vec![Reply::Stall(vec![
        chunk("FROM python:3.13-slim\n"),
        chunk("WORKDIR /app\n"),
    ])]));
    let provider = Provider::new(&openai_config(&server.url, 0, Duration::from_secs(30))).unwrap();
    let error = interrupt(provider, 2, || {}).unwrap_err();
    assert!(error.is_interrupted(), "{error:?}");
    assert_eq!(error.partial(), "FROM python:3.13-slim\nWORKDIR /app\n");

    // A tool that hangs: Ctrl-C stops it and the helper it started, and reaps them.
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let mut config = tools.config(ProviderKind::KubectlAi, "hang", work.path());
    config.timeout = Duration::from_secs(60);
    let provider = Provider::new(&config).unwrap();
    let child_file = tools.file("pid.child");
    let error = interrupt(provider, 0, move || {
        while !child_file.exists() {
            std::thread::sleep(Duration::from_millis(10));
        }
    })
    .unwrap_err();
    assert!(error.is_interrupted(), "{error:?}");
    runtime.block_on(tools.assert_tool_and_helper_gone());
}

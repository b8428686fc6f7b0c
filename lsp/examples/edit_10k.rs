//! How long diagnostics take to arrive after an edit to a 10,000-state definition, and the
//! server's memory. Run: `cargo run --release -p asl-studio-lsp --example edit_10k`.
//!
//! The definition comes from `tests/data/bench/gen_asl.py 10000` (python3). The server runs in
//! this process on an in-memory connection, so the resident set measured is the server's plus
//! this small client's (which holds one more copy of the text).

use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?
        .to_path_buf();
    let generated = std::process::Command::new("python3")
        .arg(root.join("tests/data/bench/gen_asl.py"))
        .arg("10000")
        .output()?;
    if !generated.status.success() {
        return Err("gen_asl.py failed".into());
    }
    let text = String::from_utf8(generated.stdout)?;
    let rss_before = resident_kib();

    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || {
        asl_studio_lsp::serve(&server, asl_studio_lsp::DEFAULT_DEBOUNCE).map_err(|e| e.0)
    });
    let send = |message: Message| client.sender.send(message).map_err(|e| e.to_string());
    send(Message::Request(Request::new(
        RequestId::from(1),
        "initialize".to_owned(),
        json!({"capabilities": {}}),
    )))?;
    let _ = client.receiver.recv()?;
    send(Message::Notification(Notification::new(
        "initialized".to_owned(),
        json!({}),
    )))?;
    let uri = "file:///bench/big.asl.json";
    let started = Instant::now();
    send(Message::Notification(Notification::new(
        "textDocument/didOpen".to_owned(),
        json!({"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}}),
    )))?;
    let open = wait_for_version(&client, 1)?;
    let open_elapsed = started.elapsed();

    // An edit: one state's Next pointed at a missing state (the document stays valid JSON).
    let (line, line_text) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with("\"Next\""))
        .ok_or("no Next in the generated definition")?;
    let value_start = line_text.find(": \"").ok_or("no Next value")? + 2;
    let value_end = line_text.rfind('"').ok_or("no Next value")? + 1;
    let mut timings = Vec::new();
    for version in 2..=6 {
        let started = Instant::now();
        send(Message::Notification(Notification::new(
            "textDocument/didChange".to_owned(),
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": {"start": {"line": line, "character": value_start},
                                                  "end": {"line": line, "character": value_end}},
                                       "text": format!("\"Missing{version}\"")}]}),
        )))?;
        let diagnostics = wait_for_version(&client, version)?;
        timings.push((started.elapsed(), diagnostics));
    }
    let rss_after = resident_kib();
    let states = text.matches("\"Type\":").count();
    let mut report = format!(
        "{states} states, {} bytes\nopen: diagnostics in {:.0} ms ({} findings)\n",
        text.len(),
        open_elapsed.as_secs_f64() * 1e3,
        open
    );
    for (elapsed, findings) in &timings {
        report.push_str(&format!(
            "edit: diagnostics in {:.0} ms ({findings} findings; includes the {} ms debounce)\n",
            elapsed.as_secs_f64() * 1e3,
            asl_studio_lsp::DEFAULT_DEBOUNCE.as_millis()
        ));
    }
    report.push_str(&format!(
        "resident memory: {} MiB before the server, {} MiB after (server + client)\n",
        rss_before / 1024,
        rss_after / 1024
    ));
    std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes())?;

    send(Message::Request(Request::new(
        RequestId::from(2),
        "shutdown".to_owned(),
        Value::Null,
    )))?;
    send(Message::Notification(Notification::new(
        "exit".to_owned(),
        Value::Null,
    )))?;
    drop(client);
    let _ = thread.join();
    Ok(())
}

/// Waits for the diagnostics of `version`; returns how many findings they hold.
fn wait_for_version(
    client: &Connection,
    version: i32,
) -> Result<usize, Box<dyn std::error::Error>> {
    loop {
        let message = client.receiver.recv_timeout(Duration::from_secs(60))?;
        if let Message::Notification(notification) = message
            && notification.method == "textDocument/publishDiagnostics"
            && notification.params["version"] == version
        {
            return Ok(notification.params["diagnostics"]
                .as_array()
                .map_or(0, Vec::len));
        }
    }
}

/// The resident set size of this process, in KiB (Linux; 0 elsewhere).
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

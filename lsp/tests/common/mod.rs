//! The test harness the language server's test binaries share: a client speaking to the server
//! over an in-memory connection (the same messages an editor sends over stdio;
//! app/tests/cli_lsp.rs covers the framing with the built binary), and corpus paths.

// Each test binary compiles this module and uses only the part it needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A Terraform example (`tests/data/terraform/<relative>`).
pub fn terraform(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/terraform")
        .join(relative)
}

/// A file of the shared corpus (`tests/data/corpus/<relative>`).
pub fn corpus(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/corpus")
        .join(relative)
}

/// A client connected in memory to a server on its own thread.
pub struct Session {
    client: Connection,
    thread: Option<std::thread::JoinHandle<()>>,
    next_id: i32,
}

impl Session {
    /// Starts a server and completes the initialize handshake.
    pub fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || {
            let _ = asl_studio_lsp::serve(&server, Duration::from_millis(20));
        });
        let mut session = Self {
            client,
            thread: Some(thread),
            next_id: 0,
        };
        session.request("initialize", json!({"capabilities": {}}))?;
        session.notify("initialized", json!({}))?;
        Ok(session)
    }

    /// Sends a notification.
    pub fn notify(&self, method: &str, params: Value) -> Result<(), Box<dyn std::error::Error>> {
        self.client
            .sender
            .send(Message::Notification(Notification::new(
                method.to_owned(),
                params,
            )))?;
        Ok(())
    }

    /// Sends a request and waits for its response (other messages are dropped).
    pub fn request(
        &mut self,
        method: &str,
        params: Value,
    ) -> Result<Value, Box<dyn std::error::Error>> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.client.sender.send(Message::Request(Request::new(
            id.clone(),
            method.to_owned(),
            params,
        )))?;
        loop {
            match self.client.receiver.recv_timeout(Duration::from_secs(30))? {
                Message::Response(response) if response.id == id => {
                    return response
                        .response_result
                        .map_err(|error| format!("{method}: {}", error.message).into());
                }
                _ => {}
            }
        }
    }

    /// Opens a file with its content on disk.
    pub fn open(&self, path: &Path) -> Result<(String, String), Box<dyn std::error::Error>> {
        let text = std::fs::read_to_string(path)?;
        let uri = format!("file://{}", path.display()).replace(' ', "%20");
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        )?;
        Ok((uri, text))
    }
}

impl Session {
    /// Opens `path` with `text` as its content (`languageId` `terraform`).
    pub fn open_text(&self, path: &Path, text: &str) -> Result<String, Box<dyn std::error::Error>> {
        let uri = format!("file://{}", path.display()).replace(' ', "%20");
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "terraform", "version": 1, "text": text}}),
        )?;
        Ok(uri)
    }

    /// The next diagnostics published for `uri`.
    pub fn diagnostics(&self, uri: &str) -> Result<Vec<Value>, Box<dyn std::error::Error>> {
        loop {
            if let Message::Notification(notification) =
                self.client.receiver.recv_timeout(Duration::from_secs(30))?
                && notification.method == "textDocument/publishDiagnostics"
                && notification.params["uri"] == uri
            {
                return Ok(notification.params["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default());
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.request("shutdown", Value::Null);
        let _ = self.notify("exit", Value::Null);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// 0-based line and UTF-16 character of the `nth` occurrence of `needle`, plus `shift`.
pub fn position(text: &str, needle: &str, nth: usize, shift: usize) -> Result<Value, String> {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .ok_or_else(|| format!("`{needle}` not found"))?;
    let line = text[..offset].matches('\n').count();
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    Ok(json!({"line": line, "character": text[start..offset].encode_utf16().count() + shift}))
}

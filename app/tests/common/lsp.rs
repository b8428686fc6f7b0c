//! A client that speaks LSP to the built `asl-studio lsp` over stdio with Content-Length framing,
//! as an editor does, for the language server's test binaries (cli_lsp.rs, cli_lsp_features.rs).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// What a test returns: `Err` fails it with the message.
pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// How long a test waits for any one answer of the server.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The `file:` URI of `path`, as editors send it.
pub fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display()).replace(' ', "%20")
}

/// A running server and the messages it has sent that nobody has taken yet.
pub struct Client {
    pub child: Child,
    pub stdin: ChildStdin,
    pub incoming: Receiver<Value>,
    pub pending: Vec<Value>,
    pub next_id: i64,
}

impl Client {
    /// Starts `asl-studio lsp` and completes the initialize handshake.
    pub fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_asl-studio"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                match serde_json::from_slice::<Value>(&body) {
                    Ok(message) => {
                        if sender.send(message).is_err() {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
        });
        let mut client = Self {
            child,
            stdin,
            incoming,
            pending: Vec::new(),
            next_id: 0,
        };
        let result = client.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        )?;
        assert!(
            result["capabilities"]["definitionProvider"] == json!(true),
            "{result}"
        );
        client.notify("initialized", json!({}))?;
        Ok(client)
    }

    /// Writes one framed message.
    pub fn send(&mut self, message: &Value) -> std::io::Result<()> {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())?;
        self.stdin.flush()
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) -> std::io::Result<()> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    /// The next message the server sent, waiting until `deadline`.
    pub fn next_message(&mut self, deadline: Instant) -> Result<Value, String> {
        let wait = deadline.saturating_duration_since(Instant::now());
        self.incoming
            .recv_timeout(wait)
            .map_err(|error| match error {
                RecvTimeoutError::Timeout => "timed out waiting for the server".to_owned(),
                RecvTimeoutError::Disconnected => "the server closed its output".to_owned(),
            })
    }

    /// Sends a request; its response's `result`, or the error object as `Err`.
    pub fn request_raw(
        &mut self,
        method: &str,
        params: Value,
    ) -> Result<Result<Value, Value>, String> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .map_err(|error| error.to_string())?;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next_message(deadline)?;
            if message["id"] == json!(id) && message.get("method").is_none() {
                return Ok(match message.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(message["result"].clone()),
                });
            }
            self.pending.push(message);
        }
    }

    /// Sends a request; its result, or the error as a message.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.request_raw(method, params)?
            .map_err(|error| format!("{method} failed: {error}"))
    }

    /// The next `publishDiagnostics` for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Result<Value, String> {
        if let Some(position) = self.pending.iter().position(|m| is_diagnostics_for(m, uri)) {
            return Ok(self.pending.remove(position)["params"].clone());
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next_message(deadline)?;
            if is_diagnostics_for(&message, uri) {
                return Ok(message["params"].clone());
            }
            self.pending.push(message);
        }
    }

    /// Opens `path` with `text` as its content; its URI.
    pub fn open(&mut self, path: &Path, text: &str) -> Result<String, Box<dyn std::error::Error>> {
        let uri = uri_of(path);
        let language = if path.extension().is_some_and(|e| e == "json") {
            "json"
        } else {
            "yaml"
        };
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        )?;
        Ok(uri)
    }

    /// The document symbols of `uri`.
    pub fn symbols(&mut self, uri: &str) -> Result<Value, String> {
        self.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
    }

    /// The hover text at `position` of `uri`.
    pub fn hover(&mut self, uri: &str, position: Value) -> Result<String, String> {
        let hover = self.request("textDocument/hover", at(uri, position))?;
        Ok(hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// The code actions offered at `position` of `uri`.
    pub fn code_actions(&mut self, uri: &str, position: &Value) -> Result<Value, String> {
        self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": position, "end": position},
                   "context": {"diagnostics": []}}),
        )
    }

    /// Replaces the whole text of `uri` (version `version`).
    pub fn change(&mut self, uri: &str, version: i32, text: &str) -> std::io::Result<()> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"text": text}]}),
        )
    }

    /// The labels of the completion items offered at `position` of `uri`.
    pub fn completion_labels(&mut self, uri: &str, position: Value) -> Result<Vec<String>, String> {
        Ok(labels(
            &self.request("textDocument/completion", at(uri, position))?,
        ))
    }

    /// The edits of a rename at `position` of `uri` to `new_name`, for `uri`.
    pub fn rename_edits(
        &mut self,
        uri: &str,
        position: Value,
        new_name: &str,
    ) -> Result<Value, String> {
        let mut params = at(uri, position);
        params["newName"] = json!(new_name);
        let edit = self.request("textDocument/rename", params)?;
        Ok(edit["changes"][uri].clone())
    }

    /// Shuts the server down and checks that it exits cleanly.
    pub fn shutdown(mut self) -> TestResult {
        assert_eq!(self.request("shutdown", Value::Null)?, Value::Null);
        self.notify("exit", Value::Null)?;
        let status = self.child.wait()?;
        assert!(status.success(), "exit status {status}");
        Ok(())
    }
}

/// A server with the file at `path` open: the server, the file's text and its URI.
pub fn started_on(path: &Path) -> Result<(Client, String, String), Box<dyn std::error::Error>> {
    let mut client = Client::start()?;
    let text = std::fs::read_to_string(path)?;
    let uri = client.open(path, &text)?;
    Ok((client, text, uri))
}

/// The string member `key` of each element of the array `list`.
pub fn strings_at<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item[key].as_str())
        .collect()
}

/// Whether `message` publishes the diagnostics of `uri`.
pub fn is_diagnostics_for(message: &Value, uri: &str) -> bool {
    message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
}

/// The LSP position one character into the `nth` occurrence of `needle` in `text`: inside the
/// token, where a user's cursor is.
pub fn position_of(text: &str, needle: &str, nth: usize) -> Result<Value, String> {
    position(text, needle, nth, 1)
}

/// The LSP position (0-based line, UTF-16 character) `shift` characters into the `nth`
/// occurrence of `needle` in `text`.
pub fn position(text: &str, needle: &str, nth: usize, shift: usize) -> Result<Value, String> {
    let Some((offset, _)) = text.match_indices(needle).nth(nth) else {
        return Err(format!("`{needle}` #{nth} not in the text"));
    };
    let (lines_before, line_head) = text[..offset]
        .rsplit_once('\n')
        .map_or((0, &text[..offset]), |(head, tail)| {
            (head.matches('\n').count() + 1, tail)
        });
    Ok(json!({"line": lines_before, "character": line_head.encode_utf16().count() + shift}))
}

/// The byte offset in `text` of an LSP position.
pub fn offset_of(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap_or(0) as usize;
    let units = position["character"].as_u64().unwrap_or(0) as usize;
    let line_start = match line.checked_sub(1) {
        None => 0,
        Some(before) => text
            .match_indices('\n')
            .nth(before)
            .map_or(text.len(), |(i, _)| i + 1),
    };
    let mut seen = 0;
    for (index, ch) in text[line_start..].char_indices() {
        if seen >= units || ch == '\n' {
            return line_start + index;
        }
        seen += ch.len_utf16();
    }
    text.len()
}

/// `text` with the LSP text edits `edits` (an array of `{range, newText}`) applied, as an
/// editor applies them.
pub fn apply_edits(text: &str, edits: &Value) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|edit| {
            (
                offset_of(text, &edit["range"]["start"]),
                offset_of(text, &edit["range"]["end"]),
                edit["newText"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    // From the end, so that earlier offsets stay valid.
    spans.sort_by_key(|span| std::cmp::Reverse(span.0));
    let mut edited = text.to_owned();
    for (start, end, new_text) in spans {
        edited.replace_range(start..end.max(start), new_text);
    }
    edited
}

/// The trimmed text of the 0-based line `line` of `text`.
pub fn line_at(text: &str, line: &Value) -> String {
    text.lines()
        .nth(line.as_u64().unwrap_or(u64::MAX) as usize)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// The labels of a completion answer (a list, or a `CompletionList`'s items).
pub fn labels(answer: &Value) -> Vec<String> {
    strings_at(answer.get("items").unwrap_or(answer), "label")
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// A Terraform example (`tests/data/terraform/<relative>`).
pub fn terraform_example(relative: &str) -> PathBuf {
    workspace_root().join("tests/data/terraform").join(relative)
}

/// The first of the published diagnostics `published` (a `publishDiagnostics` params object)
/// with the code `code`.
pub fn diagnostic_with_code<'a>(published: &'a Value, code: &str) -> Result<&'a Value, String> {
    published["diagnostics"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["code"] == code))
        .ok_or_else(|| format!("no {code}: {published}"))
}

/// `textDocument` and `position` parameters.
pub fn at(uri: &str, position: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position})
}

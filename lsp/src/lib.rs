//! `asl-studio lsp`: a Language Server Protocol server for Amazon States Language files
//! (`.asl.json`, `.asl.yaml`, `.asl.yml`) and the state machines inside SAM / CloudFormation
//! templates, over standard input and output.
//!
//! One thread answers every message in order. Document changes are applied at once, and
//! diagnostics are published once the document has been quiet for a short delay, so a burst of
//! queued changes is analysed once, at its latest version. Requests analyse the current text on
//! demand; an analysis is kept until the next change.

mod analysis;
mod docs;
mod embedded;
mod expressions;
mod features;
mod jsonata;
mod position;
mod terraform;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use asl_codec::Format;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, OneOf,
    PublishDiagnosticsParams, RenameOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};

pub use analysis::Analysis;
pub use position::PositionIndex;

/// How long a document must be quiet before its diagnostics are published.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(150);

/// The longest a stream of changes can hold diagnostics back.
const MAX_DELAY: Duration = Duration::from_secs(1);

/// Why the server stopped abnormally (a broken connection or protocol). Not a
/// `std::error::Error` itself, so that any error converts into it with `?`.
#[derive(Debug)]
pub struct ServerError(pub String);

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for ServerError {
    fn from(error: E) -> Self {
        Self(error.to_string())
    }
}

/// Runs the server on standard input and output until the client says `exit`.
pub fn run_stdio() -> Result<(), ServerError> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection, DEFAULT_DEBOUNCE)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// The capabilities this server announces.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["\"".to_owned(), ".".to_owned(), " ".to_owned()]),
            ..CompletionOptions::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Serves one client on `connection`: the initialize handshake, then every message until `exit`.
pub fn serve(connection: &Connection, debounce: Duration) -> Result<(), ServerError> {
    let capabilities = serde_json::to_value(capabilities())?;
    connection.initialize_while(capabilities, || true)?;
    let mut server = Server {
        connection,
        documents: HashMap::new(),
        dirty: BTreeMap::new(),
    };
    server.main_loop(debounce)
}

struct Document {
    text: String,
    version: i32,
    format: Format,
    base_dir: Option<PathBuf>,
    /// The analysis of `text`, once asked for.
    analysis: Option<Rc<Analysis>>,
    /// The latest analysis of a version that parsed, for completion while the text is broken.
    last_parsed: Option<Rc<Analysis>>,
    /// A Terraform `.tf` file: its `aws_sfn_state_machine` definitions are checked.
    terraform: bool,
}

impl Document {
    fn analysis(&mut self) -> Rc<Analysis> {
        if let Some(analysis) = &self.analysis {
            return Rc::clone(analysis);
        }
        let analysis = Rc::new(if self.terraform {
            terraform::analyse(self.text.clone(), self.base_dir.as_deref())
        } else {
            Analysis::new(self.text.clone(), self.format, self.base_dir.as_deref())
        });
        // A `.tf` file has no parsed source of its own; its outlines are what completion needs.
        if analysis.source.is_some() || (self.terraform && !analysis.machines.is_empty()) {
            self.last_parsed = Some(Rc::clone(&analysis));
        }
        self.analysis = Some(Rc::clone(&analysis));
        analysis
    }
}

struct Server<'c> {
    connection: &'c Connection,
    documents: HashMap<Uri, Document>,
    /// Documents whose diagnostics are due: first change and latest change.
    dirty: BTreeMap<String, (Uri, Instant, Instant)>,
}

impl Server<'_> {
    fn main_loop(&mut self, debounce: Duration) -> Result<(), ServerError> {
        loop {
            let message = match self.next_deadline(debounce) {
                None => match self.connection.receiver.recv() {
                    Ok(message) => message,
                    Err(_) => return Ok(()),
                },
                Some(deadline) => {
                    let wait = deadline.saturating_duration_since(Instant::now());
                    match self.connection.receiver.recv_timeout(wait) {
                        Ok(message) => message,
                        Err(crossbeam_timeout) if crossbeam_timeout.is_timeout() => {
                            self.publish_due(debounce)?;
                            continue;
                        }
                        Err(_) => return Ok(()),
                    }
                }
            };
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    let response = self.answer(request);
                    self.connection.sender.send(Message::Response(response))?;
                }
                Message::Notification(notification) => self.notified(notification),
                Message::Response(_) => {}
            }
        }
    }

    fn next_deadline(&self, debounce: Duration) -> Option<Instant> {
        self.dirty
            .values()
            .map(|(_, first, last)| (*last + debounce).min(*first + MAX_DELAY))
            .min()
    }

    fn publish_due(&mut self, debounce: Duration) -> Result<(), ServerError> {
        let now = Instant::now();
        let due: Vec<String> = self
            .dirty
            .iter()
            .filter(|(_, (_, first, last))| (*last + debounce).min(*first + MAX_DELAY) <= now)
            .map(|(key, _)| key.clone())
            .collect();
        for key in due {
            let Some((uri, _, _)) = self.dirty.remove(&key) else {
                continue;
            };
            let Some(document) = self.documents.get_mut(&uri) else {
                continue;
            };
            let analysis = document.analysis();
            let params = PublishDiagnosticsParams {
                uri,
                diagnostics: analysis.diagnostics.clone(),
                version: Some(document.version),
            };
            self.connection
                .sender
                .send(Message::Notification(Notification::new(
                    PublishDiagnostics::METHOD.to_owned(),
                    params,
                )))?;
        }
        Ok(())
    }

    fn mark_dirty(&mut self, uri: &Uri) {
        let now = Instant::now();
        self.dirty
            .entry(uri.as_str().to_owned())
            .and_modify(|entry| entry.2 = now)
            .or_insert_with(|| (uri.clone(), now, now));
    }

    fn notified(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(
                    notification.params,
                ) else {
                    return;
                };
                let document = params.text_document;
                let path = file_path(&document.uri);
                let format = path
                    .as_deref()
                    .and_then(Format::from_path)
                    .or(match document.language_id.as_str() {
                        "yaml" => Some(Format::Yaml),
                        "json" | "jsonc" => Some(Format::Json),
                        _ => None,
                    })
                    .unwrap_or_else(|| Format::sniff(&document.text));
                let terraform = path
                    .as_deref()
                    .and_then(|p| p.extension())
                    .map_or(document.language_id == "terraform", |ext| ext == "tf");
                let base_dir = path.and_then(|p| p.parent().map(PathBuf::from));
                self.documents.insert(
                    document.uri.clone(),
                    Document {
                        text: document.text,
                        version: document.version,
                        format,
                        base_dir,
                        analysis: None,
                        last_parsed: None,
                        terraform,
                    },
                );
                self.mark_dirty(&document.uri);
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(
                    notification.params,
                ) else {
                    return;
                };
                let uri = params.text_document.uri;
                let Some(document) = self.documents.get_mut(&uri) else {
                    return;
                };
                for change in params.content_changes {
                    match change.range {
                        Some(range) => {
                            let index = PositionIndex::new(&document.text);
                            let start = index.offset(&document.text, range.start);
                            let end = index.offset(&document.text, range.end).max(start);
                            document.text.replace_range(start..end, &change.text);
                        }
                        None => document.text = change.text,
                    }
                }
                document.version = params.text_document.version;
                document.analysis = None;
                self.mark_dirty(&uri);
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(
                    notification.params,
                ) else {
                    return;
                };
                let uri = params.text_document.uri;
                self.documents.remove(&uri);
                self.dirty.remove(uri.as_str());
                // Clear what the editor shows for a file no longer open.
                let params = PublishDiagnosticsParams {
                    uri,
                    diagnostics: Vec::new(),
                    version: None,
                };
                let _ = self
                    .connection
                    .sender
                    .send(Message::Notification(Notification::new(
                        PublishDiagnostics::METHOD.to_owned(),
                        params,
                    )));
            }
            _ => {}
        }
    }

    fn answer(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        match self.dispatch(request) {
            Ok(result) => Response::new_ok(id, result),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn document(&mut self, uri: &Uri) -> Result<&mut Document, (ErrorCode, String)> {
        self.documents.get_mut(uri).ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                format!("{} is not open", uri.as_str()),
            )
        })
    }

    fn dispatch(&mut self, request: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        fn params<P: serde::de::DeserializeOwned>(
            request: Request,
        ) -> Result<P, (ErrorCode, String)> {
            serde_json::from_value(request.params).map_err(|error| {
                (
                    ErrorCode::InvalidParams,
                    format!("{}: {error}", request.method),
                )
            })
        }
        fn json<T: serde::Serialize>(value: T) -> Result<serde_json::Value, (ErrorCode, String)> {
            serde_json::to_value(value)
                .map_err(|error| (ErrorCode::InternalError, error.to_string()))
        }
        match request.method.as_str() {
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = params(request)?;
                let at = p.text_document_position_params;
                let analysis = self.document(&at.text_document.uri)?.analysis();
                json(features::definition(
                    &analysis,
                    &at.text_document.uri,
                    at.position,
                ))
            }
            References::METHOD => {
                let p: lsp_types::ReferenceParams = params(request)?;
                let at = p.text_document_position;
                let analysis = self.document(&at.text_document.uri)?.analysis();
                json(features::references(
                    &analysis,
                    &at.text_document.uri,
                    at.position,
                    p.context.include_declaration,
                ))
            }
            PrepareRenameRequest::METHOD => {
                let p: lsp_types::TextDocumentPositionParams = params(request)?;
                let analysis = self.document(&p.text_document.uri)?.analysis();
                json(features::prepare_rename(&analysis, p.position))
            }
            Rename::METHOD => {
                let p: lsp_types::RenameParams = params(request)?;
                let at = p.text_document_position;
                let analysis = self.document(&at.text_document.uri)?.analysis();
                let edit =
                    features::rename(&analysis, &at.text_document.uri, at.position, &p.new_name)
                        .map_err(|reason| (ErrorCode::RequestFailed, reason))?;
                json(edit)
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = params(request)?;
                let analysis = self.document(&p.text_document.uri)?.analysis();
                json(features::document_symbols(&analysis))
            }
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(request)?;
                let at = p.text_document_position_params;
                let analysis = self.document(&at.text_document.uri)?.analysis();
                json(features::hover(&analysis, at.position))
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = params(request)?;
                let at = p.text_document_position;
                let document = self.document(&at.text_document.uri)?;
                let current = document.analysis();
                let outline = document.last_parsed.clone().unwrap_or(current);
                json(features::completion(
                    &document.text,
                    at.position,
                    &outline,
                    document.terraform,
                ))
            }
            Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = params(request)?;
                let analysis = self.document(&p.text_document.uri)?.analysis();
                json(features::format(&analysis))
            }
            CodeActionRequest::METHOD => {
                let p: lsp_types::CodeActionParams = params(request)?;
                let document = self.document(&p.text_document.uri)?;
                let format = document.format;
                let analysis = document.analysis();
                json(features::code_actions(
                    &analysis,
                    &p.text_document.uri,
                    p.range,
                    format,
                ))
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("{} is not supported", request.method),
            )),
        }
    }
}

/// The local path of a `file:` URI (percent-decoded), for the format and `DefinitionUri` paths.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let path = rest.find('/').map(|i| &rest[i..])?;
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%'
            && let Some(hex) = path.get(i + 1..i + 3)
            && let Ok(value) = u8::from_str_radix(hex, 16)
        {
            decoded.push(value);
            i += 3;
            continue;
        }
        decoded.push(byte);
        i += 1;
    }
    String::from_utf8(decoded).ok().map(PathBuf::from)
}

/// The `file:` URI of a local path (characters other than unreserved ones and `/`
/// percent-encoded).
pub(crate) fn file_uri(path: &std::path::Path) -> Option<Uri> {
    let path = path.to_str()?;
    let mut encoded = String::from("file://");
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded.parse().ok()
}

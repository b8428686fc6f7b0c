//! Opening, saving (into templates and `.tf` files too), exporting, recent files, and the
//! autosave recovery file.

use super::*;

/// With spread opening (the browser), documents of at least this many states are checked in the
/// frames after they are opened (the code view's text is indexed when first needed); a smaller
/// one is checked and indexed within the frame (a few
/// milliseconds), so that the sample and everyday definitions show at once.
const SPREAD_OPENING_STATES: usize = 250;

/// What the code view shows for a document being opened.
pub(super) struct CodeSource {
    /// The text (a file's own, byte for byte).
    text: String,
    /// The definition the text stands for; `None` when the code view builds it from the
    /// text's span table once it first needs it.
    value: Option<Value>,
    /// Where each value is in the text, when the file's reader worked it out.
    spans: Option<asl_codec::SpanTable>,
}

impl StudioApp {
    pub(super) fn request_open(&mut self, pending: PendingOpen) {
        if self.doc.is_modified() {
            self.modal = Some(Modal::ConfirmDiscard(pending));
        } else {
            self.open_pending(pending);
        }
    }

    pub(super) fn open_pending(&mut self, pending: PendingOpen) {
        match pending {
            PendingOpen::Path(path) => self.open_path(&path),
            PendingOpen::Text { name, text } => self.open_text(&name, &text, None),
            PendingOpen::New => self.open_new(),
            PendingOpen::Template(index) => self.open_template(index),
        }
    }

    /// Opens a template of the gallery with its input, test cases and ItemReader items, so F5
    /// runs its happy path.
    pub(super) fn open_template(&mut self, index: usize) {
        let Some(template) = crate::templates::TEMPLATES.get(index) else {
            return;
        };
        self.open_text(&template.file_name(), template.definition, None);
        self.simulator.load_examples(template.input, template.mocks);
        self.simulator.set_reader_items(template.reader_items());
        if template.express {
            self.simulator
                .set_execution_type(simulator::ExecutionType::Express);
        }
        self.status = Some(format!(
            "Opened the template \"{}\": press F5 to run its HappyPath test case",
            template.title
        ));
    }

    pub(super) fn open_new(&mut self) {
        let mut root = StateMachine::new();
        root.comment = Some("A new state machine".to_owned());
        let value = root.to_value();
        let text = write_value(&value, TextFormat::Json);
        let code = CodeSource {
            text,
            value: Some(value),
            spans: None,
        };
        self.install(
            root,
            code,
            "untitled.asl.json".to_owned(),
            None,
            TextFormat::Json,
        );
    }

    /// Opens a file from disk: a definition, or a template (one machine opens directly; several
    /// ask which).
    pub fn open_path(&mut self, path: &Path) {
        match self.store.read_text(path) {
            Ok(text) => {
                let name = file_name(path);
                self.open_text(&name, &text, Some(path.to_path_buf()));
            }
            Err(error) => {
                self.modal = Some(Modal::Error(format!(
                    "Cannot open {}: {error}",
                    path.display()
                )));
            }
        }
    }

    pub(super) fn open_text(&mut self, name: &str, text: &str, path: Option<PathBuf>) {
        let format = TextFormat::from_path(Path::new(name));
        let base_dir = path.as_deref().and_then(Path::parent);
        match parse_file(name, text, format, base_dir) {
            Ok(found) if found.machines.len() == 1 && !found.is_template => {
                if let Some(machine) = found.machines.into_iter().next() {
                    self.open_machine(machine, path, format);
                }
            }
            Ok(found) if found.machines.len() == 1 => {
                // A template's machine has no path of its own: Save writes it back into the template.
                if let Some(machine) = found.machines.into_iter().next() {
                    self.open_template_machine(machine, path, format);
                }
            }
            Ok(found) => {
                self.modal = Some(Modal::ChooseMachine {
                    path,
                    format,
                    machines: found.machines,
                });
            }
            Err(message) => self.modal = Some(Modal::Error(message)),
        }
    }

    /// Opens one machine of a template; with the template's path, Save writes back into it.
    pub(super) fn open_template_machine(
        &mut self,
        found: FoundMachine,
        template: Option<PathBuf>,
        format: TextFormat,
    ) {
        let logical_id = found.label.clone();
        if self.open_machine(found, None, format) {
            self.file.template = template.map(|path| TemplateSource { path, logical_id });
            self.refresh_placeholders();
        }
    }

    /// Reads the placeholders of the open template machine from the template file on disk (a
    /// Terraform machine or a plain definition has none to list).
    pub(super) fn refresh_placeholders(&mut self) {
        self.template_diagnostics.clear();
        self.diagnostics_revision = None;
        let Some(template) = self.file.template.clone() else {
            self.placeholders.set(None, None);
            return;
        };
        if asl_codec::load::is_terraform_path(&template.path) {
            self.placeholders.set(None, None);
            return;
        }
        match self.read_template(&template) {
            Ok(source) => {
                let machine =
                    asl_codec::template::extract_from_value(source.value(), template.path.parent())
                        .map_err(|error| error.to_string())
                        .and_then(|machines| {
                            machines
                                .into_iter()
                                .find(|m| m.logical_id == template.logical_id)
                                .ok_or_else(|| {
                                    format!("{} is no longer in the template", template.logical_id)
                                })
                        });
                match machine {
                    Ok(machine) => {
                        self.template_diagnostics =
                            asl_codec::check::placeholder_findings(&source, &machine)
                                .into_iter()
                                .map(|finding| finding.diagnostic)
                                .collect();
                        let check =
                            asl_codec::template::check_placeholders(source.value(), &machine);
                        let message = self.placeholders.message.take();
                        self.placeholders.set(Some(check), message);
                    }
                    Err(message) => self.placeholders.set(
                        None,
                        Some(format!("Cannot list the placeholders: {message}")),
                    ),
                }
            }
            Err(message) => self.placeholders.set(
                None,
                Some(format!("Cannot list the placeholders: {message}")),
            ),
        }
    }

    /// The template file of `template`, read and parsed.
    fn read_template(&self, template: &TemplateSource) -> Result<asl_codec::SourceFile, String> {
        let shown = template.path.display();
        let text = self
            .store
            .read_text(&template.path)
            .map_err(|error| format!("cannot read {shown}: {error}"))?;
        let format = asl_codec::Format::from_path(&template.path)
            .unwrap_or_else(|| asl_codec::Format::sniff(&text));
        asl_codec::SourceFile::parse(text, format)
            .map_err(|error| format!("{shown}:{}: {}", error.location, error.message))
    }

    /// Adds a missing `DefinitionSubstitutions` entry to the template on disk (written
    /// atomically, every other byte kept) and lists the placeholders again.
    pub(super) fn add_substitution(&mut self, add: &crate::panels::placeholders::AddSubstitution) {
        let Some(template) = self.file.template.clone() else {
            return;
        };
        let name = &add.name;
        let typed = add.value.trim();
        if typed.is_empty() {
            self.placeholders.message = Some(format!("Type a value for {name} first."));
            return;
        }
        // An intrinsic typed as JSON (`{"Ref": "BucketParameter"}`) goes in as one; anything
        // else is the literal text.
        let value = match serde_json::from_str::<Value>(typed) {
            Ok(object @ Value::Object(_)) => object,
            _ => Value::String(typed.to_owned()),
        };
        let result = self.read_template(&template).and_then(|source| {
            asl_codec::template::add_substitution(&source, &template.logical_id, name, &value)
                .map_err(|error| error.to_string())
        });
        let message = match result {
            Ok(text) => match self.store.write_atomic(&template.path, &text) {
                Ok(()) => format!(
                    "Added {name} to DefinitionSubstitutions in {}",
                    template.path.display()
                ),
                Err(error) => format!(
                    "Cannot add {name}: cannot write {}: {error}",
                    template.path.display()
                ),
            },
            Err(message) => format!("Cannot add {name}: {message}"),
        };
        self.placeholders.message = Some(message);
        self.refresh_placeholders();
    }

    /// Opens a machine; false (and an error shown) when its definition cannot be read.
    pub(super) fn open_machine(
        &mut self,
        found: FoundMachine,
        path: Option<PathBuf>,
        format: TextFormat,
    ) -> bool {
        let root = match found.model() {
            Ok(root) => root,
            Err(error) => {
                self.modal = Some(Modal::Error(format!("{}: {error}", found.label)));
                return false;
            }
        };
        self.install_machine(root, found, path, format);
        true
    }

    /// Installs a machine read from `found` (whose definition `root` was made from).
    fn install_machine(
        &mut self,
        root: StateMachine,
        found: FoundMachine,
        path: Option<PathBuf>,
        format: TextFormat,
    ) {
        let FoundMachine {
            label,
            definition,
            text,
            spans,
        } = found;
        // The span table belongs to the file's own text.
        let (text, definition, spans) = match (text, definition) {
            (Some(text), definition) => (text, definition, spans),
            (None, definition) => {
                let definition = definition.unwrap_or_default();
                (write_value(&definition, format), Some(definition), None)
            }
        };
        let name = match &path {
            Some(p) => file_name(p),
            None if label.contains('.') => label,
            None => format!("{label}.asl.{}", format.extension()),
        };
        if let Some(p) = &path {
            self.remember_recent(p);
        }
        // The parsed definition is what the text stands for: the code view compares edits
        // with it (making it again from the model would cost a copy of the whole document).
        let code = CodeSource {
            text,
            value: definition,
            spans,
        };
        self.install(root, code, name, path, format);
    }

    /// Opens `text` as the file at `path` (a file of the app's store: the browser keeps what
    /// the page opened there), reading it once. Unlike [`Self::open_path`], what is wrong with
    /// the text is returned rather than shown, and then nothing changes.
    ///
    /// # Errors
    /// What is wrong with the text, and where.
    pub fn open_text_at(&mut self, path: &Path, text: &str) -> Result<(), String> {
        let name = file_name(path);
        let format = TextFormat::from_path(Path::new(&name));
        let found = parse_file(&name, text, format, path.parent())?;
        let model = |machine: &FoundMachine| {
            machine
                .model()
                .map_err(|error| format!("{}: {error}", machine.label))
        };
        let path = Some(path.to_path_buf());
        if found.machines.len() > 1 {
            for machine in &found.machines {
                model(machine)?;
            }
            self.modal = Some(Modal::ChooseMachine {
                path,
                format,
                machines: found.machines,
            });
            return Ok(());
        }
        let is_template = found.is_template;
        let Some(machine) = found.machines.into_iter().next() else {
            return Err(format!("{name}: no state machine found"));
        };
        let root = model(&machine)?;
        if is_template {
            // A template's machine has no path of its own: Save writes it back into the template.
            let logical_id = machine.label.clone();
            self.install_machine(root, machine, None, format);
            self.file.template = path.map(|path| TemplateSource { path, logical_id });
            self.refresh_placeholders();
        } else {
            self.install_machine(root, machine, path, format);
        }
        Ok(())
    }

    /// Makes `root` the document, with `code` in the code view.
    pub(super) fn install(
        &mut self,
        root: StateMachine,
        code: CodeSource,
        name: String,
        path: Option<PathBuf>,
        format: TextFormat,
    ) {
        self.opened_count += 1;
        let spread = self.spread_opening && root.total_states() >= SPREAD_OPENING_STATES;
        self.doc = Document::new(root);
        self.selection = Selection::default();
        self.canvas = CanvasView::new();
        self.simulator = crate::simulate::SimulatorPane::new();
        if let Some(path) = &path
            && let Ok(sidecar) = self.store.read_text(&sidecar_path(path))
            && let Ok(sidecar) = serde_json::from_str::<Value>(&sidecar)
        {
            self.canvas.load_positions_sidecar(&sidecar);
            if let Some(simulator) = sidecar.get("simulator") {
                self.simulator.load_sidecar(simulator);
            }
        }
        self.tests = crate::simulate::tests_panel::TestsPanel::default();
        if let Some(path) = &path {
            let store = &self.store;
            self.simulator
                .load_suite_beside(path, |beside| store.read_text(beside).ok());
        }
        self.code = CodeView::default();
        self.code
            .load_unindexed(code.text, code.value, format, code.spans);
        if !spread {
            self.code.index();
        }
        self.code_revision = Some(self.doc.revision());
        self.diagnostics_revision = None;
        self.file = OpenFile {
            path,
            name,
            format,
            template: None,
        };
        self.placeholders.set(None, None);
        self.autosaved_revision = None;
        self.rename = None;
        if spread {
            self.start_opening_steps();
        } else {
            self.refresh_diagnostics();
        }
    }

    pub(super) fn remember_recent(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(RECENT_MAX);
    }

    pub(super) fn save(&mut self) {
        if let Some(template) = self.file.template.clone() {
            self.save_into_template(&template);
            return;
        }
        match self.file.path.clone() {
            Some(path) => self.write_to(&path, self.file.format, true),
            None => self.save_as(),
        }
    }

    /// Writes the definition back into the template it was opened from (or the file its
    /// `DefinitionUri` names), changing only the definition's text. A form that cannot be written
    /// back leaves every file untouched and says why.
    pub(super) fn save_into_template(&mut self, template: &TemplateSource) {
        let shown = template.path.display();
        let text = match self.store.read_text(&template.path) {
            Ok(text) => text,
            Err(error) => {
                self.modal = Some(Modal::Error(format!("Cannot read {shown}: {error}")));
                return;
            }
        };
        let (target, new_text, notes) = match self.written_back(template, text) {
            Ok(written) => written,
            Err(message) => {
                self.modal = Some(Modal::Error(format!(
                    "{message}\nUse Save As to write the definition to a separate ASL file."
                )));
                return;
            }
        };
        if let Err(error) = self.store.write_atomic(&target, &new_text) {
            self.modal = Some(Modal::Error(format!(
                "Cannot write {}: {error}",
                target.display()
            )));
            return;
        }
        self.doc.mark_saved();
        self.remove_recovery();
        self.refresh_placeholders();
        let mut status = format!("Saved {} into {}", template.logical_id, target.display());
        for note in &notes {
            status.push_str("; ");
            status.push_str(note);
        }
        self.status = Some(status);
    }

    /// The file to write and its new text when the definition goes back into `template` (a
    /// SAM / CloudFormation template, or a Terraform `.tf` file), with notes for the user.
    pub(super) fn written_back(
        &self,
        template: &TemplateSource,
        text: String,
    ) -> Result<(PathBuf, String, Vec<String>), String> {
        let shown = template.path.display();
        let definition = self.doc.root().to_value();
        if asl_codec::load::is_terraform_path(&template.path) {
            let written = asl_codec::terraform::write_back(
                &text,
                template.path.parent(),
                &template.logical_id,
                &definition,
            )
            .map_err(|error| format!("{shown}: {error}"))?;
            return Ok(match written.file {
                Some(file) => (file.path, file.text, Vec::new()),
                None => (template.path.clone(), written.text, Vec::new()),
            });
        }
        let format = asl_codec::Format::from_path(&template.path)
            .unwrap_or_else(|| asl_codec::Format::sniff(&text));
        let source = asl_codec::SourceFile::parse(text, format)
            .map_err(|error| format!("{shown}:{}: {}", error.location, error.message))?;
        let written = asl_codec::template::write_back(
            &source,
            template.path.parent(),
            &template.logical_id,
            &definition,
        )
        .map_err(|error| format!("{shown}: {error}"))?;
        let target = match &written.target {
            asl_codec::template::WriteTarget::Template => template.path.clone(),
            asl_codec::template::WriteTarget::DefinitionFile(path) => path.clone(),
        };
        let notes = written.notes.iter().map(ToString::to_string).collect();
        Ok((target, written.text, notes))
    }

    pub(super) fn save_as(&mut self) {
        let suggested = suggested_name(&self.file.name, self.file.format);
        if let Some(path) = self.dialogs.pick_save(&suggested, self.file.format) {
            let format = TextFormat::from_path(&path);
            self.write_to(&path, format, true);
        } else {
            self.prompt_if_no_dialog(super::path_prompt::PathPurpose::SaveAs, Some(&suggested));
        }
    }

    pub(super) fn export(&mut self, format: TextFormat) {
        let suggested = suggested_name(&self.file.name, format);
        if let Some(path) = self.dialogs.pick_save(&suggested, format) {
            self.write_to(&path, format, false);
        } else {
            let purpose = super::path_prompt::PathPurpose::Export(format);
            self.prompt_if_no_dialog(purpose, Some(&suggested));
        }
    }

    /// Runs what the Export stack dialog asked for: choose its folder, or write the stack
    /// through the same function as `asl-studio export` and show what was written.
    pub(super) fn handle_export_request(
        &mut self,
        request: crate::export_dialog::ExportDialogRequest,
    ) {
        use crate::export_dialog::ExportDialogRequest;
        match request {
            ExportDialogRequest::PickFolder => {
                if let Some(folder) = self.dialogs.pick_folder() {
                    self.export_dialog.set_folder(folder);
                } else {
                    let purpose = super::path_prompt::PathPurpose::StackFolder;
                    self.prompt_if_no_dialog(purpose, None);
                }
            }
            ExportDialogRequest::Export {
                options,
                folder,
                replace,
            } => {
                let definition = self.doc.root().to_value();
                let outcome = asl_codec::deploy::export(&definition, &options)
                    .map_err(|error| error.to_string())
                    .and_then(|exported| {
                        let written = crate::files::write_stack(
                            self.store.as_ref(),
                            &folder,
                            &exported,
                            replace,
                            "tick Replace existing files to replace them",
                        )?;
                        let mut message = String::from("Wrote");
                        for path in &written {
                            message.push_str(&format!("\n{}", path.display()));
                        }
                        for warning in &exported.warnings {
                            message.push_str(&format!(
                                "\nNo permission derived for {warning} (see the template's comments)"
                            ));
                        }
                        Ok(message)
                    });
                if outcome.is_ok() {
                    self.status = Some(format!("Exported the stack into {}", folder.display()));
                }
                self.export_dialog.set_outcome(outcome);
            }
        }
    }

    /// Writes the definition; a save (not an export) also adopts the path, writes the layout
    /// sidecar, and marks the document saved.
    pub(super) fn write_to(&mut self, path: &Path, format: TextFormat, adopt: bool) {
        let value = self.doc.root().to_value();
        let text = if format == self.code.format() && self.code.syntax_error.is_none() {
            self.code_text_for(&value)
        } else {
            write_value(&value, format)
        };
        if let Err(error) = self.store.write_atomic(path, &text) {
            self.modal = Some(Modal::Error(format!(
                "Cannot write {}: {error}",
                path.display()
            )));
            return;
        }
        if adopt {
            // One sidecar holds what the designer remembers about a definition without touching
            // the ASL: the canvas's pinned positions and the simulator's inputs and mocks.
            let mut sidecar_value = self.canvas.positions_sidecar();
            let has_positions = sidecar_value
                .get("positions")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
            let simulator = self.simulator.sidecar();
            let has_simulator = simulator != crate::simulate::SimulatorPane::new().sidecar();
            if let Some(object) = sidecar_value.as_object_mut() {
                object.insert("simulator".to_owned(), simulator);
            }
            let sidecar = sidecar_path(path);
            let result = if has_positions || has_simulator {
                let text = serde_json::to_string_pretty(&sidecar_value).unwrap_or_default();
                self.store.write_atomic(&sidecar, &text)
            } else {
                Ok(())
            };
            if let Err(error) = result {
                self.status = Some(format!(
                    "Saved, but the layout could not be written: {error}"
                ));
            }
            self.doc.mark_saved();
            self.file.path = Some(path.to_path_buf());
            self.file.template = None;
            self.file.name = file_name(path);
            self.file.format = format;
            self.remember_recent(path);
            self.remove_recovery();
            if self.status.is_none() {
                self.status = Some(format!("Saved {}", path.display()));
            }
        } else {
            self.status = Some(format!("Exported {}", path.display()));
        }
    }

    /// The text to write: the code view's own text when it stands for the document (its
    /// formatting kept), else the canonical layout.
    pub(super) fn code_text_for(&mut self, value: &Value) -> String {
        self.code.sync_from(value);
        self.code.text().to_owned()
    }

    pub(super) fn autosave(&mut self) {
        if !self.doc.is_modified()
            || self.autosaved_revision == Some(self.doc.revision())
            || self.last_autosave.elapsed().as_secs_f32() < AUTOSAVE_INTERVAL_SECS
        {
            return;
        }
        self.last_autosave = web_time::Instant::now();
        self.autosaved_revision = Some(self.doc.revision());
        let Some(path) = self.store.recovery_path() else {
            return;
        };
        let record = serde_json::json!({
            "name": self.file.name,
            "path": self.file.path.as_ref().map(|p| p.display().to_string()),
            "definition": self.doc.root().to_value(),
        });
        if let Err(error) = self.store.write_atomic(&path, &record.to_string()) {
            self.status = Some(format!("Autosave failed: {error}"));
        }
    }

    pub(super) fn offer_recovery(&mut self) {
        let Some(path) = self.store.recovery_path() else {
            return;
        };
        let Ok(text) = self.store.read_text(&path) else {
            return;
        };
        let record: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let Some(definition) = record.get("definition").filter(|d| d.is_object()) else {
            self.remove_recovery();
            return;
        };
        let name = record
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("recovered.asl.json")
            .to_owned();
        self.modal = Some(Modal::Recover {
            name,
            text: write_value(definition, TextFormat::Json),
        });
    }

    pub(super) fn remove_recovery(&mut self) {
        if let Some(path) = self.store.recovery_path() {
            let _ = self.store.remove(&path);
        }
    }
}

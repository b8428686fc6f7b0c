//! The test cases of a Step Functions Local mock file: the pane offers each one, and a run with a
//! test case picked (and its mocks not edited since) uses the file's own responses, durations
//! included, exactly as `asl-studio run --mocks FILE --test-case NAME` would.

use serde_json::Value;

use super::SimulatorPane;
use super::mocks::MockSet;

/// Test cases read from a mock file.
#[derive(Clone, Debug)]
pub struct TestCases {
    /// The file, as the simulator reads it.
    pub config: simulator::MockConfig,
    /// (state machine, test case) in the order the file lists them.
    pub cases: Vec<(String, String)>,
}

/// The test case picked first: a happy path when the file has one, else the first.
const PREFERRED: [&str; 3] = ["HappyPath", "Happy", super::mocks::TEST_CASE];

impl TestCases {
    /// Reads the test cases of a mock file.
    ///
    /// # Errors
    /// The file is not a valid mock configuration (the message says where), or has no test case.
    pub fn parse(value: &Value) -> Result<Self, String> {
        let config = simulator::MockConfig::parse(value).map_err(|error| error.to_string())?;
        // The file's order (serde_json keeps it), not the alphabetical order of the parsed maps.
        let cases: Vec<(String, String)> = value
            .get("StateMachines")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .flat_map(|(machine, body)| {
                body.get("TestCases")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .map(move |(case, _)| (machine.clone(), case.clone()))
            })
            .collect();
        if cases.is_empty() {
            return Err(
                "the mock file has no test case under StateMachines.*.TestCases".to_owned(),
            );
        }
        Ok(Self { config, cases })
    }

    /// The index of the test case to pick first.
    #[must_use]
    pub fn preferred(&self) -> usize {
        PREFERRED
            .iter()
            .find_map(|wanted| self.cases.iter().position(|(_, case)| case == wanted))
            .unwrap_or(0)
    }

    /// The mocks of test case `index` as the simulator runs them.
    ///
    /// # Errors
    /// A response the test case names is missing or malformed.
    pub fn simulator_mocks(&self, index: usize) -> Result<simulator::Mocks, String> {
        let (machine, case) = self
            .cases
            .get(index)
            .ok_or_else(|| format!("there is no test case {}", index + 1))?;
        simulator::Mocks::from_config(&self.config, Some(machine), case)
            .map_err(|error| error.to_string())
    }
}

impl SimulatorPane {
    /// Loads the example a definition comes with: its input and a mock file with test cases (the
    /// bundled sample, a template). The preferred test case is picked, so F5 runs it.
    pub fn load_examples(&mut self, input: &str, mock_file: &str) {
        self.samples = vec![super::SampleInput {
            name: "example".to_owned(),
            text: input.to_owned(),
        }];
        self.selected_sample = 0;
        self.validate_input();
        self.mock_file_text = mock_file.to_owned();
        self.import_mocks_text();
        self.changed();
    }

    /// Adopts the test cases of a mock file (picking the preferred one); a file without test
    /// cases leaves the mocks as they are and says why.
    pub(super) fn adopt_test_cases(&mut self, value: &Value) -> Result<(), String> {
        let cases = TestCases::parse(value)?;
        let preferred = cases.preferred();
        self.test_cases = Some(cases);
        self.select_test_case(preferred)
    }

    /// Picks test case `index`: its mocks show in the Mocks tab, and Run uses them.
    ///
    /// # Errors
    /// The test case's responses cannot be read.
    pub fn select_test_case(&mut self, index: usize) -> Result<(), String> {
        let Some(cases) = &self.test_cases else {
            return Err("no mock file with test cases is loaded".to_owned());
        };
        let Some((machine, case)) = cases.cases.get(index).cloned() else {
            return Err(format!("there is no test case {}", index + 1));
        };
        let mut mocks = MockSet::from_test_case(&cases.config, &machine, &case)?;
        mocks.pass_through = self.mocks.pass_through;
        self.mocks = mocks;
        self.selected_case = Some(index);
        self.case_pristine = true;
        self.changed();
        Ok(())
    }

    /// The names of the loaded test cases.
    #[must_use]
    pub fn test_case_names(&self) -> Vec<&str> {
        self.test_cases
            .iter()
            .flat_map(|cases| cases.cases.iter().map(|(_, case)| case.as_str()))
            .collect()
    }

    /// The picked test case, while its mocks are as the file has them.
    #[must_use]
    pub fn selected_test_case(&self) -> Option<&str> {
        let index = self.selected_case.filter(|_| self.case_pristine)?;
        self.test_cases
            .as_ref()
            .and_then(|cases| cases.cases.get(index))
            .map(|(_, case)| case.as_str())
    }

    /// The mocks a run uses: the picked test case's (durations included) while unedited, else
    /// the edited ones.
    pub(super) fn run_mocks(&self) -> Result<simulator::Mocks, String> {
        if self.case_pristine
            && let (Some(cases), Some(index)) = (&self.test_cases, self.selected_case)
        {
            return cases.simulator_mocks(index);
        }
        self.mocks.to_simulator()
    }

    /// The mock file the test cases came from (what the Tests panel runs and "Save mock file…"
    /// writes back), if one is loaded.
    #[must_use]
    pub fn suite_file(&self) -> Option<&super::suite_file::SuiteFile> {
        self.suite_file.as_ref()
    }

    /// Sets the expectations kept beside the mock file (`{"<test case>": {"Status": ...}}`, as
    /// `asl-studio test` reads `<mocks>.expect.json`).
    ///
    /// # Errors
    /// No mock file is loaded, or the text is not JSON.
    pub fn set_suite_expectations(&mut self, text: &str) -> Result<(), String> {
        let value: Value = serde_json::from_str(text)
            .map_err(|error| format!("the expectations are not JSON: {error}"))?;
        let file = self
            .suite_file
            .as_mut()
            .ok_or("no mock file with test cases is loaded")?;
        file.expect = Some(value);
        Ok(())
    }

    /// Loads mock file text under `name` as if it had been opened (the Tests panel's generated
    /// suite).
    pub fn load_mock_file_text(&mut self, name: &str, text: &str) {
        self.mock_file_name = name.to_owned();
        self.mock_file_text = text.to_owned();
        self.import_mocks_text();
        self.changed();
    }

    /// Loads the suite kept beside a definition (`x.asl.json` -> `x.mocks.json`, and its
    /// expectations `x.mocks.expect.json`), as `asl-studio test` names them, unless mocks are
    /// already set (the layout sidecar's are the user's own and stay).
    pub fn load_suite_beside(
        &mut self,
        definition: &std::path::Path,
        read: impl Fn(&std::path::Path) -> Option<String>,
    ) {
        if self.test_cases.is_some() || !self.mocks.states.is_empty() {
            return;
        }
        let stem = definition
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = stem
            .trim_end_matches(".json")
            .trim_end_matches(".yaml")
            .trim_end_matches(".yml")
            .trim_end_matches(".asl");
        let mocks = definition.with_file_name(format!("{stem}.mocks.json"));
        let Some(text) = read(&mocks) else {
            return;
        };
        self.load_mock_file_text(&mocks.display().to_string(), &text);
        if self.suite_file.is_none() {
            // Not a mock file with test cases: the pane says why, and keeps its own mocks.
            return;
        }
        let expect = definition.with_file_name(format!("{stem}.mocks.expect.json"));
        if let Some(text) = read(&expect)
            && let Err(error) = self.set_suite_expectations(&text)
        {
            self.mock_message = Some(format!("{}: {error}", expect.display()));
        }
    }

    /// Natively, the expectations file beside a mock file just opened (`x.json` ->
    /// `x.expect.json`), when there is one; a browser has no "beside".
    pub(super) fn read_expectations_beside(&mut self) {
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(file) = &self.suite_file {
            let path = std::path::Path::new(&file.name);
            let stem = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default();
            let beside = path.with_file_name(format!("{stem}.expect.json"));
            if let Ok(text) = std::fs::read_to_string(&beside)
                && let Err(error) = self.set_suite_expectations(&text)
            {
                self.mock_message = Some(format!("{}: {error}", beside.display()));
            }
        }
    }

    /// The state machine of the mock file the suite tests: the picked test case's.
    fn suite_machine(&self) -> Option<String> {
        let cases = self.test_cases.as_ref()?;
        let index = self.selected_case.unwrap_or(0);
        cases
            .cases
            .get(index)
            .or_else(|| cases.cases.first())
            .map(|(machine, _)| machine.clone())
    }

    /// The loaded suite, as `asl-studio test` reads it: the mock file's test cases of the
    /// picked case's machine, with the expectations in the file and beside it; and for each of
    /// its cases, in the file's order, the index of the test case in the pane.
    ///
    /// # Errors
    /// No mock file is loaded, or an expectation cannot be read (the message names the case).
    pub fn suite(&self) -> Result<(simulator::suite::Suite, Vec<usize>), String> {
        let (Some(cases), Some(machine)) = (&self.test_cases, self.suite_machine()) else {
            return Err(
                "No test suite: open a mock file with test cases (Simulator > Mocks > Open mock file…) or generate one."
                    .to_owned(),
            );
        };
        let expect = self
            .suite_file
            .as_ref()
            .and_then(|file| file.expect.as_ref());
        let suite =
            simulator::suite::Suite::from_config(&cases.config, Some(&machine), None, expect)
                .map_err(|error| error.to_string())?;
        let order = cases
            .cases
            .iter()
            .enumerate()
            .filter(|(_, (of, _))| *of == machine)
            .map(|(index, _)| index)
            .collect();
        Ok((suite, order))
    }

    /// The picked test case's ItemReader items and failures (`Expect.ItemReaderItems` and
    /// `ItemReaderErrors`), so that running the case in the pane reads what `asl-studio test` and
    /// Run all give it.
    pub(super) fn selected_case_reader_data(
        &self,
    ) -> (
        std::collections::BTreeMap<String, Vec<serde_json::Value>>,
        std::collections::BTreeMap<String, String>,
    ) {
        let Some(name) = self.selected_test_case() else {
            return Default::default();
        };
        let Ok((suite, _)) = self.suite() else {
            return Default::default();
        };
        suite
            .cases
            .into_iter()
            .find(|case| case.name == name)
            .map(|case| {
                (
                    case.expect.item_reader_items.unwrap_or_default(),
                    case.expect.item_reader_errors.unwrap_or_default(),
                )
            })
            .unwrap_or_default()
    }

    /// The options a suite runs with: the pane's settings (type, seed, Map items), each case
    /// bringing its own mocks; an unmocked Task fails, as in `asl-studio test`.
    #[must_use]
    pub fn suite_options(&self) -> simulator::Options {
        let mut builder = simulator::Options::builder()
            .execution_type(self.execution_type)
            .seed(self.seed)
            .pass_through(false);
        for (state, items) in &self.reader_items {
            builder = builder.reader_items(state.clone(), items.clone());
        }
        builder.build()
    }

    /// Picks test case `index`, makes its input (the `Input` of its expectations, else `{}`) the
    /// selected sample input, named after the case, and runs it: the Tests panel's click.
    ///
    /// # Errors
    /// The test case's responses cannot be read, or its expectations.
    pub fn run_test_case(
        &mut self,
        index: usize,
        doc: &graph_model::Document,
    ) -> Result<(), String> {
        let name = self
            .test_cases
            .as_ref()
            .and_then(|cases| cases.cases.get(index))
            .map(|(_, case)| case.clone())
            .ok_or_else(|| format!("there is no test case {}", index + 1))?;
        let (suite, _) = self.suite()?;
        let input = suite
            .cases
            .iter()
            .find(|case| case.name == name)
            .and_then(|case| case.expect.input.clone())
            .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
        self.select_test_case(index)?;
        let text = serde_json::to_string_pretty(&input).unwrap_or_else(|_| "{}".to_owned());
        match self.samples.iter().position(|sample| sample.name == name) {
            Some(position) => {
                if let Some(sample) = self.samples.get_mut(position) {
                    sample.text = text;
                }
                self.selected_sample = position;
            }
            None => {
                self.samples.push(super::SampleInput { name, text });
                self.selected_sample = self.samples.len() - 1;
            }
        }
        self.validate_input();
        self.changed();
        self.run(doc);
        Ok(())
    }

    /// Writes the picked test case's mocks back into the mock file it came from (a save dialog
    /// natively, a download in a browser); says what happened.
    pub(super) fn save_into_suite_file(&mut self) -> String {
        let (Some(file), Some(cases), Some(index)) =
            (&self.suite_file, &self.test_cases, self.selected_case)
        else {
            return "No mock file with test cases is loaded.".to_owned();
        };
        let Some((machine, case)) = cases.cases.get(index).cloned() else {
            return format!("There is no test case {}.", index + 1);
        };
        let text = match super::suite_file::write_back(&file.text, &machine, &case, &self.mocks) {
            Ok(text) => text,
            Err(error) => return error,
        };
        let name = file.file_name();
        match crate::files::save_text(&name, &text) {
            Ok(crate::files::SaveOutcome::Cancelled) => "Not saved.".to_owned(),
            Ok(outcome) => {
                // The file now holds these mocks: later saves start from it, and the case is
                // the file's again.
                if let Ok(value) = serde_json::from_str::<Value>(&text)
                    && let Ok(parsed) = TestCases::parse(&value)
                {
                    self.test_cases = Some(parsed);
                    self.case_pristine = true;
                }
                if let Some(file) = &mut self.suite_file {
                    file.text = text;
                }
                format!(
                    "{} (test case {case}; the other cases are kept)",
                    outcome.message()
                )
            }
            Err(error) => error,
        }
    }

    /// The test case picker of the toolbar.
    pub(super) fn test_case_ui(&mut self, ui: &mut egui::Ui) {
        if self.test_cases.is_none() {
            return;
        }
        let names: Vec<String> = self
            .test_case_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let current = match self.selected_test_case() {
            Some(name) => name.to_owned(),
            None => "edited mocks".to_owned(),
        };
        let mut picked = None;
        let label = ui.label("Test case");
        egui::ComboBox::from_id_salt("simulator_test_case")
            .selected_text(current)
            .show_ui(ui, |ui| {
                for (index, name) in names.iter().enumerate() {
                    let selected = self.case_pristine && self.selected_case == Some(index);
                    if ui.selectable_label(selected, name).clicked() {
                        picked = Some(index);
                    }
                }
            })
            .response
            .labelled_by(label.id)
            .on_hover_text("The mock file's test cases: each one mocks the Tasks its own way");
        if let Some(index) = picked
            && let Err(error) = self.select_test_case(index)
        {
            self.mock_message = Some(error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_mock_file_offers_its_test_cases_in_file_order_with_the_happy_path_first()
    -> Result<(), String> {
        let value: Value =
            serde_json::from_str(crate::sample::SAMPLE_MOCKS).map_err(|e| e.to_string())?;
        let cases = TestCases::parse(&value)?;
        let names: Vec<&str> = cases.cases.iter().map(|(_, c)| c.as_str()).collect();
        assert_eq!(
            names,
            ["HappyPath", "GlueFails", "GlueTimesOut", "LambdaRetried"]
        );
        assert_eq!(cases.preferred(), 0);
        Ok(())
    }

    #[test]
    fn a_mock_file_without_test_cases_is_refused_with_the_reason() {
        let value =
            serde_json::json!({"StateMachines": {"M": {"TestCases": {}}}, "MockedResponses": {}});
        assert_eq!(
            TestCases::parse(&value).err().as_deref(),
            Some("the mock file has no test case under StateMachines.*.TestCases")
        );
    }
}

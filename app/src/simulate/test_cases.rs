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

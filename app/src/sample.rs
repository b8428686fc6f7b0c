//! The bundled sample opened when `asl-studio` starts without a file: an ETL pipeline.

/// The sample definition: a Lambda download, a Glue transform inside a Catch that notifies SNS,
/// and an S3 cleanup reached on success and on failure, then Succeed or Fail.
pub const SAMPLE_ASL: &str = include_str!("../assets/sample.asl.json");

/// The file name the sample is shown under.
pub const SAMPLE_NAME: &str = "etl-pipeline.asl.json";

/// The sample's execution input (what a nightly schedule would pass).
pub const SAMPLE_INPUT: &str = include_str!("../assets/sample.input.json");

/// The sample's Step Functions Local mock file: four test cases (the happy path, a failing Glue
/// job, a Glue job that times out, a throttled Lambda that succeeds on retry).
pub const SAMPLE_MOCKS: &str = include_str!("../assets/sample.mocks.json");

/// The expectations of the sample's test cases (`asl-studio test` reads them beside the mock file).
pub const SAMPLE_EXPECT: &str = include_str!("../assets/sample.mocks.expect.json");

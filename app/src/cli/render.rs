//! `asl-studio render`: a picture of a definition as SVG, PNG or Mermaid, laid out and coloured as
//! the designer's canvas draws it (see `asl_studio::render`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use asl_studio::render::{Marks, RenderOptions, Scene};
use graph_model::StateMachine;

use super::write::write_output_bytes;
use super::{
    EXIT_OK, EXIT_UNREADABLE, err_line, escape_control, read_input, refuse_output_among_inputs,
};

/// Arguments of `asl-studio render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// The definition: ASL JSON or YAML, or a SAM / CloudFormation template or Terraform file
    /// (`-` reads standard input).
    pub definition: PathBuf,
    /// The picture's format (default: from the -o file's extension, else SVG).
    #[arg(long, value_enum)]
    pub to: Option<PictureFormat>,
    /// Write here instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The palette: the designer's light or dark theme.
    #[arg(long, value_enum, default_value = "light")]
    pub theme: ThemeName,
    /// PNG pixels per canvas unit (2 for sharp pictures on high-density screens).
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    pub scale: f32,
    /// Colour the path a run took: the history file `asl-studio run --history` writes (or the
    /// events of AWS GetExecutionHistory).
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// The state machine to draw when the template holds several (its logical id).
    #[arg(long, value_name = "MACHINE")]
    pub name: Option<String>,
}

/// A picture format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PictureFormat {
    /// Scalable vector graphics, text kept as text.
    Svg,
    /// A bitmap (rasterised from the SVG).
    Png,
    /// A Mermaid `flowchart` for Markdown.
    Mermaid,
}

impl PictureFormat {
    fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "svg" => Some(Self::Svg),
            "png" => Some(Self::Png),
            "mmd" | "mermaid" => Some(Self::Mermaid),
            _ => None,
        }
    }
}

/// A theme name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeName {
    /// The light palette.
    Light,
    /// The dark palette.
    Dark,
}

/// Reads a definition (ASL, or the machine of a template) into the model; the error is a line
/// for the user naming the file.
pub fn load_machine(path: &Path, name: Option<&str>) -> Result<StateMachine, String> {
    let file = read_input(path)?;
    let display = escape_control(&file.display).into_owned();
    let loaded = asl_codec::load::load(&file)
        .and_then(|loaded| asl_codec::load::refuse_duplicate_keys(loaded.source()).map(|()| loaded))
        .map_err(|error| super::load_error_line(&display, &error))?;
    let value = match loaded {
        asl_codec::Loaded::Asl(source) => source.value().clone(),
        asl_codec::Loaded::Template { machines, .. } => {
            super::run::pick_machine(&display, machines, name)
                .map_err(|message| escape_control(&message).into_owned())?
                .definition
        }
    };
    StateMachine::from_value_owned(value).map_err(|error| format!("{display}: {error}"))
}

/// Draws a scene in a format: the bytes of the file.
pub fn picture_bytes(
    scene: &Scene,
    marks: &Marks,
    format: PictureFormat,
    options: &RenderOptions,
) -> Result<Vec<u8>, String> {
    Ok(match format {
        PictureFormat::Svg => asl_studio::render::to_svg(scene, marks, options).into_bytes(),
        PictureFormat::Mermaid => {
            asl_studio::render::to_mermaid(scene, marks, options).into_bytes()
        }
        #[cfg(feature = "png")]
        PictureFormat::Png => {
            let svg = asl_studio::render::to_svg(scene, marks, options);
            asl_studio::render::to_png(&svg, options.scale).map_err(|error| error.to_string())?
        }
        #[cfg(not(feature = "png"))]
        PictureFormat::Png => return Err(asl_studio::render::NO_PNG.to_owned()),
    })
}

/// Writes picture bytes to `-o FILE` or standard output.
pub fn emit(output: Option<&Path>, bytes: &[u8]) -> Result<(), String> {
    match output {
        Some(path) => write_output_bytes(path, bytes).map_err(|m| escape_control(&m).into_owned()),
        None => {
            use std::io::Write as _;
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is the reader's choice, not an error.
            let _ = stdout.write_all(bytes).and_then(|()| stdout.flush());
            Ok(())
        }
    }
}

fn render(args: &RenderArgs) -> Result<(), String> {
    if let Some(output) = &args.output {
        let inputs: Vec<&Path> = [Some(&args.definition), args.history.as_ref()]
            .into_iter()
            .flatten()
            .map(PathBuf::as_path)
            .collect();
        refuse_output_among_inputs("-o", output, &inputs)?;
    }
    let format = args
        .to
        .or_else(|| args.output.as_deref().and_then(PictureFormat::from_path))
        .unwrap_or(PictureFormat::Svg);
    if !(args.scale.is_finite() && args.scale > 0.0) {
        return Err(format!("--scale {}: must be a number above 0", args.scale));
    }
    let machine = load_machine(&args.definition, args.name.as_deref())?;
    let mut marks = Marks::default();
    if let Some(path) = &args.history {
        let history = read_input(path)?;
        let overlay =
            asl_studio::render::overlay_from_history(&machine, &history.text).map_err(|error| {
                escape_control(&format!("{}: {error}", history.display)).into_owned()
            })?;
        marks.run = Some(overlay);
    }
    let options = RenderOptions {
        dark: args.theme == ThemeName::Dark,
        scale: args.scale,
    };
    let scene = Scene::new(&machine);
    let bytes = picture_bytes(&scene, &marks, format, &options)?;
    emit(args.output.as_deref(), &bytes)
}

/// Runs `asl-studio render`: 0 when the picture was written, 2 when the input cannot be read or
/// the picture cannot be made or written.
pub fn render_command(args: &RenderArgs) -> ExitCode {
    match render(args) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(message) => {
            err_line(&message);
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}

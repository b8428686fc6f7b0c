//! Design tokens: every colour, size and font size the designer draws with, in one place.
//!
//! Two palettes, light and dark, picked from egui's `dark_mode` flag so the canvas follows the rest
//! of the UI. Nothing else in the app hard-codes a colour: ask [`Theme::current`] for one.

use egui::Color32;
use graph_model::StateType;

/// Sizes used by the canvas layout and drawing, in canvas points (at zoom 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// Height of an ordinary state box.
    pub node_height: f32,
    /// Narrowest ordinary state box.
    pub node_min_width: f32,
    /// Widest ordinary state box; longer names are elided.
    pub node_max_width: f32,
    /// Estimated width of one character of a state name, for sizing boxes without fonts.
    pub char_width: f32,
    /// Size of a Choice diamond.
    pub choice_size: egui::Vec2,
    /// Size of the Start and End markers.
    pub marker_size: egui::Vec2,
    /// Horizontal gap between neighbouring states of one layer.
    pub node_gap: f32,
    /// Horizontal gap reserved next to an edge passing through a layer.
    pub dummy_gap: f32,
    /// Vertical gap between layers.
    pub layer_gap: f32,
    /// Spacing of the lanes that carry long and backward edges at the sides of a machine.
    pub lane_gap: f32,
    /// Padding inside a machine (a whole diagram, a branch or a processor).
    pub machine_padding: f32,
    /// Height of a Parallel/Map container's title bar.
    pub container_header: f32,
    /// Padding between a container's border and its branches.
    pub container_padding: f32,
    /// Gap between the branches of a Parallel, side by side.
    pub branch_gap: f32,
    /// Corner radius of state boxes.
    pub corner_radius: u8,
    /// Font size of state names.
    pub name_font: f32,
    /// Font size of the type caption under a state name and of edge labels.
    pub small_font: f32,
    /// Below this on-screen font size, text is not drawn at all (simplified boxes).
    pub min_readable_font: f32,
    /// "Fit" on a small machine never draws state names smaller than this on screen: it scrolls
    /// instead (a dozen states should never be a picture without names).
    pub min_fit_font: f32,
    /// Radius of the connect handle under a state.
    pub handle_radius: f32,
    /// Edge stroke width.
    pub edge_width: f32,
    /// Arrowhead length.
    pub arrow_size: f32,
    /// How far (screen points) a click may be from an edge and still hit it.
    pub edge_hit_distance: f32,
    /// Side of the minimap in the canvas corner.
    pub minimap_size: egui::Vec2,
    /// Width of a short inline text field (a placeholder's value).
    pub short_field_width: f32,
}

/// The one set of metrics (they do not change with light/dark).
pub const METRICS: Metrics = Metrics {
    node_height: 44.0,
    node_min_width: 140.0,
    node_max_width: 280.0,
    char_width: 7.2,
    choice_size: egui::vec2(168.0, 64.0),
    marker_size: egui::vec2(64.0, 26.0),
    node_gap: 36.0,
    dummy_gap: 14.0,
    layer_gap: 56.0,
    lane_gap: 14.0,
    machine_padding: 16.0,
    container_header: 30.0,
    container_padding: 12.0,
    branch_gap: 20.0,
    corner_radius: 8,
    name_font: 13.0,
    small_font: 10.5,
    min_readable_font: 5.0,
    min_fit_font: 6.5,
    handle_radius: 6.0,
    edge_width: 1.5,
    arrow_size: 9.0,
    edge_hit_distance: 6.0,
    minimap_size: egui::vec2(180.0, 130.0),
    short_field_width: 140.0,
};

/// Sizes of the designer's panels, windows and fields around the canvas, in egui points. Panels
/// start at these sizes and the user resizes them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PanelSizes {
    /// The palette on the left.
    pub palette: f32,
    /// The inspector on the right.
    pub inspector: f32,
    /// The undo history on the right.
    pub history: f32,
    /// The code view beside the canvas.
    pub code: f32,
    /// The problems list at the bottom.
    pub problems: f32,
    /// The simulator pane at the bottom.
    pub simulator: f32,
    /// The largest share of the height below the menu that the bottom panels (simulator and
    /// problems together) may take: the canvas keeps the rest.
    pub bottom_share: f32,
    /// The largest share of the width the side columns may each take.
    pub side_share: f32,
    /// The widest a modal dialog grows.
    pub modal_max_width: f32,
    /// The widest the template gallery grows.
    pub gallery_max_width: f32,
    /// The height of a template card, so the cards of a row line up.
    pub gallery_card_height: f32,
    /// The command palette window.
    pub command_palette_width: f32,
    /// The find window.
    pub find_width: f32,
    /// The tallest a list in a popup window (commands, found states, the canvas menu) grows.
    pub popup_list_height: f32,
    /// The find window's list of matches.
    pub find_list_height: f32,
    /// The open list of a Choice rule's operator combo (it has every operator).
    pub operator_list_height: f32,
    /// The narrowest the message under the inline rename field is.
    pub rename_error_min_width: f32,
    /// Padding inside the inline rename field.
    pub rename_margin: egui::Vec2,
    /// A mock's result JSON field in the simulator's configuration.
    pub mock_result_width: f32,
    /// A mock's error name field.
    pub mock_error_width: f32,
    /// A mock's cause field.
    pub mock_cause_width: f32,
}

/// The one set of panel sizes.
pub const PANELS: PanelSizes = PanelSizes {
    palette: 150.0,
    inspector: 300.0,
    history: 180.0,
    code: 380.0,
    problems: 110.0,
    simulator: 320.0,
    bottom_share: 0.5,
    side_share: 0.3,
    modal_max_width: 460.0,
    gallery_max_width: 1100.0,
    gallery_card_height: 120.0,
    command_palette_width: 360.0,
    find_width: 300.0,
    popup_list_height: 320.0,
    find_list_height: 300.0,
    operator_list_height: 360.0,
    rename_error_min_width: 240.0,
    rename_margin: egui::vec2(4.0, 3.0),
    mock_result_width: 240.0,
    mock_error_width: 160.0,
    mock_cause_width: 200.0,
};

/// Colours of one state type: fill, border, and the accent of its icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateColors {
    /// Box fill.
    pub fill: Color32,
    /// Box border and icon.
    pub stroke: Color32,
}

/// A palette: every colour the canvas uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Whether this is the dark palette.
    pub dark: bool,
    /// Canvas background.
    pub background: Color32,
    /// Background grid dots.
    pub grid: Color32,
    /// State names and labels.
    pub text: Color32,
    /// Secondary text (type captions).
    pub text_weak: Color32,
    /// Edge label background, so labels stay readable over lines.
    pub label_background: Color32,
    /// Task
    pub task: StateColors,
    /// Pass
    pub pass: StateColors,
    /// Choice
    pub choice: StateColors,
    /// Wait
    pub wait: StateColors,
    /// Parallel container
    pub parallel: StateColors,
    /// Map container
    pub map: StateColors,
    /// Succeed
    pub succeed: StateColors,
    /// Fail
    pub fail: StateColors,
    /// A state whose type is missing or unknown.
    pub unknown: StateColors,
    /// A branch or processor frame inside a container.
    pub frame: StateColors,
    /// Start and End markers.
    pub marker: StateColors,
    /// `Next` edges.
    pub edge_next: Color32,
    /// `Default` edges.
    pub edge_default: Color32,
    /// Choice rule edges.
    pub edge_choice: Color32,
    /// Errors: Catch edges, error diagnostics, failed runs.
    pub error: Color32,
    /// Warning diagnostics.
    pub warning: Color32,
    /// Info diagnostics.
    pub info: Color32,
    /// Selection outline and lasso.
    pub selection: Color32,
    /// Lasso fill.
    pub selection_fill: Color32,
    /// Hover outline.
    pub hover: Color32,
    /// Success (run overlay: succeeded).
    pub success: Color32,
    /// Run overlay: entered / running.
    pub running: Color32,
    /// Run overlay: retried.
    pub retried: Color32,
    /// Run overlay: not reached (dimming veil).
    pub not_reached: Color32,
    /// Minimap background.
    pub minimap_background: Color32,
    /// Minimap viewport rectangle.
    pub minimap_viewport: Color32,
}

const fn rgb(r: u8, g: u8, b: u8) -> Color32 {
    Color32::from_rgb(r, g, b)
}

const fn colors(fill: Color32, stroke: Color32) -> StateColors {
    StateColors { fill, stroke }
}

/// The light palette.
pub const LIGHT: Theme = Theme {
    dark: false,
    background: rgb(248, 249, 251),
    grid: rgb(222, 226, 232),
    text: rgb(28, 32, 38),
    text_weak: rgb(96, 104, 116),
    label_background: Color32::from_rgba_premultiplied(248, 249, 251, 230),
    task: colors(rgb(227, 238, 252), rgb(45, 110, 200)),
    pass: colors(rgb(236, 240, 244), rgb(110, 122, 138)),
    choice: colors(rgb(255, 243, 214), rgb(196, 136, 0)),
    wait: colors(rgb(237, 231, 252), rgb(120, 90, 200)),
    parallel: colors(rgb(240, 247, 250), rgb(30, 140, 160)),
    map: colors(rgb(242, 249, 240), rgb(70, 150, 70)),
    succeed: colors(rgb(222, 245, 226), rgb(30, 140, 60)),
    fail: colors(rgb(252, 226, 226), rgb(200, 40, 40)),
    unknown: colors(rgb(240, 240, 240), rgb(150, 150, 150)),
    frame: colors(rgb(255, 255, 255), rgb(200, 206, 214)),
    marker: colors(rgb(60, 66, 76), rgb(60, 66, 76)),
    edge_next: rgb(90, 100, 115),
    edge_default: rgb(150, 110, 20),
    edge_choice: rgb(176, 120, 0),
    error: rgb(204, 40, 40),
    warning: rgb(214, 140, 0),
    info: rgb(45, 110, 200),
    selection: rgb(0, 120, 255),
    selection_fill: Color32::from_rgba_premultiplied(0, 60, 128, 40),
    hover: rgb(90, 160, 255),
    success: rgb(30, 150, 60),
    running: rgb(45, 110, 200),
    retried: rgb(214, 140, 0),
    // Premultiplied: the background at 150/255 opacity (a component above the alpha would
    // brighten rather than veil).
    not_reached: Color32::from_rgba_premultiplied(146, 146, 148, 150),
    minimap_background: Color32::from_rgba_premultiplied(230, 233, 238, 230),
    minimap_viewport: rgb(0, 120, 255),
};

/// The dark palette.
pub const DARK: Theme = Theme {
    dark: true,
    background: rgb(24, 26, 30),
    grid: rgb(44, 48, 54),
    text: rgb(226, 230, 236),
    text_weak: rgb(150, 158, 170),
    label_background: Color32::from_rgba_premultiplied(24, 26, 30, 230),
    task: colors(rgb(30, 48, 74), rgb(100, 160, 240)),
    pass: colors(rgb(44, 48, 56), rgb(150, 160, 175)),
    choice: colors(rgb(70, 56, 20), rgb(236, 180, 50)),
    wait: colors(rgb(50, 40, 78), rgb(170, 140, 240)),
    parallel: colors(rgb(26, 42, 48), rgb(70, 190, 210)),
    map: colors(rgb(30, 46, 32), rgb(110, 200, 110)),
    succeed: colors(rgb(28, 60, 36), rgb(90, 200, 110)),
    fail: colors(rgb(74, 30, 30), rgb(240, 90, 90)),
    unknown: colors(rgb(50, 50, 50), rgb(140, 140, 140)),
    frame: colors(rgb(32, 35, 40), rgb(70, 76, 86)),
    marker: colors(rgb(200, 206, 214), rgb(200, 206, 214)),
    edge_next: rgb(150, 160, 175),
    edge_default: rgb(210, 170, 70),
    edge_choice: rgb(236, 180, 50),
    error: rgb(240, 90, 90),
    warning: rgb(240, 170, 40),
    info: rgb(100, 160, 240),
    selection: rgb(70, 150, 255),
    selection_fill: Color32::from_rgba_premultiplied(30, 70, 130, 50),
    hover: rgb(120, 180, 255),
    success: rgb(90, 200, 110),
    running: rgb(100, 160, 240),
    retried: rgb(240, 170, 40),
    not_reached: Color32::from_rgba_premultiplied(14, 15, 18, 150),
    minimap_background: Color32::from_rgba_premultiplied(34, 37, 42, 230),
    minimap_viewport: rgb(70, 150, 255),
};

impl Theme {
    /// The palette matching egui's current visuals (`dark_mode`).
    #[must_use]
    pub fn current(ctx: &egui::Context) -> &'static Theme {
        Self::for_dark_mode(ctx.global_style().visuals.dark_mode)
    }

    /// The palette for a dark or light UI.
    #[must_use]
    pub fn for_dark_mode(dark: bool) -> &'static Theme {
        if dark { &DARK } else { &LIGHT }
    }

    /// Colours of a state type (`None`: a state with a missing or unknown `Type`).
    #[must_use]
    pub fn state(&self, state_type: Option<StateType>) -> StateColors {
        match state_type {
            Some(StateType::Task) => self.task,
            Some(StateType::Pass) => self.pass,
            Some(StateType::Choice) => self.choice,
            Some(StateType::Wait) => self.wait,
            Some(StateType::Parallel) => self.parallel,
            Some(StateType::Map) => self.map,
            Some(StateType::Succeed) => self.succeed,
            Some(StateType::Fail) => self.fail,
            None => self.unknown,
        }
    }

    /// Colour of a diagnostic severity.
    #[must_use]
    pub fn severity(&self, severity: graph_model::Severity) -> Color32 {
        match severity {
            graph_model::Severity::Error => self.error,
            graph_model::Severity::Warning => self.warning,
            graph_model::Severity::Info => self.info,
        }
    }
}

//! The designer's canvas: a top-down flowchart of the document, laid out automatically, drawn with
//! egui's painter under our own pan/zoom transform, and edited by returning [`CanvasAction`]s (the
//! canvas never changes the document itself).
//!
//! Interaction, for the help text:
//! - click a state or edge to select it; shift- or ctrl-click adds to / removes from the selection;
//! - shift-drag on the background draws a lasso (ctrl+shift adds to the selection);
//! - drag the background (or drag with the middle button anywhere) to pan; the wheel or a pinch
//!   zooms around the pointer;
//! - drag a state to move it (it stays there: it is pinned, and the pin is saved in the sidecar);
//!   dropping a single state inside another branch or processor moves it there;
//! - drag from the round handle under a state onto another state to connect them: `Next` from
//!   ordinary states; from a Choice, `Default` when it has none yet, otherwise a new rule (its
//!   condition to fill in the inspector);
//! - drag the handle at the arrow end of a selected edge onto another state to retarget it;
//! - double-click a state (or press F2) to rename it in place; right-click for its menu;
//! - drop a palette item on the background to add a state there, or onto an edge to insert it.

pub mod budget;
pub(crate) mod geometry;
mod label_text;
pub(crate) mod labels;
pub mod layout;
mod menu;
mod paint;
mod sidecar;
mod sugiyama;
mod view;

use std::collections::HashMap;

use egui::{Pos2, Rect, Vec2, pos2, vec2};
use graph_model::{Command, Document, Severity, StateMachine, Transition};

pub use crate::overlay::{RunOverlay, RunStatus};
pub use crate::selection::{Selection, StateId};

use layout::{Layout, Placement};

/// Extra information drawn over the diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CanvasOverlay {
    /// Validation findings per state (the worst one per state is shown).
    pub diagnostics: Vec<(StateId, Severity)>,
    /// A simulated run, if one is shown.
    pub run: Option<RunOverlay>,
    /// A comparison with another version (File > Compare with file…), if one is shown.
    pub diff: Option<crate::render::DiffMarks>,
}

/// The drag-and-drop payload of a palette item: the state to add (its name is made unique in the
/// target machine when dropped).
#[derive(Clone, Debug, PartialEq)]
pub struct PaletteDrop {
    /// The new state.
    pub state: graph_model::State,
}

/// What the user asked for on the canvas. The app applies these; the canvas never changes the
/// document itself.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // A few actions per frame at most; boxing adds only noise.
pub enum CanvasAction {
    /// An edit of the document, for `Document::apply`.
    Apply(Command),
    /// Replace the selection with these states.
    Select(Vec<StateId>),
    /// Select one edge.
    SelectEdge(StateId, Transition),
    /// Show this state in the inspector.
    OpenInspector(StateId),
    /// Start renaming this state (double-click, context menu).
    Rename(StateId),
    /// Copy these states to the clipboard (as ASL).
    Copy(Vec<StateId>),
    /// The user moved states: the positions sidecar changed and should be saved.
    PositionsChanged,
}

/// A rename typed directly over a state's title on the canvas (F2, double-click, the context
/// menu's Rename). The app owns it; [`CanvasView::rename_ui`] draws the field and reports when the
/// user is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineRename {
    /// The state being renamed.
    pub id: StateId,
    /// The text in the field.
    pub text: String,
    /// Why the last attempt was refused (shown under the field).
    pub error: Option<String>,
    /// Focus the field and select its text in the next frame.
    focus_pending: bool,
}

impl InlineRename {
    /// Starts renaming a state: the field shows its name, all selected.
    #[must_use]
    pub fn new(id: StateId) -> Self {
        Self {
            text: id.name.clone(),
            id,
            error: None,
            focus_pending: true,
        }
    }

    /// Refuses the typed name: the reason shows at the field, which keeps focus so the user can
    /// fix the name or press Escape.
    pub fn refuse(&mut self, reason: impl Into<String>) {
        self.error = Some(reason.into());
        self.focus_pending = true;
    }
}

/// How an inline rename ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameOutcome {
    /// Enter or a click elsewhere: rename to this text (the app still checks it).
    Commit(String),
    /// Escape, or the state is gone.
    Cancel,
}

/// Camera: screen = canvas rect's top-left + `offset` + canvas position × `zoom`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Camera {
    offset: Vec2,
    zoom: f32,
}

/// Zoom limits.
const MIN_ZOOM: f32 = 0.01;
const MAX_ZOOM: f32 = 4.0;
/// How far out "fit" may go to show a whole document: a flat machine of 1,600 states
/// (`gen_asl.py 1600 --depth 0`) is about 170,000 units tall and fits the canvas of a 1280x800
/// window at 0.35 %, below [`MIN_ZOOM`]. Zooming by hand keeps
/// to [`MIN_ZOOM`] (from a fit below it the view only zooms in).
const FIT_MIN_ZOOM: f32 = 0.0005;

impl Camera {
    fn to_screen(self, origin: Pos2, p: Pos2) -> Pos2 {
        origin + self.offset + p.to_vec2() * self.zoom
    }

    fn to_canvas(self, origin: Pos2, p: Pos2) -> Pos2 {
        ((p - origin - self.offset) / self.zoom).to_pos2()
    }

    fn rect_to_screen(self, origin: Pos2, r: Rect) -> Rect {
        Rect::from_min_max(self.to_screen(origin, r.min), self.to_screen(origin, r.max))
    }

    /// A camera showing `content` inside `viewport` (screen), with a margin, zoom capped.
    fn fitting(viewport: Rect, content: Rect, max_zoom: f32) -> Self {
        let margin = 24.0;
        let available = (viewport.size() - Vec2::splat(2.0 * margin)).max(Vec2::splat(1.0));
        let size = content.size().max(Vec2::splat(1.0));
        let zoom = (available.x / size.x)
            .min(available.y / size.y)
            .clamp(FIT_MIN_ZOOM, max_zoom);
        let offset = viewport.size() * 0.5 - content.center().to_vec2() * zoom;
        Self { offset, zoom }
    }

    /// A camera at `zoom` showing the top of `content` (where the flow starts), centred across
    /// when it fits the width, else from its left edge; the rest is a scroll away.
    fn from_top(viewport: Rect, content: Rect, zoom: f32) -> Self {
        let margin = 24.0;
        let x = if content.width() * zoom + 2.0 * margin <= viewport.width() {
            viewport.width() * 0.5 - content.center().x * zoom
        } else {
            margin - content.min.x * zoom
        };
        let y = margin - content.min.y * zoom;
        Self {
            offset: vec2(x, y),
            zoom,
        }
    }
}

/// Machines of at most this many states (nested ones included) are fitted no smaller than
/// [`crate::theme::Metrics::min_fit_font`] allows: their names matter more than the whole
/// picture, which the minimap still shows.
const SMALL_MACHINE_STATES: usize = 30;

/// A drag in progress.
#[derive(Clone, Debug)]
enum Drag {
    /// Panning the view.
    Pan,
    /// Lasso from this canvas point.
    Lasso { start: Pos2, additive: bool },
    /// Moving these nodes (indices) by `delta` (canvas units).
    Move { nodes: Vec<usize>, delta: Vec2 },
    /// New edge from this node.
    Connect { from: usize },
    /// Moving the target end of this edge.
    Retarget { edge: usize },
}

/// The canvas: camera, cached layout, pinned positions, and the drag in progress.
#[derive(Debug)]
pub struct CanvasView {
    camera: Camera,
    layout: Layout,
    placement: Placement,
    /// What the layout shown was made for.
    layout_key: Option<LayoutKey>,
    /// A newer layout on its way from a worker thread.
    background: Option<BackgroundLayout>,
    /// A layout being computed a slice per frame (the browser, which has no threads).
    sliced: Option<SlicedLayout>,
    /// How much layout work one frame may do; `None`: all of it (natively big documents go to a
    /// worker thread instead).
    slice_budget: Option<SliceBudget>,
    /// Each machine's placement, kept for the next edit when it changes no box or transition.
    layout_cache: layout::LayoutCache,
    pins: HashMap<StateId, Pos2>,
    drag: Option<Drag>,
    /// Whether the canvas has taken the keyboard focus once (on its first frame).
    focused_once: bool,
    /// The canvas rect and camera of the last fit: while the user has not zoomed or panned
    /// since, a canvas that changes size (a panel opened or closed) is fitted again.
    last_fit: Option<(Rect, Camera)>,
    /// Fit the view once the next layout and canvas rect are known.
    pending_fit: bool,
    /// Zoom to these states once the canvas rect is known.
    pending_zoom_to: Option<Vec<StateId>>,
    /// The canvas rect on screen in the last frame.
    last_rect: Option<Rect>,
    /// Where the secondary button was pressed (canvas), for the context menu's target.
    context_target: Option<view::Hit>,
    /// Pointer position on the canvas in the last frame.
    pointer: Option<Pos2>,
    /// Scratch buffer for edge polylines.
    scratch: Vec<Pos2>,
    /// Edge labels: their texts (taken out of the layout, so that only this view draws them)
    /// and where they were placed.
    labels: labels::EdgeLabels,
    /// While the app is still opening the document (the browser spreads that over frames):
    /// what it is doing. No new layout starts meanwhile.
    opening_note: Option<String>,
}

impl Default for CanvasView {
    fn default() -> Self {
        Self::new()
    }
}

impl CanvasView {
    /// An empty canvas that will fit the first document it shows.
    #[must_use]
    pub fn new() -> Self {
        Self {
            camera: Camera {
                offset: Vec2::ZERO,
                zoom: 1.0,
            },
            layout: Layout::default(),
            placement: Placement::default(),
            layout_key: None,
            background: None,
            sliced: None,
            slice_budget: if cfg!(target_arch = "wasm32") {
                Some(SliceBudget::Time(BROWSER_LAYOUT_SLICE))
            } else {
                None
            },
            layout_cache: layout::LayoutCache::default(),
            pins: HashMap::new(),
            drag: None,
            focused_once: false,
            last_fit: None,
            pending_fit: true,
            pending_zoom_to: None,
            last_rect: None,
            context_target: None,
            pointer: None,
            scratch: Vec::new(),
            labels: labels::EdgeLabels::default(),
            opening_note: None,
        }
    }

    /// Draws the canvas for a document and handles its input; returns what the user asked for.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        doc: &Document,
        selection: &Selection,
        overlay: &CanvasOverlay,
    ) -> Vec<CanvasAction> {
        self.ui_machine(ui, doc.root(), doc.revision(), selection, overlay)
    }

    /// Fits the whole diagram in the view.
    pub fn fit(&mut self) {
        match self.last_rect {
            Some(rect) if self.layout_key.is_some() => {
                self.camera = self.fitting_beside_minimap(rect);
                let metrics = &crate::theme::METRICS;
                let legible = metrics.min_fit_font / metrics.name_font;
                if self.camera.zoom < legible && self.layout.nodes.len() <= SMALL_MACHINE_STATES {
                    self.camera = Camera::from_top(rect, self.placement.bounds, legible);
                }
                self.last_fit = Some((rect, self.camera));
                self.pending_fit = false;
            }
            _ => self.pending_fit = true,
        }
    }

    /// Fits again when the canvas changed size since the last fit and the view is still that
    /// fit (the user has not zoomed or panned since).
    fn refit_when_resized(&mut self, rect: Rect) {
        if let Some((fitted, camera)) = self.last_fit
            && camera == self.camera
            && (fitted.size() - rect.size()).length() > 0.5
        {
            self.pending_fit = true;
        }
    }

    /// The camera that shows the whole diagram in `rect` with no state under the minimap in its
    /// corner: the plain fit if nothing lands there, else the better of fitting beside the
    /// minimap and fitting above it.
    fn fitting_beside_minimap(&self, rect: Rect) -> Camera {
        let bounds = self.placement.bounds;
        let plain = Camera::fitting(rect, bounds, 1.0);
        let Some(mini) = paint::minimap_rect(rect) else {
            return plain;
        };
        let covered = |camera: Camera| {
            self.placement
                .nodes
                .iter()
                .chain(&self.placement.markers)
                .any(|node| camera.rect_to_screen(rect.min, *node).intersects(mini))
        };
        if !covered(plain) {
            return plain;
        }
        // The fit's own margin lies between the diagram and the minimap's edge.
        let beside = Rect::from_min_max(rect.min, pos2(mini.left(), rect.max.y));
        let above = Rect::from_min_max(rect.min, pos2(rect.max.x, mini.top()));
        [beside, above]
            .into_iter()
            .filter(|area| area.width() > 1.0 && area.height() > 1.0)
            .map(|area| Camera::fitting(area, bounds, 1.0))
            .filter(|camera| !covered(*camera))
            .max_by(|a, b| a.zoom.total_cmp(&b.zoom))
            .unwrap_or(plain)
    }

    /// Where the minimap is drawn on the screen, if the canvas shows one.
    #[must_use]
    pub fn minimap_rect(&self) -> Option<Rect> {
        let rect = self.last_rect?;
        if self.layout.nodes.is_empty() || !self.placement.bounds.is_positive() {
            return None;
        }
        paint::minimap_rect(rect)
    }

    /// Where each state is drawn on the screen (the whole box, even where the canvas clips it).
    #[must_use]
    pub fn state_screen_rects(&self) -> Vec<(StateId, Rect)> {
        let Some(rect) = self.last_rect else {
            return Vec::new();
        };
        self.layout
            .nodes
            .iter()
            .zip(&self.placement.nodes)
            .map(|(node, placed)| {
                (
                    node.id.clone(),
                    self.camera.rect_to_screen(rect.min, *placed),
                )
            })
            .collect()
    }

    /// Zooms so that the selected states fill the view.
    pub fn zoom_to_selection(&mut self, selection: &Selection) {
        let ids: Vec<StateId> = selection
            .states
            .iter()
            .cloned()
            .chain(selection.edge.iter().map(|(id, _)| id.clone()))
            .collect();
        if ids.is_empty() {
            return;
        }
        self.pending_zoom_to = Some(ids);
        self.apply_pending_zoom();
    }

    fn apply_pending_zoom(&mut self) {
        let (Some(rect), Some(_)) = (self.last_rect, self.layout_key) else {
            return;
        };
        let Some(ids) = self.pending_zoom_to.take() else {
            return;
        };
        let mut bounds = Rect::NOTHING;
        for id in &ids {
            if let Some(n) = self.layout.node_index(id) {
                bounds = bounds.union(self.placement.nodes[n]);
            }
        }
        if bounds.is_positive() {
            self.camera = Camera::fitting(rect, bounds.expand(40.0), 1.5);
        }
    }

    /// Zooms in (factor > 1) or out around the centre of the view.
    pub fn zoom_by(&mut self, factor: f32) {
        let center = self
            .last_rect
            .map_or(Pos2::ZERO, |r| r.center() - r.min.to_vec2());
        self.zoom_around(center.to_vec2(), factor);
    }

    /// Zooms keeping the canvas point under `anchor` (relative to the canvas rect) in place.
    fn zoom_around(&mut self, anchor: Vec2, factor: f32) {
        if !factor.is_finite() || factor <= 0.0 {
            return;
        }
        let old = self.camera.zoom;
        let new = (old * factor).clamp(MIN_ZOOM.min(old), MAX_ZOOM);
        // The canvas point under the anchor stays put: anchor = offset + p·zoom.
        let p = (anchor - self.camera.offset) / old;
        self.camera.zoom = new;
        self.camera.offset = anchor - p * new;
    }

    /// Lays everything out again from scratch: forgets the positions the user pinned and fits the
    /// view. Also call this after loading another document.
    pub fn relayout(&mut self) {
        self.pins.clear();
        self.layout_cache.clear();
        self.layout_key = None;
        // A layout still on its way was made with the old pins and cache: let it go.
        self.background = None;
        self.sliced = None;
        self.pending_fit = true;
        self.drag = None;
    }

    /// Where the canvas was drawn on the screen in the last frame.
    #[must_use]
    pub fn last_rect(&self) -> Option<Rect> {
        self.last_rect
    }

    /// The current zoom factor (1 = 100 %).
    #[must_use]
    pub fn zoom(&self) -> f32 {
        self.camera.zoom
    }

    /// The positions the user pinned, for saving next to the definition (never inside the ASL).
    #[must_use]
    pub fn positions_sidecar(&self) -> serde_json::Value {
        sidecar::to_value(&self.pins)
    }

    /// Restores pinned positions saved by [`Self::positions_sidecar`]. Entries that cannot be read
    /// are skipped.
    pub fn load_positions_sidecar(&mut self, value: &serde_json::Value) {
        self.pins = sidecar::from_value(value);
        self.placement = Placement::new(&self.layout, &self.pins);
    }

    /// The laid-out diagram (for tests and tools).
    #[must_use]
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Absolute canvas rect of a state, if it is laid out.
    #[must_use]
    pub fn state_rect(&self, id: &StateId) -> Option<Rect> {
        self.layout
            .node_index(id)
            .and_then(|n| self.placement.nodes.get(n).copied())
    }

    /// Screen rect of a state in the last frame, if it is laid out.
    #[must_use]
    pub fn state_screen_rect(&self, id: &StateId) -> Option<Rect> {
        let origin = self.last_rect?.min;
        self.state_rect(id)
            .map(|r| self.camera.rect_to_screen(origin, r))
    }

    /// Lays out the document if it changed since the last call. Returns whether the layout
    /// shown changed.
    ///
    /// A big document is laid out again on a worker thread (natively): until that layout lands,
    /// the canvas keeps showing the previous one, so an edit never stalls a frame. With a slice
    /// budget (the browser) every layout is made a slice per frame; one that fits in the first
    /// slice is shown at once.
    fn ensure_layout(&mut self, root: &StateMachine, revision: u64) -> bool {
        // Cheap to compute every frame; the address tells another document with the same revision
        // apart (the app should still call `relayout` when it loads one).
        let key = (revision, root.len(), std::ptr::from_ref(root) as usize);
        let landed = self.take_background_layout() || self.continue_sliced_layout(root, key);
        if self.layout_key == Some(key) || self.background.is_some() || self.sliced.is_some() {
            // Up to date, or a layout is on its way (a newer revision starts once it lands).
            return landed;
        }
        if self.opening_note.is_some() {
            // The app is still opening the document: a frame does one thing at a time.
            return landed;
        }
        if let Some(budget) = self.slice_budget {
            let job = layout::LayoutJob::new(root, &mut self.layout_cache);
            self.sliced = Some(SlicedLayout {
                key,
                job,
                budget,
                slices: 0,
                landed: None,
            });
            return self.continue_sliced_layout(root, key) || landed;
        }
        if self.layout_key.is_some() && self.start_background_layout(root, key) {
            return landed;
        }
        let layout = Layout::of_cached(root, &crate::theme::METRICS, &mut self.layout_cache);
        self.install_layout(layout, key);
        true
    }

    /// Runs one slice of the layout in progress; installs it and returns true when it is done.
    /// A layout made for another revision is dropped (the document it was for is gone).
    fn continue_sliced_layout(&mut self, root: &StateMachine, key: LayoutKey) -> bool {
        let Some(mut sliced) = self.sliced.take() else {
            return false;
        };
        if sliced.key != key {
            return false;
        }
        if let Some(layout) = sliced.landed.take() {
            self.layout_cache = sliced.job.into_cache();
            self.install_layout(layout, key);
            return true;
        }
        let mut budget = sliced.budget.start();
        sliced.slices += 1;
        match sliced.job.run(root, &crate::theme::METRICS, &mut budget) {
            // A layout made in one slice is shown at once (a small document opens in its frame).
            Some(layout) if sliced.slices == 1 => {
                self.layout_cache = sliced.job.into_cache();
                self.install_layout(layout, key);
                true
            }
            // One made over several is shown in the next frame: drawing a big document for the
            // first time (every box's name laid out) is a frame's work of its own, and this frame
            // already spent its slice.
            Some(layout) => {
                sliced.landed = Some(layout);
                self.sliced = Some(sliced);
                false
            }
            None => {
                self.sliced = Some(sliced);
                false
            }
        }
    }

    /// Makes every layout a slice per frame with this budget (`None`: at once, or on a worker
    /// thread natively). The browser build starts with a time budget.
    pub fn set_slice_budget(&mut self, budget: Option<SliceBudget>) {
        self.slice_budget = budget;
    }

    /// Says what the app is doing while it opens the document over several frames (`None`
    /// once done); meanwhile no layout starts and the canvas shows the note.
    pub fn set_opening_note(&mut self, note: Option<String>) {
        self.opening_note = note;
    }

    /// How far the layout being made a slice per frame is (0 to 1), and how many states it has.
    #[must_use]
    pub fn slice_progress(&self) -> Option<(f32, usize)> {
        self.sliced
            .as_ref()
            .map(|sliced| (sliced.job.progress(), sliced.job.states()))
    }

    /// Whether a layout is being computed in the background or in slices (the canvas shows the
    /// previous one, if any).
    #[must_use]
    pub fn is_laying_out(&self) -> bool {
        self.background.is_some() || self.sliced.is_some()
    }

    fn install_layout(&mut self, layout: Layout, key: LayoutKey) {
        self.layout = layout;
        // The labels are placed and drawn by `labels`, clear of each other; the layout keeps
        // none, so nothing else draws them a second time.
        self.labels = labels::EdgeLabels::new(
            self.layout
                .edges
                .iter_mut()
                .map(|edge| edge.label.take())
                .collect(),
        );
        self.placement = Placement::new(&self.layout, &self.pins);
        self.layout_key = Some(key);
    }

    /// Installs the background layout if it is done; returns whether it was.
    fn take_background_layout(&mut self) -> bool {
        let Some(background) = &self.background else {
            return false;
        };
        match background.receiver.try_recv() {
            Ok((layout, cache)) => {
                let key = background.key;
                self.background = None;
                self.layout_cache = cache;
                self.install_layout(layout, key);
                true
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => false,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                // The worker is gone without a result: lay out on this thread next time.
                self.background = None;
                false
            }
        }
    }

    /// Starts laying out a big document on a worker thread; false when this platform or this
    /// document calls for laying out here and now.
    #[cfg(not(target_arch = "wasm32"))]
    fn start_background_layout(&mut self, root: &StateMachine, key: LayoutKey) -> bool {
        if root.total_states() < BACKGROUND_LAYOUT_STATES {
            return false;
        }
        let document = root.clone();
        let mut cache = std::mem::take(&mut self.layout_cache);
        let (sender, receiver) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("asl-studio-layout".to_owned())
            .spawn(move || {
                let layout = Layout::of_cached(&document, &crate::theme::METRICS, &mut cache);
                // The canvas may be gone by now; then nobody needs the result.
                let _ignored = sender.send((layout, cache));
            });
        if spawned.is_err() {
            return false;
        }
        self.background = Some(BackgroundLayout { key, receiver });
        true
    }

    /// The browser build has no threads: layout runs on the frame.
    #[cfg(target_arch = "wasm32")]
    fn start_background_layout(&mut self, _root: &StateMachine, _key: LayoutKey) -> bool {
        false
    }
}

/// (revision, top-level states, document address): what a layout was made for.
type LayoutKey = (u64, usize, usize);

/// Documents with at least this many states (nested ones included) are laid out again on a worker
/// thread after an edit: a flat machine of 1,500 states takes about a frame (16 ms) to lay out
/// on this project's 2-core benchmark machine, and 2,500 states (about AWS's 1 MB definition
/// limit) twice that.
#[cfg(not(target_arch = "wasm32"))]
const BACKGROUND_LAYOUT_STATES: usize = 1_500;

/// How much of the layout one frame computes in the browser: over a third of a frame at 60 Hz.
/// The rest is the frame's own work (the canvas with its progress, the panels, painting: 4 to 6 ms
/// for a big document on the 2-core benchmark machine under load) and the last unit of layout
/// work, which may end a little after the budget; 8 ms left frames of 16 to 18 ms.
const BROWSER_LAYOUT_SLICE: web_time::Duration = web_time::Duration::from_millis(6);

/// How much layout work one frame may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SliceBudget {
    /// This long (the browser).
    Time(web_time::Duration),
    /// This many units of work (deterministic: for tests).
    Units(u64),
}

impl SliceBudget {
    fn start(self) -> budget::WorkBudget {
        match self {
            Self::Time(time) => budget::WorkBudget::time(time),
            Self::Units(units) => budget::WorkBudget::units(units),
        }
    }
}

/// A layout being computed a slice per frame.
#[derive(Debug)]
struct SlicedLayout {
    key: LayoutKey,
    job: layout::LayoutJob,
    budget: SliceBudget,
    /// Slices run so far.
    slices: u32,
    /// The finished layout, shown in the frame after the slice that finished it.
    landed: Option<Layout>,
}

/// A layout being computed on a worker thread, with the layout cache it took along.
#[derive(Debug)]
struct BackgroundLayout {
    key: LayoutKey,
    receiver: std::sync::mpsc::Receiver<(Layout, layout::LayoutCache)>,
}

#[cfg(test)]
mod tests;

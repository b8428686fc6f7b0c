//! The canvas's pure geometry, apart from painting and input: distances to and points along edge
//! polylines, clipping a segment to a rectangle, where a state's connect handle is, and where edge
//! labels go so that none overlaps another or covers a state, a marker or an arrowhead.

use std::collections::HashMap;

use egui::{Pos2, Rect, Vec2, pos2, vec2};

use crate::theme::METRICS;

/// Gap between a label and its edge, and between labels (canvas units).
pub(crate) const LABEL_GAP: f32 = 3.0;

/// Distance from a point to a polyline.
pub(crate) fn distance_to_polyline(p: Pos2, points: &[Pos2]) -> f32 {
    points
        .windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let ab = b - a;
            let length_sq = ab.length_sq();
            let t = if length_sq > 0.0 {
                ((p - a).dot(ab) / length_sq).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (a + ab * t).distance(p)
        })
        .fold(f32::INFINITY, f32::min)
}

/// Where the connect handle of a state is (bottom centre).
pub(crate) fn handle_center(rect: Rect) -> Pos2 {
    pos2(rect.center().x, rect.bottom())
}

/// The point halfway along a polyline.
pub(crate) fn polyline_midpoint(points: &[Pos2]) -> Option<Pos2> {
    let total: f32 = points.windows(2).map(|w| w[0].distance(w[1])).sum();
    point_along(points, total * 0.5)
}

/// The point at a distance along a polyline (clamped to its ends).
pub(crate) fn point_along(points: &[Pos2], mut distance: f32) -> Option<Pos2> {
    let first = *points.first()?;
    for w in points.windows(2) {
        let length = w[0].distance(w[1]);
        if distance <= length && length > 0.0 {
            return Some(w[0] + (w[1] - w[0]) * (distance / length));
        }
        distance -= length;
    }
    Some(points.last().copied().unwrap_or(first))
}

/// The part of segment `a`-`b` inside `rect` (Liang-Barsky), if any.
pub(crate) fn clip_segment(a: Pos2, b: Pos2, rect: Rect) -> Option<(Pos2, Pos2)> {
    let d = b - a;
    let (mut t0, mut t1) = (0.0f32, 1.0f32);
    for (p, q) in [
        (-d.x, a.x - rect.left()),
        (d.x, rect.right() - a.x),
        (-d.y, a.y - rect.top()),
        (d.y, rect.bottom() - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    (t0 <= t1).then(|| (a + d * t0, a + d * t1))
}

/// A label to place: the polyline of its edge and the label's size (canvas units), and the
/// state its edge leaves (labels of edges from the same state are told apart).
#[derive(Clone, Copy, Debug)]
pub struct LabelRequest<'a> {
    /// The edge's polyline, source first.
    pub points: &'a [Pos2],
    /// The label's size.
    pub size: Vec2,
    /// The source state (node index), grouping sibling edges.
    pub group: usize,
}

/// Rects in a uniform grid, for "does anything here intersect" in near-constant time.
struct RectGrid {
    cell: f32,
    cells: HashMap<(i32, i32), Vec<usize>>,
    rects: Vec<Rect>,
}

impl RectGrid {
    fn new(cell: f32) -> Self {
        Self {
            cell,
            cells: HashMap::new(),
            rects: Vec::new(),
        }
    }

    #[allow(clippy::cast_possible_truncation)] // Canvas coordinates are far inside i32.
    fn span(&self, r: Rect) -> (std::ops::RangeInclusive<i32>, std::ops::RangeInclusive<i32>) {
        let cell = |v: f32| (v / self.cell).floor() as i32;
        (cell(r.min.x)..=cell(r.max.x), cell(r.min.y)..=cell(r.max.y))
    }

    fn insert(&mut self, r: Rect) {
        if !r.is_finite() || !r.is_positive() {
            return;
        }
        let index = self.rects.len();
        self.rects.push(r);
        let (xs, ys) = self.span(r);
        for x in xs {
            for y in ys.clone() {
                self.cells.entry((x, y)).or_default().push(index);
            }
        }
    }

    /// The area of `r` covered by the rects (overlaps counted once per rect).
    fn overlap(&self, r: Rect) -> f32 {
        let (xs, ys) = self.span(r);
        let mut seen: Vec<usize> = Vec::new();
        let mut area = 0.0;
        for x in xs {
            for y in ys.clone() {
                for &i in self.cells.get(&(x, y)).map_or(&[][..], Vec::as_slice) {
                    if seen.contains(&i) {
                        continue;
                    }
                    seen.push(i);
                    let both = self.rects[i].intersect(r);
                    if both.is_positive() {
                        area += both.area();
                    }
                }
            }
        }
        area
    }

    fn hits(&self, r: Rect) -> bool {
        let (xs, ys) = self.span(r);
        xs.into_iter().any(|x| {
            ys.clone().any(|y| {
                self.cells.get(&(x, y)).is_some_and(|list| {
                    list.iter()
                        .any(|&i| self.rects[i].intersect(r).is_positive())
                })
            })
        })
    }
}

/// Spots along a polyline where a label may go: for each, the point on the line and the label
/// rects beside it (right then left of a vertical run, above then below a horizontal one). The
/// last `keep_off_end` units (the arrowhead) are left alone.
fn candidate_spots(points: &[Pos2], size: Vec2, keep_off_end: f32) -> Vec<(Pos2, [Rect; 2])> {
    let mut spots = Vec::new();
    let total: f32 = points.windows(2).map(|w| w[0].distance(w[1])).sum();
    let usable = total - keep_off_end;
    if usable <= 0.0 {
        return spots;
    }
    // About 60 spots per edge at most: long edges are sampled more coarsely.
    let step = (usable / 60.0).max(4.0);
    let mut walked = 0.0;
    let mut along = step.min(usable * 0.5);
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let length = a.distance(b);
        if length <= 0.0 {
            continue;
        }
        let direction = (b - a) / length;
        while along <= (walked + length).min(usable) {
            let p = a + direction * (along - walked);
            let rects = if direction.y.abs() >= direction.x.abs() {
                let top = p.y - size.y * 0.5;
                [
                    Rect::from_min_size(pos2(p.x + LABEL_GAP + 1.0, top), size),
                    Rect::from_min_size(pos2(p.x - LABEL_GAP - 1.0 - size.x, top), size),
                ]
            } else {
                let left = p.x - size.x * 0.5;
                [
                    Rect::from_min_size(pos2(left, p.y - LABEL_GAP - size.y), size),
                    Rect::from_min_size(pos2(left, p.y + LABEL_GAP), size),
                ]
            };
            spots.push((p, rects));
            along += step;
        }
        walked += length;
    }
    spots
}

/// Whether a polyline passes through a rect.
fn crosses(points: &[Pos2], rect: Rect) -> bool {
    points
        .windows(2)
        .any(|w| clip_segment(w[0], w[1], rect).is_some())
}

/// Places labels, in the order given, so that no two overlap: each goes to the first spot along
/// its edge that is free of the labels placed before it and of `hard` obstacles (markers,
/// arrowheads) and, preferably, of `soft` ones (states), at a point of the edge that no sibling
/// edge (same group) runs through. When no spot is free, the one overlapping least is taken.
#[must_use]
pub fn place_labels(requests: &[LabelRequest<'_>], hard: &[Rect], soft: &[Rect]) -> Vec<Rect> {
    let cell = 64.0;
    let mut hard_grid = RectGrid::new(cell);
    for r in hard {
        hard_grid.insert(*r);
    }
    let mut soft_grid = RectGrid::new(cell);
    for r in soft {
        soft_grid.insert(*r);
    }
    let mut placed = RectGrid::new(cell);
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, request) in requests.iter().enumerate() {
        groups.entry(request.group).or_default().push(i);
    }
    let mut out = Vec::with_capacity(requests.len());
    let arrow = METRICS.arrow_size + 2.0;
    for (i, request) in requests.iter().enumerate() {
        let spots = candidate_spots(request.points, request.size, arrow);
        let siblings: Vec<&[Pos2]> = groups
            .get(&request.group)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|&&j| j != i)
            .map(|&j| requests[j].points)
            .collect();
        // A spot names its edge clearly when no sibling runs through it (sibling routes run a
        // few units apart where they share a direction) and the label crosses no sibling.
        let own = |p: Pos2| siblings.iter().all(|s| distance_to_polyline(p, s) >= 4.0);
        let clear = |r: Rect| !siblings.iter().any(|s| crosses(s, r));
        let padded = |r: Rect| r.expand(LABEL_GAP * 0.5);
        let free = |r: Rect| !placed.hits(padded(r)) && !hard_grid.hits(r.expand(1.0));
        let all = || spots.iter().flat_map(|(_, rects)| rects.iter().copied());
        let owned = || {
            spots
                .iter()
                .filter(|(p, _)| own(*p))
                .flat_map(|(_, rects)| rects.iter().copied())
        };
        let pick = owned()
            .find(|r| free(*r) && !soft_grid.hits(*r) && clear(*r))
            .or_else(|| owned().find(|r| free(*r) && !soft_grid.hits(*r)))
            .or_else(|| all().find(|r| free(*r) && !soft_grid.hits(*r)))
            .or_else(|| all().find(|r| free(*r)))
            .or_else(|| {
                all()
                    .map(|r| (placed.overlap(padded(r)) * 4.0 + hard_grid.overlap(r), r))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, r)| r)
            });
        let rect = pick.unwrap_or_else(|| {
            // An edge too short for any spot: beside its start.
            let start = request.points.first().copied().unwrap_or(Pos2::ZERO);
            Rect::from_min_size(start + vec2(LABEL_GAP, 0.0), request.size)
        });
        placed.insert(rect);
        out.push(rect);
    }
    out
}

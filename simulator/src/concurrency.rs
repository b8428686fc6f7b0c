//! Parallel branches and Map iterations on the virtual clock.
//!
//! The engine runs one child of a container at a time (the browser has no threads, and a
//! deterministic order keeps runs repeatable), but AWS runs them at the same time. So each child
//! starts at the virtual instant AWS would start it: at once for Parallel branches, and for Map
//! iterations as soon as one of `MaxConcurrency` slots is free (AWS caps an inline Map at 40).
//! A container ends when its last child does, or, when a child fails, at the instant of the
//! earliest failure; the work the other children would have done after that instant never
//! happened, so it leaves the history, the transition count and the trace, and Map iterations
//! still running are marked aborted. Finally the children's events are put in time order (ties in
//! child order, so children that take no time keep the order they ran in) and numbered again.
//!
//! The children race: a child still running once its clock passes the earliest failure known is
//! stopped there. A child that could be overtaken by a sibling not yet run (one that fails
//! sooner) runs only up to a horizon on the virtual clock; past it, what it did is rolled back
//! ([`LogMark`]) and it runs again after its siblings, stopped at their earliest failure if one
//! came, else with a horizon twice as far. So a branch that polls forever ends when its sibling
//! fails, as on AWS, and children that end before the horizon run once, in order, as before.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde_json::{Map, Value, json};

use crate::timestamp;
use crate::types::{HistoryEvent, StateTrace};

/// AWS runs at most this many iterations of an inline Map at a time, whatever its MaxConcurrency.
pub(crate) const INLINE_MAP_CONCURRENCY: u64 = 40;

/// A Distributed Map runs at most this many child workflow executions at a time.
pub(crate) const DISTRIBUTED_MAP_CONCURRENCY: u64 = 10_000;

/// Everything a run records, in the order the engine produced it.
#[derive(Default)]
pub(crate) struct Log {
    pub(crate) events: Vec<HistoryEvent>,
    /// Events emitted so far, recorded or not (ids are counted even when history is off).
    pub(crate) count: u64,
    pub(crate) trace: Vec<StateTrace>,
    /// Bytes of payload text the recorded events hold (see `Options::max_history_payload_bytes`).
    pub(crate) payload_bytes: usize,
    /// Recorded events whose payloads were left out for that budget.
    pub(crate) truncated_payloads: u64,
    /// Events not recorded because the history already held `Options::max_recorded_events`.
    pub(crate) dropped_events: u64,
    /// When the events emitted inside containers happened (whether or not history is recorded), so
    /// that a container can cut and reorder its children's events when it ends: runs of
    /// consecutive events at one instant, so a Map of 10,000 iterations that take no time is one.
    segments: Vec<Segment>,
    /// Segments before this index belong to an enclosing context and are never extended.
    sealed: usize,
    /// Counted mock invocations inside containers, to take back the ones cut.
    calls: Vec<Call>,
}

/// Where the log stood when a child started, to roll back what it did.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogMark {
    events: usize,
    count: u64,
    segments: usize,
    sealed: usize,
    calls: usize,
    trace: usize,
    payload_bytes: usize,
    truncated_payloads: u64,
    dropped_events: u64,
}

/// Consecutive events at one instant.
#[derive(Debug, Clone, Copy)]
struct Segment {
    millis: i64,
    events: u32,
    /// How many of them entered a state (state transitions).
    entered: u32,
}

/// A mock invocation that advanced the Task state's invocation counter.
#[derive(Debug, Clone)]
struct Call {
    millis: i64,
    state: String,
}

impl Log {
    /// Notes the instant of an event just emitted inside a container.
    pub(crate) fn note_event(&mut self, millis: i64) {
        let open = self.segments.len() > self.sealed;
        match self.segments.last_mut() {
            Some(last) if open && last.millis == millis => {
                last.events += 1;
            }
            _ => self.segments.push(Segment {
                millis,
                events: 1,
                entered: 0,
            }),
        }
    }

    /// Notes that the last event noted entered a state.
    pub(crate) fn note_entered(&mut self) {
        if let Some(last) = self.segments.last_mut() {
            last.entered += 1;
        }
    }

    /// Notes a counted mock invocation of `state` inside a container.
    pub(crate) fn note_call(&mut self, millis: i64, state: &str) {
        self.calls.push(Call {
            millis,
            state: state.to_owned(),
        });
    }

    /// Marks the log's end before a child starts; its first event begins a segment of its own,
    /// so that its events can be told from its siblings' and rolled back.
    pub(crate) fn mark(&mut self) -> LogMark {
        self.sealed = self.segments.len();
        LogMark {
            events: self.events.len(),
            count: self.count,
            segments: self.segments.len(),
            sealed: self.sealed,
            calls: self.calls.len(),
            trace: self.trace.len(),
            payload_bytes: self.payload_bytes,
            truncated_payloads: self.truncated_payloads,
            dropped_events: self.dropped_events,
        }
    }

    /// Forgets everything recorded since `mark`; returns the Task states whose counted mock
    /// invocations are taken back with it.
    pub(crate) fn rollback(&mut self, mark: LogMark) -> Vec<String> {
        self.events.truncate(mark.events);
        self.count = mark.count;
        self.segments.truncate(mark.segments);
        self.sealed = mark.sealed;
        self.trace.truncate(mark.trace);
        self.payload_bytes = mark.payload_bytes;
        self.truncated_payloads = mark.truncated_payloads;
        self.dropped_events = mark.dropped_events;
        let calls = self.calls.split_off(mark.calls.min(self.calls.len()));
        calls.into_iter().map(|call| call.state).collect()
    }

    /// Forgets the instants kept for containers: none is open any more.
    pub(crate) fn close_containers(&mut self) {
        self.segments.clear();
        self.calls.clear();
        self.sealed = 0;
    }
}

/// Where a container's children's records begin in the log.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TailStart {
    events: usize,
    segments: usize,
    calls: usize,
    /// The last event id before the children's: theirs are `first_id + 1 ..`.
    first_id: u64,
    trace: usize,
}

impl TailStart {
    /// Marks the log's current end as the start of a container's children's records.
    pub(crate) fn begin(log: &mut Log) -> Self {
        log.sealed = log.segments.len();
        Self {
            events: log.events.len(),
            segments: log.segments.len(),
            calls: log.calls.len(),
            first_id: log.count,
            trace: log.trace.len(),
        }
    }

    /// The id of the last event before the children's (the container's start).
    pub(crate) fn first_id(&self) -> u64 {
        self.first_id
    }
}

/// When a container's children start and end on the virtual clock.
pub(crate) struct Schedule {
    started_millis: i64,
    slots: usize,
    /// End instants of the children holding a slot (all that ended, at most `slots` matter).
    busy_until: BinaryHeap<Reverse<i64>>,
    latest_end: i64,
    /// The instant of the earliest failure so far.
    failed_at: Option<i64>,
    tail: TailStart,
    /// Map iterations that ended, with the instant: the ones that would still be running when
    /// another fails are marked aborted.
    iteration_ends: Vec<(usize, i64)>,
    /// For containers whose children may run out of order (see `Container::may_defer`): where
    /// each child's records begin in the log's segments, and which child it is, so that events
    /// at one instant keep the children's order.
    child_marks: Vec<(usize, usize)>,
}

impl Schedule {
    /// A container whose children may hold `slots` places at once (`u64::MAX`: no limit).
    pub(crate) fn new(slots: u64) -> Self {
        Self {
            started_millis: 0,
            slots: usize::try_from(slots).unwrap_or(usize::MAX).max(1),
            busy_until: BinaryHeap::new(),
            latest_end: 0,
            failed_at: None,
            tail: TailStart::default(),
            iteration_ends: Vec::new(),
            child_marks: Vec::new(),
        }
    }

    /// The container starts now; its children's records will follow `tail`.
    pub(crate) fn begin(&mut self, now_millis: i64, tail: TailStart) {
        self.started_millis = now_millis;
        self.latest_end = now_millis;
        self.tail = tail;
    }

    /// Where the children's records begin.
    pub(crate) fn tail(&self) -> TailStart {
        self.tail
    }

    fn next_start(&self) -> i64 {
        if self.busy_until.len() < self.slots {
            self.started_millis
        } else {
            self.busy_until
                .peek()
                .map_or(self.started_millis, |Reverse(end)| *end)
        }
    }

    /// Whether another child would start: not once the container failed at or before the instant
    /// it would start (children are started in index order, at non-decreasing instants).
    pub(crate) fn may_start_more(&self) -> bool {
        self.failed_at
            .is_none_or(|failed_at| self.next_start() < failed_at)
    }

    /// Takes a slot for the next child and returns the instant it starts.
    pub(crate) fn start_child(&mut self) -> i64 {
        if self.busy_until.len() < self.slots {
            self.started_millis
        } else {
            self.busy_until
                .pop()
                .map_or(self.started_millis, |Reverse(end)| end)
        }
    }

    /// The instant the container started.
    pub(crate) fn started_millis(&self) -> i64 {
        self.started_millis
    }

    /// Whether every child starts when the container does (no slot is ever waited for).
    pub(crate) fn starts_all_at_once(&self, children: usize) -> bool {
        children <= self.slots
    }

    /// The earliest failure so far, if a child failed.
    pub(crate) fn failed_at(&self) -> Option<i64> {
        self.failed_at
    }

    /// Child `index`'s records begin at the log's current end (`mark` sealed it).
    pub(crate) fn mark_child(&mut self, mark: &LogMark, index: usize) {
        self.child_marks.push((mark.segments, index));
    }

    /// The last child marked was rolled back.
    pub(crate) fn unmark_child(&mut self) {
        self.child_marks.pop();
    }

    /// A child ended at `end_millis` (a Map iteration also gives its index).
    pub(crate) fn child_ended(&mut self, end_millis: i64, iteration: Option<usize>) {
        self.busy_until.push(Reverse(end_millis));
        self.latest_end = self.latest_end.max(end_millis);
        if let Some(index) = iteration {
            self.iteration_ends.push((index, end_millis));
        }
    }

    /// A child failed at `at_millis`; true when it is the earliest failure so far (which is the one
    /// that fails the container; on a tie, the child that ran first).
    pub(crate) fn record_failure(&mut self, at_millis: i64) -> bool {
        if self.failed_at.is_some_and(|earliest| earliest <= at_millis) {
            return false;
        }
        self.failed_at = Some(at_millis);
        true
    }

    /// The instant the container ends: its earliest failure, else its last child's end.
    pub(crate) fn end_millis(&self) -> i64 {
        self.failed_at.unwrap_or(self.latest_end)
    }

    /// Map iterations that would still be running when the container failed.
    fn aborted_iterations(&self) -> Vec<usize> {
        let Some(failed_at) = self.failed_at else {
            return Vec::new();
        };
        let mut aborted: Vec<usize> = self
            .iteration_ends
            .iter()
            .filter(|(_, end)| *end > failed_at)
            .map(|(index, _)| *index)
            .collect();
        aborted.sort_unstable();
        aborted
    }
}

/// What settling a container's children changed.
#[derive(Debug, Default)]
pub(crate) struct Settled {
    /// State transitions that would have happened after the container failed.
    pub(crate) removed_transitions: u64,
    /// Task states whose counted mock invocations after the failure never happened.
    pub(crate) removed_calls: Vec<String>,
    /// The id of the container's children's last event, if any changed.
    pub(crate) last_id: Option<u64>,
}

/// Cuts the children's records after the container's failure, marks Map iterations still running
/// then as aborted, and puts the children's events in time order with fresh ids.
/// `map_name` is the Map state's name (`None` for Parallel); `record_history` says whether events
/// are kept; `failure_cause` is the cause the container fails with, whose "entered at the event
/// id #N" follows the new numbering.
pub(crate) fn settle(
    log: &mut Log,
    schedule: &Schedule,
    map_name: Option<&str>,
    record_history: bool,
    failure_cause: Option<&mut String>,
) -> Settled {
    let tail = schedule.tail;
    let cutoff = schedule.failed_at;
    let after_cut = |millis: i64| cutoff.is_some_and(|cut| millis > cut);
    let mut settled = Settled::default();
    if let Some(calls) = log.calls.get(tail.calls..)
        && calls.iter().any(|call| after_cut(call.millis))
    {
        let (cut, kept): (Vec<Call>, Vec<Call>) = log
            .calls
            .split_off(tail.calls)
            .into_iter()
            .partition(|call| after_cut(call.millis));
        log.calls.extend(kept);
        settled.removed_calls = cut.into_iter().map(|call| call.state).collect();
    }
    let Some(segments) = log.segments.get(tail.segments..) else {
        return settled;
    };
    let kept: Vec<usize> = (0..segments.len())
        .filter(|&k| !after_cut(segments[k].millis))
        .collect();
    settled.removed_transitions = segments
        .iter()
        .filter(|segment| after_cut(segment.millis))
        .map(|segment| u64::from(segment.entered))
        .sum();
    // Which child each segment belongs to, when children may have run out of order; else their
    // order in the log is the children's.
    let marks = &schedule.child_marks;
    let child_of = |k: usize| -> usize {
        let at = tail.segments + k;
        let found = marks.partition_point(|&(start, _)| start <= at);
        found
            .checked_sub(1)
            .and_then(|i| marks.get(i))
            .map_or(0, |&(_, child)| child)
    };
    let key = |k: usize| (segments[k].millis, child_of(k));
    let in_time_order = kept.windows(2).all(|pair| key(pair[0]) <= key(pair[1]));
    let aborted = match (map_name, cutoff) {
        (Some(_), Some(_)) => schedule.aborted_iterations(),
        _ => Vec::new(),
    };
    if kept.len() == segments.len() && in_time_order && aborted.is_empty() {
        return settled;
    }
    let mut order = kept;
    if !in_time_order {
        order.sort_by_key(|&k| key(k));
    }

    // Segment k held the old ids `old_start[k] ..`; in the new order it holds `new_start[k] ..`.
    let first_id = tail.first_id;
    let mut old_start = Vec::with_capacity(segments.len());
    let mut next_old = first_id + 1;
    for segment in segments {
        old_start.push(next_old);
        next_old += u64::from(segment.events);
    }
    let mut new_start: Vec<Option<u64>> = vec![None; segments.len()];
    let mut next_new = first_id + 1;
    for &k in &order {
        new_start[k] = Some(next_new);
        next_new += u64::from(segments[k].events);
    }
    let renumber = |old_id: u64| -> Option<u64> {
        if old_id <= first_id || old_id >= next_old {
            return None;
        }
        let k = old_start
            .partition_point(|&start| start <= old_id)
            .checked_sub(1)?;
        new_start[k].map(|start| start + (old_id - old_start[k]))
    };

    let total_events = usize::try_from(next_old - first_id - 1).unwrap_or(usize::MAX);
    let recorded = record_history && log.events.len().saturating_sub(tail.events) == total_events;
    if recorded {
        let mut old_events: Vec<Option<HistoryEvent>> = log
            .events
            .split_off(tail.events)
            .into_iter()
            .map(Some)
            .collect();
        for &k in &order {
            let from = usize::try_from(old_start[k] - first_id - 1).unwrap_or(usize::MAX);
            let count = segments[k].events as usize;
            for slot in old_events.iter_mut().skip(from).take(count) {
                let Some(mut event) = slot.take() else {
                    continue;
                };
                let new_id = renumber(event.id).unwrap_or(event.id);
                event.previous_event_id = if event.previous_event_id > first_id {
                    renumber(event.previous_event_id)
                        .filter(|&previous| previous < new_id)
                        .unwrap_or(new_id - 1)
                } else {
                    event.previous_event_id
                };
                event.id = new_id;
                log.events.push(event);
            }
        }
    }
    let mut new_segments: Vec<Segment> = order.iter().map(|&k| segments[k]).collect();
    let mut count = next_new - 1;

    if let (Some(name), Some(cut)) = (map_name, cutoff)
        && !aborted.is_empty()
    {
        let timestamp = timestamp::format_millis(cut);
        new_segments.push(Segment {
            millis: cut,
            events: u32::try_from(aborted.len()).unwrap_or(u32::MAX),
            entered: 0,
        });
        for index in aborted {
            count += 1;
            if recorded {
                let mut details = Map::new();
                details.insert(
                    "mapIterationAbortedEventDetails".to_owned(),
                    aborted_details(name, index),
                );
                log.events.push(HistoryEvent {
                    id: count,
                    // Follows the container's start, as the iteration's start did.
                    previous_event_id: first_id,
                    timestamp: timestamp.clone(),
                    event_type: "MapIterationAborted",
                    details,
                });
            }
        }
    }

    if let Some(cause) = failure_cause {
        renumber_entered_id(cause, renumber);
    }
    let trace = log.trace.split_off(tail.trace.min(log.trace.len()));
    log.trace.extend(trace.into_iter().filter_map(|mut entry| {
        if entry.entered_event_id > first_id {
            entry.entered_event_id = renumber(entry.entered_event_id)?;
        }
        Some(entry)
    }));
    log.segments.truncate(tail.segments);
    log.segments.extend(new_segments);
    log.sealed = log.segments.len();
    log.count = count;
    settled.last_id = (count > first_id).then_some(count);
    settled
}

/// Rewrites the event id in AWS's "(entered at the event id #N)" prefix of a located cause.
fn renumber_entered_id(cause: &mut String, renumber: impl Fn(u64) -> Option<u64>) {
    const MARK: &str = "(entered at the event id #";
    let Some(at) = cause.find(MARK) else {
        return;
    };
    let digits_start = at + MARK.len();
    let digits_len = cause[digits_start..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    let digits_end = digits_start + digits_len;
    let Some(new_id) = cause[digits_start..digits_end]
        .parse()
        .ok()
        .and_then(&renumber)
    else {
        return;
    };
    cause.replace_range(digits_start..digits_end, &new_id.to_string());
}

fn aborted_details(name: &str, index: usize) -> Value {
    json!({"name": name, "index": index})
}

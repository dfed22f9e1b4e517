//! Many objects at once, within bounds: requests that a protocol batches are split into batches
//! a broker accepts, and independent REST requests run a few at a time, their answers kept in
//! the order of the objects (so what apply prints does not depend on which answer came first).

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many REST requests run at once against one service: enough to hide a request's round
/// trip, few enough that a registry or a Connect worker is not flooded and that venice keeps a
/// handful of connections (and their buffers) open, not one per object.
pub(crate) const CONCURRENCY: usize = 8;

/// The most topics one CreateTopics, DeleteTopics, CreatePartitions or IncrementalAlterConfigs
/// request carries. Each batch is also a unit of the journal (announced, then confirmed, with one
/// sync each), so a run killed in the middle of one leaves at most this many creates in doubt.
pub(crate) const TOPICS_PER_REQUEST: usize = 100;

/// The most metadata records one topic request may make. A KRaft controller refuses a request
/// that makes more than 10,000 (`QuorumController.MAX_RECORDS_PER_USER_OP`, Kafka 3.6 to 4.3);
/// a new topic makes one record, one per partition and one per config. Half that bound leaves
/// room for what a broker version adds.
pub(crate) const RECORDS_PER_REQUEST: usize = 5_000;

/// How many REST objects (subjects) are journaled together: announced with one sync, run
/// [`CONCURRENCY`] at a time, confirmed with one sync.
pub(crate) const OBJECTS_PER_CHUNK: usize = 64;

/// Consecutive ranges of items, each of at most `max_items` items and at most `max_weight` in
/// all; an item heavier than `max_weight` alone makes a range of its own.
pub(crate) fn split(weights: &[usize], max_items: usize, max_weight: usize) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let (mut start, mut weight) = (0, 0);
    for (i, &w) in weights.iter().enumerate() {
        let full = i - start == max_items.max(1) || (i > start && weight + w > max_weight);
        if full {
            ranges.push(start..i);
            (start, weight) = (i, 0);
        }
        weight += w;
    }
    if start < weights.len() {
        ranges.push(start..weights.len());
    }
    ranges
}

/// `f` of each item, at most `limit` at a time on threads of their own; the answers in the
/// items' order. A panic in `f` is carried to the caller.
pub(crate) fn bounded<T: Sync, R: Send>(items: &[T], limit: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 || limit <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut answers: Vec<(usize, R)> = std::thread::scope(|scope| {
        let work = || {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                mine.push((i, f(item)));
            }
            mine
        };
        let workers: Vec<_> = (0..limit.min(items.len())).map(|_| scope.spawn(work)).collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    answers.sort_by_key(|(i, _)| *i);
    answers.into_iter().map(|(_, answer)| answer).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::single_range_in_vec_init)] // a list of one batch is meant
    fn batches_hold_at_most_so_many_items_and_so_much_weight() {
        assert_eq!(split(&[], 3, 10), Vec::<Range<usize>>::new());
        assert_eq!(split(&[1; 7], 3, 100), [0..3, 3..6, 6..7]);
        assert_eq!(split(&[4, 4, 4, 1, 1], 10, 8), [0..2, 2..5]);
        // Too heavy alone: a batch of its own, and the others go on around it.
        assert_eq!(split(&[1, 20, 1, 1], 10, 8), [0..1, 1..2, 2..4]);
        assert_eq!(split(&[20], 10, 8), [0..1]);
    }

    #[test]
    fn many_topics_of_many_partitions_stay_under_the_controller_bound() {
        // 1,000 topics of 12 partitions and 2 configs: 15 records each.
        let weights = vec![15; 1000];
        let ranges = split(&weights, TOPICS_PER_REQUEST, RECORDS_PER_REQUEST);
        assert_eq!(ranges.len(), 10);
        assert!(ranges.iter().all(|r| r.len() <= TOPICS_PER_REQUEST));
        let heavy = vec![1001; 20];
        let ranges = split(&heavy, TOPICS_PER_REQUEST, RECORDS_PER_REQUEST);
        assert!(ranges.iter().all(|r| r.len() * 1001 <= RECORDS_PER_REQUEST), "{ranges:?}");
        assert_eq!(ranges.iter().map(|r| r.len()).sum::<usize>(), 20);
    }

    #[test]
    fn bounded_work_answers_in_the_order_of_the_items_and_runs_at_most_so_many_at_once() {
        use std::sync::atomic::AtomicUsize;
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let items: Vec<u64> = (0..40).collect();
        let answers = bounded(&items, 4, |&n| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            // Later items finish first, so the order is not the order of finishing.
            std::thread::sleep(std::time::Duration::from_millis(40 - n));
            running.fetch_sub(1, Ordering::SeqCst);
            n * 2
        });
        assert_eq!(answers, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(most.load(Ordering::SeqCst) <= 4);
        assert!(most.load(Ordering::SeqCst) >= 2, "it ran side by side");
        assert_eq!(bounded(&[1, 2, 3], 1, |n| n + 1), [2, 3, 4]);
    }
}

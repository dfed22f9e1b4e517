//! Work spread over every core: the files a project names (read and parsed), its Avro schemas,
//! its ksqlDB statements, its rules.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many threads can run at once. Asked once: the answer reads the cgroup's CPU quota from
/// /proc and /sys (several system calls), and a check asks for every schema it parses.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `work` over `items` on every core, in chunks of at least `min_chunk` (below that a thread
/// costs more than it saves), with the results in the order of `items`. An item whose worker
/// failed is `None`, for the caller to do in turn.
pub(crate) fn map_on_every_core<T: Sync, R: Send>(
    items: &[T],
    min_chunk: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<Option<R>> {
    if items.len() <= min_chunk {
        return items.iter().map(|item| Some(work(item))).collect();
    }
    let chunk = items.len().div_ceil(cores()).max(min_chunk).max(1);
    if items.len() <= chunk {
        return items.iter().map(|item| Some(work(item))).collect();
    }
    let work = &work;
    let mut parts = items.chunks(chunk);
    // The calling thread takes the first part itself: one thread fewer to start, and it would
    // otherwise only wait.
    let first = parts.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let workers: Vec<_> =
            parts.map(|part| (part.len(), scope.spawn(move || part.iter().map(work).collect::<Vec<_>>()))).collect();
        let own = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| first.iter().map(work).collect::<Vec<_>>()));
        let own = (first.len(), own.map_err(|_| ()));
        std::iter::once(own)
            .chain(workers.into_iter().map(|(len, worker)| (len, worker.join().map_err(|_| ()))))
            .flat_map(|(len, done)| match done {
                Ok(results) => results.into_iter().map(Some).collect(),
                Err(()) => (0..len).map(|_| None).collect::<Vec<_>>(),
            })
            .collect()
    })
}

/// `work` over `items` on every core, each thread taking the next item when it is done with
/// one: for few items of uneven cost (the rules). The results are in the order of `items`; an
/// item whose worker failed is `None`, for the caller to do in turn.
pub(crate) fn map_each_on_every_core<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<Option<R>> {
    let threads = if items.len() <= 1 { 1 } else { cores().min(items.len()) };
    if threads <= 1 {
        return items.iter().map(|item| Some(work(item))).collect();
    }
    let next = AtomicUsize::new(0);
    // Each thread's results, with their indices in `items`.
    let take = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else { return done };
            done.push((index, work(item)));
        }
    };
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads).map(|_| scope.spawn(take)).collect();
        // The calling thread takes items too.
        let own = std::panic::catch_unwind(std::panic::AssertUnwindSafe(take)).unwrap_or_default();
        let theirs = workers.into_iter().flat_map(|worker| worker.join().unwrap_or_default());
        for (index, result) in own.into_iter().chain(theirs) {
            results[index] = Some(result);
        }
    });
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = map_on_every_core(&items, 10, |n| n * 2);
        assert_eq!(doubled, items.iter().map(|n| Some(n * 2)).collect::<Vec<_>>());
        assert!(map_on_every_core(&[] as &[u32], 10, |n| *n).is_empty());
    }

    #[test]
    fn items_taken_one_at_a_time_keep_their_order() {
        let items: Vec<u64> = (0..50).collect();
        // Uneven work, so threads take items out of order.
        let work = |&n: &u64| {
            (0..(n % 7) * 10_000).fold(n, |acc, i| acc.wrapping_add(i % 3))
                - (0..(n % 7) * 10_000).map(|i| i % 3).sum::<u64>()
        };
        let done = map_each_on_every_core(&items, work);
        assert_eq!(done, items.iter().map(|&n| Some(n)).collect::<Vec<_>>());
        assert!(map_each_on_every_core(&[] as &[u32], |n| *n).is_empty());
        assert_eq!(map_each_on_every_core(&[5u32], |n| n + 1), [Some(6)]);
    }

    #[test]
    fn items_taken_one_at_a_time_whose_worker_failed_are_none_or_done() {
        let items: Vec<u32> = (0..40).collect();
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let done = map_each_on_every_core(&items, |&n| if n == 7 { panic!("item 7") } else { n * 2 });
        std::panic::set_hook(hook);
        assert_eq!(done[7], None);
        // Others are done, or lost with the thread that failed: never wrong.
        for (n, result) in items.iter().zip(&done) {
            assert!(result.is_none() || *result == Some(n * 2), "item {n}: {result:?}");
        }
    }

    #[test]
    fn items_whose_worker_failed_are_none() {
        let items: Vec<u32> = (0..100).collect();
        // Quietly: the panics are expected.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let done = map_on_every_core(&items, 10, |&n| if n == 3 || n == 97 { panic!("item {n}") } else { n });
        std::panic::set_hook(hook);
        let threads = cores();
        let chunk = items.len().div_ceil(threads).max(10);
        for (n, result) in items.iter().zip(&done) {
            // Every item of a part that failed is `None`, every other one is done.
            let failed = [3, 97].iter().any(|bad| bad / chunk as u32 == n / chunk as u32);
            assert_eq!(result.is_none(), failed, "item {n}");
        }
    }
}

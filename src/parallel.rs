//! Work spread over every core: the files a project names (read and parsed), its Avro schemas,
//! its ksqlDB statements, its rules, the files a build writes.
//!
//! On a rayon pool: its threads live for the whole run (a check has several parallel phases, and
//! starting threads for each cost as much as some phases take, with a fresh allocator heap
//! each), an idle thread takes work from a busy one (so a thread that loses its core for a while
//! does not hold a phase up), and a panic in a worker reaches the caller, where it would have
//! happened had the work run in turn.

use rayon::prelude::*;
use std::sync::OnceLock;

/// The stack of each worker thread: as deep as the main thread's, since work that runs there on
/// one core runs here on several (the parsers bound their nesting to fit it).
const WORKER_STACK: usize = 8 << 20;

/// The pool, made on first use; `None` when the system would not start its threads, and the
/// work then runs in turn on the calling thread. Our own rather than rayon's global pool, so that
/// the library never claims a pool that whoever embeds it may want to set up.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK)
            .thread_name(|index| format!("venice-{index}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `f` on a thread of the pool while the calling thread waits: a whole check runs there,
/// so its serial parts and its parallel ones allocate from the same few threads' heaps. (With
/// the calling thread as a third, a check touched ~40% more fresh memory pages, and page faults
/// are a large part of what it costs.)
pub(crate) fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match pool() {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// `work` over `items` on every core, at least `min_chunk` items to a task (below that, handing
/// work over costs more than it saves), with the results in the order of `items`.
pub(crate) fn map_on_every_core<T: Sync, R: Send>(
    items: &[T],
    min_chunk: usize,
    work: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    match pool() {
        Some(pool) => pool.install(|| items.par_iter().with_min_len(min_chunk.max(1)).map(work).collect()),
        None => items.iter().map(work).collect(),
    }
}

/// `a` and `b` at once, on two cores when there are two, for phases that do not depend on each
/// other.
pub(crate) fn both<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    match pool() {
        Some(pool) => pool.install(|| rayon::join(a, b)),
        None => (a(), b()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = map_on_every_core(&items, 10, |n| n * 2);
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(map_on_every_core(&[] as &[u32], 10, |n| *n).is_empty());
    }

    #[test]
    fn uneven_work_keeps_the_order_of_the_items() {
        let items: Vec<u64> = (0..50).collect();
        // Uneven work, so tasks finish out of order.
        let work = |&n: &u64| {
            (0..(n % 7) * 10_000).fold(n, |acc, i| acc.wrapping_add(i % 3))
                - (0..(n % 7) * 10_000).map(|i| i % 3).sum::<u64>()
        };
        assert_eq!(map_on_every_core(&items, 1, work), items);
    }

    #[test]
    fn a_worker_that_panics_panics_the_caller() {
        let items: Vec<u32> = (0..100).collect();
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let done =
            std::panic::catch_unwind(|| map_on_every_core(&items, 1, |&n| if n == 97 { panic!("item 97") } else { n }));
        std::panic::set_hook(hook);
        let message = done.expect_err("the panic reaches the caller");
        assert_eq!(message.downcast_ref::<&str>(), Some(&"item 97"));
    }

    #[test]
    fn both_gives_both_results() {
        assert_eq!(both(|| 1 + 1, || "two"), (2, "two"));
    }
}

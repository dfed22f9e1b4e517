//! Work the front end spreads over every core: reading and parsing the files a project names.

/// `work` over `items` on every core, in chunks of at least `min_chunk` (below that a thread
/// costs more than it saves), with the results in the order of `items`. An item whose worker
/// failed is `None`, for the caller to do in turn.
pub(super) fn map_on_every_core<T: Sync, R: Send>(
    items: &[T],
    min_chunk: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<Option<R>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(min_chunk).max(1);
    if items.len() <= chunk {
        return items.iter().map(|item| Some(work(item))).collect();
    }
    let work = &work;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| (part.len(), scope.spawn(move || part.iter().map(work).collect::<Vec<_>>())))
            .collect();
        workers
            .into_iter()
            .flat_map(|(len, worker)| match worker.join() {
                Ok(results) => results.into_iter().map(Some).collect(),
                Err(_) => (0..len).map(|_| None).collect::<Vec<_>>(),
            })
            .collect()
    })
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
}

//! Topics the controller holds and the brokers do not list yet.
//!
//! A KRaft controller answers CreateTopics once the new topics are in its metadata log; each
//! broker lists a topic in Metadata only after its metadata loader has made the topic's
//! partitions (for thousands of partitions, files written and synced for seconds). An apply is
//! done when the controller has its topics, as `kafka-topics.sh --create` and the Java
//! AdminClient's `createTopics` are; whoever reads the topics next (a connector, ksqlDB, the
//! next plan) waits here for the brokers to list them.

use super::batch::TOPICS_PER_REQUEST;
use super::kafka::{Admin, Error, TopicState};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// How often the brokers are asked whether they list the topics waited for: every quarter
/// second, not with a backoff, whose 2 s steps would add up to one more to the wait.
const LISTED_EVERY: Duration = Duration::from_millis(250);

/// Which of `names` the controller holds ([`Admin::held_by_controller`]), in requests of at most
/// [`TOPICS_PER_REQUEST`] topics.
fn held(admin: &mut Admin, names: &[String]) -> Result<Vec<String>, Error> {
    let mut held = Vec::new();
    for chunk in names.chunks(TOPICS_PER_REQUEST) {
        held.extend(admin.held_by_controller(chunk)?);
    }
    Ok(held)
}

/// Asks every [`LISTED_EVERY`] whether the brokers list `names`, while `go_on` says so; the
/// connection is taken for each question only, so the client serves others in between. What the
/// brokers listed, and the names still not listed. A question that fails is asked again.
pub(crate) fn until_listed(
    kafka: &Mutex<Admin>,
    names: &[String],
    go_on: impl Fn() -> bool,
) -> (BTreeMap<String, TopicState>, Vec<String>) {
    let mut found = BTreeMap::new();
    // Only the topics not listed yet are asked about, to keep the busy broker's answers short.
    let mut pending: Vec<String> = names.to_vec();
    while !pending.is_empty() {
        if let Ok(listed) = kafka.lock().expect("not poisoned").topics(&pending) {
            pending.retain(|name| !listed.contains_key(name));
            found.extend(listed);
        }
        if pending.is_empty() || !go_on() {
            break;
        }
        std::thread::sleep(LISTED_EVERY);
    }
    (found, pending)
}

/// The topics of `names` the brokers list, and how many brokers the cluster has. Those the
/// controller holds and the brokers do not list yet are waited for, up to `wait`: a plan that
/// took them for missing would propose creating them again and drop them from the record. An
/// error names those still not listed after `wait`.
pub(crate) fn read(
    kafka: &Mutex<Admin>,
    names: &[String],
    wait: Duration,
) -> Result<(BTreeMap<String, TopicState>, u32), String> {
    let (mut topics, brokers, held) = {
        let mut admin = kafka.lock().expect("not poisoned");
        let (topics, brokers) = admin.topics_and_brokers(names).map_err(|e| e.to_string())?;
        let missing: Vec<String> = names.iter().filter(|n| !topics.contains_key(*n)).cloned().collect();
        let held =
            if missing.is_empty() { Vec::new() } else { held(&mut admin, &missing).map_err(|e| e.to_string())? };
        (topics, brokers, held)
    };
    let started = std::time::Instant::now();
    let (found, pending) = until_listed(kafka, &held, || started.elapsed() < wait);
    if let Some(first) = pending.first() {
        let more = if pending.len() > 1 { format!(" and {} more", pending.len() - 1) } else { String::new() };
        return Err(format!(
            "the Kafka controller holds topic `{first}`{more}, which the brokers have not listed after {} s \
             (a broker lists new partitions once it has made their files): try again later, or with a longer --wait",
            wait.as_secs()
        ));
    }
    topics.extend(found);
    Ok((topics, brokers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::kafka::tests::{broker, serving};
    use bytes::BytesMut;
    use kafka_protocol::messages::create_topics_response::CreatableTopicResult;
    use kafka_protocol::messages::metadata_response::{
        MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
    };
    use kafka_protocol::messages::{
        ApiKey, BrokerId, CreateTopicsRequest, CreateTopicsResponse, MetadataRequest, MetadataResponse, TopicName,
    };
    use kafka_protocol::protocol::{Encodable, Message, StrBytes};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn text(s: &str) -> StrBytes {
        StrBytes::from_string(s.to_string())
    }

    /// A one-broker cluster whose controller holds `a`, `b` and `late`: Metadata lists `a` and
    /// `b`, and `late` from the `listed_from`th Metadata on; `new` is a topic it would create.
    fn cluster(listed_from: usize) -> (Mutex<Admin>, crate::deploy::kafka::tests::Seen) {
        let metadata_asked = AtomicUsize::new(0);
        let (address, seen) = broker(move |key, version, own, body: &mut BytesMut| match key {
            ApiKey::ApiVersions => serving(&[
                (ApiKey::ApiVersions, 3),
                (ApiKey::Metadata, MetadataRequest::VERSIONS.max),
                (ApiKey::CreateTopics, CreateTopicsRequest::VERSIONS.max),
            ])
            .encode(body, version)
            .unwrap(),
            ApiKey::Metadata => {
                let asked = metadata_asked.fetch_add(1, Ordering::SeqCst) + 1;
                let mut names = vec!["a", "b"];
                if asked >= listed_from {
                    names.push("late");
                }
                let partition = MetadataResponsePartition::default().with_replica_nodes(vec![BrokerId(1)]);
                let topic = |n: &str| {
                    MetadataResponseTopic::default()
                        .with_name(Some(TopicName(text(n))))
                        .with_partitions(vec![partition.clone()])
                };
                let (host, port) = own.rsplit_once(':').unwrap();
                let broker = MetadataResponseBroker::default()
                    .with_node_id(BrokerId(1))
                    .with_host(text(host))
                    .with_port(port.parse().unwrap());
                MetadataResponse::default()
                    .with_brokers(vec![broker])
                    .with_topics(names.into_iter().map(topic).collect())
                    .encode(body, version)
                    .unwrap()
            }
            _ => {
                let result =
                    |n: &str, code| CreatableTopicResult::default().with_name(TopicName(text(n))).with_error_code(code);
                let topics = vec![result("late", 36), result("new", 0)];
                CreateTopicsResponse::default().with_topics(topics).encode(body, version).unwrap()
            }
        });
        (Mutex::new(Admin::new(vec![address], Duration::from_secs(5))), seen)
    }

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_topic_the_controller_holds_is_waited_for_until_the_brokers_list_it() {
        let (kafka, seen) = cluster(3);
        let (topics, brokers) = read(&kafka, &names(&["a", "b", "late", "new"]), Duration::from_secs(5)).unwrap();
        assert_eq!(topics.keys().collect::<Vec<_>>(), ["a", "b", "late"]);
        assert_eq!(brokers, 1);
        let keys: Vec<ApiKey> = seen.lock().unwrap().iter().map(|(key, _)| *key).collect();
        // Metadata, the controller asked about the two missing, then Metadata until `late` shows.
        assert_eq!(
            keys,
            [ApiKey::ApiVersions, ApiKey::Metadata, ApiKey::CreateTopics, ApiKey::Metadata, ApiKey::Metadata]
        );
    }

    #[test]
    fn nothing_more_is_asked_when_the_brokers_list_every_topic() {
        let (kafka, seen) = cluster(1);
        let (topics, _) = read(&kafka, &names(&["a", "b", "late"]), Duration::from_secs(5)).unwrap();
        assert_eq!(topics.len(), 3);
        let keys: Vec<ApiKey> = seen.lock().unwrap().iter().map(|(key, _)| *key).collect();
        assert_eq!(keys, [ApiKey::ApiVersions, ApiKey::Metadata]);
    }

    #[test]
    fn a_topic_still_not_listed_after_the_wait_is_an_error_naming_it() {
        let (kafka, _) = cluster(usize::MAX);
        let error = read(&kafka, &names(&["late", "new"]), Duration::from_secs(1)).unwrap_err();
        assert_eq!(
            error,
            "the Kafka controller holds topic `late`, which the brokers have not listed after 1 s (a broker lists \
             new partitions once it has made their files): try again later, or with a longer --wait"
        );
    }
}

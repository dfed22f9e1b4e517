//! Kafka's record batches (message format v2, "magic" 2), decoded and encoded by
//! `kafka-protocol`'s record codec (`RecordBatchDecoder`/`RecordBatchEncoder`: the header, the
//! CRC-32C, the varint records, keys, values, headers) with venice's pure-Rust codecs plugged
//! into its compression hooks: gzip (`flate2`); snappy, raw or in the xerial framing Java's
//! client writes (`snap`); LZ4 frames (`lz4_flex`); zstd (`ruzstd`). No C build.
//!
//! What the codec leaves to its caller is here: the walk over a Fetch answer's batches, which
//! leaves a batch cut off by the fetch's size limit for the next fetch (not an error) and moves
//! the next offset past each batch's `lastOffsetDelta` (compacted batches have gaps); LogAppendTime
//! (the batch's max timestamp for every record); control batches (transaction markers), which
//! are never records; and the batches of aborted transactions, skipped the way Java's consumer
//! skips them under read_committed (`CompletedFetch`). Anything that does not parse (a bad CRC,
//! a length past the end, a codec that fails) is an [`Error`], never a panic.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::records::{Compression, RecordBatchDecoder, RecordSet};
use std::collections::BTreeSet;
use std::io::Read;

/// One record of a batch. Keys and values are slices of the Fetch answer (or of the
/// decompressed batch), not copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) offset: i64,
    /// Milliseconds since the epoch: the producer's (CreateTime), or the broker's when the
    /// topic uses LogAppendTime.
    pub(crate) timestamp: i64,
    pub(crate) key: Option<Bytes>,
    pub(crate) value: Option<Bytes>,
    pub(crate) headers: Vec<(String, Option<Bytes>)>,
}

/// The records of a Fetch answer's partition, and where the next fetch starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Batches {
    pub(crate) records: Vec<Record>,
    /// The offset after the last whole batch (skipped ones included); `None` when the answer
    /// held no whole batch.
    pub(crate) next: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a record batch venice cannot read: {}", self.0)
    }
}

/// A decompressed batch is refused beyond this size (a garbled or hostile batch could claim
/// far more than the fetch brought).
const MAX_DECOMPRESSED: u64 = 256 * 1024 * 1024;

/// The fixed part of a batch before its records.
const HEADER: usize = 61;

/// The smallest record: length, attributes, timestamp and offset deltas, key and value lengths,
/// header count, one byte each. A batch claiming more records than its bytes can hold is refused
/// before the codec reserves room for them.
const SMALLEST_RECORD: usize = 7;

/// The fields of a batch's header the walk reads (the codec does not expose them all).
struct Header {
    base_offset: i64,
    attributes: i16,
    last_offset_delta: i32,
    max_timestamp: i64,
    producer: i64,
    count: i32,
}

impl Header {
    fn read(mut b: &[u8]) -> Header {
        let base_offset = b.get_i64();
        b.advance(4 + 4 + 1 + 4); // length, partition leader epoch, magic, crc
        let attributes = b.get_i16();
        let last_offset_delta = b.get_i32();
        b.advance(8); // base timestamp
        let max_timestamp = b.get_i64();
        let producer = b.get_i64();
        b.advance(2 + 4); // producer epoch, base sequence
        Header { base_offset, attributes, last_offset_delta, max_timestamp, producer, count: b.get_i32() }
    }
}

/// Decodes the record batches of one partition of a Fetch answer. `aborted` is the answer's
/// list of aborted transactions, `(producer id, first offset)`.
pub(crate) fn decode(bytes: &Bytes, aborted: &[(i64, i64)]) -> Result<Batches, Error> {
    let mut out = Batches::default();
    let mut aborted: Vec<(i64, i64)> = aborted.to_vec();
    aborted.sort_by_key(|&(_, first)| std::cmp::Reverse(first));
    let mut aborting: BTreeSet<i64> = BTreeSet::new();
    let mut rest = bytes.clone();
    while rest.len() >= 12 {
        let base_offset = i64::from_be_bytes(rest[..8].try_into().expect("eight bytes"));
        let length = i32::from_be_bytes(rest[8..12].try_into().expect("four bytes"));
        if length < (HEADER - 12) as i32 {
            return Err(Error(format!("a batch of {length} bytes at offset {base_offset}")));
        }
        if 12 + length as usize > rest.len() {
            // The last batch, cut off by the fetch's size limit: the next fetch brings it whole.
            break;
        }
        let mut batch = rest.split_to(12 + length as usize);
        let magic = batch[16] as i8;
        if magic != 2 {
            return Err(Error(format!("message format v{magic} at offset {base_offset} (only v2 is read)")));
        }
        let header = Header::read(&batch);
        let set = decode_batch(&mut batch, &header)?;
        let last_offset = base_offset.wrapping_add(i64::from(header.last_offset_delta));
        out.next = Some(last_offset.wrapping_add(1));

        let transactional = header.attributes & 0x10 != 0;
        let control = header.attributes & 0x20 != 0;
        // Java's consumer: the producers whose aborted transactions start at or before this
        // batch are aborting; an abort marker ends that; their transactional batches are skipped.
        if header.producer >= 0 {
            while aborted.last().is_some_and(|&(_, first)| first <= last_offset) {
                let (id, _) = aborted.pop().expect("checked");
                aborting.insert(id);
            }
        }
        if control {
            if header.producer >= 0 && is_abort_marker(&set) {
                aborting.remove(&header.producer);
            }
            continue;
        }
        if transactional && aborting.contains(&header.producer) {
            continue;
        }
        let log_append_time = header.attributes & 0x08 != 0;
        out.records.extend(set.records.into_iter().map(|r| Record {
            offset: r.offset,
            timestamp: if log_append_time { header.max_timestamp } else { r.timestamp },
            key: r.key,
            value: r.value,
            headers: r.headers.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }));
    }
    Ok(out)
}

/// One whole batch through the codec, with venice's decompression.
fn decode_batch(batch: &mut Bytes, header: &Header) -> Result<RecordSet, Error> {
    let at = header.base_offset;
    let count = header.count;
    let decompress = |records: &mut Bytes, codec: Compression| -> anyhow::Result<Bytes> {
        let records = match codec {
            Compression::None => records.clone(),
            codec => Bytes::from(decompress(codec, records).map_err(anyhow::Error::msg)?),
        };
        if count < 0 || count as usize > records.len() / SMALLEST_RECORD {
            anyhow::bail!("it claims {count} records in {} bytes", records.len());
        }
        Ok(records)
    };
    RecordBatchDecoder::decode_with_custom_compression(batch, Some(decompress))
        .map_err(|e| Error(format!("the batch at offset {at}: {e}")))
}

/// Whether a control batch's record is an ABORT marker (its key: version i16, type i16, 0 abort
/// and 1 commit).
fn is_abort_marker(set: &RecordSet) -> bool {
    let key = set.records.first().and_then(|r| r.key.as_deref()).unwrap_or_default();
    key.len() >= 4 && i16::from_be_bytes([key[2], key[3]]) == 0
}

fn decompress(codec: Compression, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let name = format!("{codec:?}").to_lowercase();
    let mut out = Vec::new();
    let read = |reader: &mut dyn Read, out: &mut Vec<u8>| -> Result<(), String> {
        reader.take(MAX_DECOMPRESSED + 1).read_to_end(out).map_err(|e| format!("{name}: {e}"))?;
        if out.len() as u64 > MAX_DECOMPRESSED {
            return Err(format!("{name}: more than {MAX_DECOMPRESSED} bytes decompressed"));
        }
        Ok(())
    };
    match codec {
        Compression::None => out.extend_from_slice(bytes),
        Compression::Gzip => read(&mut flate2::read::GzDecoder::new(bytes), &mut out)?,
        Compression::Snappy => out = snappy(bytes)?,
        Compression::Lz4 => read(&mut lz4_flex::frame::FrameDecoder::new(bytes), &mut out)?,
        Compression::Zstd => {
            let mut decoder = ruzstd::decoding::StreamingDecoder::new(bytes).map_err(|e| format!("zstd: {e}"))?;
            read(&mut decoder, &mut out)?
        }
    }
    Ok(out)
}

/// The xerial snappy framing Java's client writes: a magic header, two versions, then blocks
/// each with a big-endian length (org.xerial.snappy.SnappyOutputStream). Anything else is read
/// as one raw snappy block, as librdkafka writes it.
const XERIAL_MAGIC: &[u8] = b"\x82SNAPPY\x00";

fn snappy(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut decoder = snap::raw::Decoder::new();
    let mut raw = |block: &[u8], out: &mut Vec<u8>| -> Result<(), String> {
        let n = snap::raw::decompress_len(block).map_err(|e| format!("snappy: {e}"))?;
        if (out.len() + n) as u64 > MAX_DECOMPRESSED {
            return Err(format!("snappy: more than {MAX_DECOMPRESSED} bytes decompressed"));
        }
        let start = out.len();
        out.resize(start + n, 0);
        decoder.decompress(block, &mut out[start..]).map_err(|e| format!("snappy: {e}"))?;
        Ok(())
    };
    let mut out = Vec::new();
    if bytes.len() >= 16 && bytes.starts_with(XERIAL_MAGIC) {
        let mut at = 16;
        while at < bytes.len() {
            let header = bytes.get(at..at + 4).ok_or("snappy: a block length cut off")?;
            let n = u32::from_be_bytes(header.try_into().expect("four bytes")) as usize;
            at += 4;
            let block = at.checked_add(n).and_then(|end| bytes.get(at..end)).ok_or("snappy: a block cut off")?;
            raw(block, &mut out)?;
            at += n;
        }
    } else {
        raw(bytes, &mut out)?;
    }
    Ok(out)
}

/// Encodes batches as a producer sends them (uncompressed or with any codec): what the Produce
/// request of `deploy::kafka` carries, for the live tests and the benchmark of `venice tail`,
/// and the unit tests here.
pub mod write {
    use super::*;
    use kafka_protocol::protocol::StrBytes;
    use kafka_protocol::records::{Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType};
    use std::io::Write;

    /// A key and a value, either of them null.
    pub type KeyValue<'a> = (Option<&'a [u8]>, Option<&'a [u8]>);

    /// A record to write: key, value, headers.
    pub(crate) type Outgoing<'a> = (Option<&'a [u8]>, Option<&'a [u8]>, Vec<(&'a str, &'a [u8])>);

    /// A batch of records with consecutive offsets from `base_offset` and timestamps 10 ms
    /// apart from `base_timestamp`.
    pub struct Batch<'a> {
        pub(crate) base_offset: i64,
        pub base_timestamp: i64,
        /// Key, value, headers.
        pub(crate) records: Vec<Outgoing<'a>>,
        pub(crate) codec: Compression,
        pub(crate) producer: i64,
        pub(crate) transactional: bool,
        pub(crate) control: bool,
    }

    impl<'a> Batch<'a> {
        pub fn plain(base_offset: i64, records: &[KeyValue<'a>]) -> Batch<'a> {
            Batch {
                base_offset,
                base_timestamp: 1_700_000_000_000,
                records: records.iter().map(|&(k, v)| (k, v, Vec::new())).collect(),
                codec: Compression::None,
                producer: -1,
                transactional: false,
                control: false,
            }
        }

        fn record(&self, i: usize, (key, value, headers): &Outgoing) -> Record {
            let bytes = |b: &[u8]| Bytes::copy_from_slice(b);
            let headers = headers.iter().map(|(k, v)| (StrBytes::from_string(k.to_string()), Some(bytes(v)))).collect();
            Record {
                transactional: self.transactional,
                control: self.control,
                delete_horizon: false,
                partition_leader_epoch: 0,
                producer_id: self.producer,
                producer_epoch: 0,
                timestamp_type: TimestampType::Creation,
                offset: self.base_offset + i as i64,
                sequence: i as i32,
                timestamp: self.base_timestamp + 10 * i as i64,
                key: key.map(bytes),
                value: value.map(bytes),
                headers,
            }
        }

        pub fn encode(&self) -> Vec<u8> {
            let records: Vec<Record> = self.records.iter().enumerate().map(|(i, r)| self.record(i, r)).collect();
            let options = RecordEncodeOptions { version: 2, compression: self.codec };
            let mut out = BytesMut::new();
            RecordBatchEncoder::encode_with_custom_compression(&mut out, &records, &options, Some(compress))
                .expect("a batch venice builds encodes");
            out.to_vec()
        }
    }

    /// Compresses a batch's records with venice's codecs.
    fn compress(records: &mut BytesMut, out: &mut BytesMut, codec: Compression) -> anyhow::Result<()> {
        let compressed = match codec {
            Compression::None => records.to_vec(),
            Compression::Gzip => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(records)?;
                e.finish()?
            }
            Compression::Snappy => {
                // xerial framing, the block split in two to exercise the loop.
                let mut framed = XERIAL_MAGIC.to_vec();
                framed.extend_from_slice(&1i32.to_be_bytes());
                framed.extend_from_slice(&1i32.to_be_bytes());
                let half = records.len() / 2;
                for part in [&records[..half], &records[half..]] {
                    let block = snap::raw::Encoder::new().compress_vec(part)?;
                    framed.extend_from_slice(&(block.len() as u32).to_be_bytes());
                    framed.extend_from_slice(&block);
                }
                framed
            }
            Compression::Lz4 => {
                let mut e = lz4_flex::frame::FrameEncoder::new(Vec::new());
                e.write_all(records)?;
                e.finish()?
            }
            Compression::Zstd => {
                ruzstd::encoding::compress_to_vec(&records[..], ruzstd::encoding::CompressionLevel::Fastest)
            }
        };
        out.put_slice(&compressed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::write::Batch;
    use super::*;

    fn values(batches: &Batches) -> Vec<(i64, Option<String>)> {
        batches
            .records
            .iter()
            .map(|r| (r.offset, r.value.as_ref().map(|v| String::from_utf8_lossy(v).into_owned())))
            .collect()
    }

    const CODECS: [Compression; 5] =
        [Compression::None, Compression::Gzip, Compression::Snappy, Compression::Lz4, Compression::Zstd];

    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), to make a garbled batch's CRC
    /// right again.
    fn crc32c(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { 0x82F6_3B78 ^ (crc >> 1) } else { crc >> 1 };
            }
        }
        !crc
    }

    fn decode(bytes: &[u8], aborted: &[(i64, i64)]) -> Result<Batches, Error> {
        super::decode(&Bytes::copy_from_slice(bytes), aborted)
    }

    #[test]
    fn crc32c_matches_the_rfc_3720_vectors() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(&[0; 32]), 0x8A91_36AA);
    }

    #[test]
    fn plain_batches_decode_with_keys_values_nulls_and_headers() {
        let mut batch = Batch::plain(5, &[(Some(b"k1"), Some(b"v1")), (None, None), (Some(b""), Some(b"v3"))]);
        batch.records[0].2 = vec![("trace", b"abc")];
        let mut bytes = batch.encode();
        bytes.extend(Batch::plain(8, &[(None, Some(b"v4"))]).encode());
        let decoded = decode(&bytes, &[]).unwrap();
        assert_eq!(
            values(&decoded),
            [(5, Some("v1".into())), (6, None), (7, Some("v3".into())), (8, Some("v4".into()))]
        );
        let first = &decoded.records[0];
        assert_eq!(first.key.as_deref(), Some(&b"k1"[..]));
        assert_eq!(first.headers, [("trace".to_string(), Some(Bytes::from_static(b"abc")))]);
        assert_eq!(first.timestamp, 1_700_000_000_000);
        assert_eq!(decoded.records[1].key, None);
        assert_eq!(decoded.records[1].timestamp, 1_700_000_000_010);
        assert_eq!(decoded.records[2].key.as_deref(), Some(&b""[..]));
        assert_eq!(decoded.next, Some(9));
    }

    #[test]
    fn every_codec_decodes_to_the_same_records() {
        let records: Vec<super::write::KeyValue> =
            vec![(Some(b"a"), Some(b"first value, long enough to compress: aaaaaaaaaaaaaaaa")), (None, Some(b"2"))];
        for codec in CODECS {
            let mut batch = Batch::plain(100, &records);
            batch.codec = codec;
            let decoded = decode(&batch.encode(), &[]).unwrap_or_else(|e| panic!("codec {codec:?}: {e}"));
            assert_eq!(
                values(&decoded),
                [(100, Some("first value, long enough to compress: aaaaaaaaaaaaaaaa".into())), (101, Some("2".into()))],
                "codec {codec:?}"
            );
        }
    }

    #[test]
    fn raw_snappy_without_the_xerial_framing_decodes_too() {
        let block = snap::raw::Encoder::new().compress_vec(b"hello hello hello").unwrap();
        assert_eq!(snappy(&block).unwrap(), b"hello hello hello");
    }

    #[test]
    fn a_batch_cut_off_at_the_end_is_left_for_the_next_fetch() {
        let mut bytes = Batch::plain(0, &[(None, Some(b"one"))]).encode();
        let whole = bytes.len();
        bytes.extend(Batch::plain(1, &[(None, Some(b"two"))]).encode());
        for cut in whole..bytes.len() {
            let decoded = decode(&bytes[..cut], &[]).unwrap();
            assert_eq!(values(&decoded), [(0, Some("one".into()))], "cut at {cut}");
            assert_eq!(decoded.next, Some(1));
        }
        assert_eq!(decode(&bytes[..5], &[]).unwrap(), Batches::default());
    }

    #[test]
    fn control_batches_and_aborted_transactions_are_skipped() {
        let txn = |offset, value: &'static [u8], producer| {
            let mut b = Batch::plain(offset, &[(None, Some(value))]);
            b.producer = producer;
            b.transactional = true;
            b
        };
        let marker = |offset, kind: i16, producer| {
            let mut key = 0i16.to_be_bytes().to_vec();
            key.extend_from_slice(&kind.to_be_bytes());
            let key: &'static [u8] = Box::leak(key.into_boxed_slice());
            let mut b = Batch::plain(offset, &[(Some(key), Some(&[0, 0, 0, 0, 0, 0][..]))]);
            b.producer = producer;
            b.transactional = true;
            b.control = true;
            b
        };
        let mut bytes = Vec::new();
        bytes.extend(txn(0, b"aborted", 7).encode());
        bytes.extend(txn(1, b"committed", 8).encode());
        bytes.extend(marker(2, 0, 7).encode()); // abort of producer 7
        bytes.extend(marker(3, 1, 8).encode()); // commit of producer 8
        bytes.extend(txn(4, b"later, committed", 7).encode());
        let decoded = decode(&bytes, &[(7, 0)]).unwrap();
        assert_eq!(values(&decoded), [(1, Some("committed".into())), (4, Some("later, committed".into()))]);
        assert_eq!(decoded.next, Some(5));
        // Without the aborted list (read uncommitted) only the markers are dropped.
        assert_eq!(decode(&bytes, &[]).unwrap().records.len(), 3);
    }

    #[test]
    fn garbled_batches_are_errors_never_panics() {
        let mut batch = Batch::plain(0, &[(Some(b"key"), Some(b"value")), (None, Some(b"x"))]);
        batch.records[0].2 = vec![("h", b"v")];
        let mut encodings = vec![batch.encode()];
        for codec in &CODECS[1..] {
            batch.codec = *codec;
            encodings.push(batch.encode());
        }
        for good in &encodings {
            assert_eq!(decode(good, &[]).unwrap().records.len(), 2);
            // Every single-byte change, with the CRC made right again so the codecs and the
            // record reader see the garbage: an error, a cut-off batch, or records; never a panic.
            for i in 0..good.len() {
                for flip in [0x01u8, 0x80, 0xff] {
                    let mut bad = good.clone();
                    bad[i] ^= flip;
                    let _ = decode(&bad, &[]);
                    if i >= 21 {
                        let crc = crc32c(&bad[21..]);
                        bad[17..21].copy_from_slice(&crc.to_be_bytes());
                        let _ = decode(&bad, &[]);
                    }
                }
            }
        }
        // A changed byte after the CRC is caught by it.
        let mut bad = encodings[0].clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(decode(&bad, &[]).unwrap_err().to_string().contains("Cyclic redundancy check failed"));
        // A batch shorter than its header, a wrong magic byte.
        let mut short = encodings[0].clone();
        short[8..12].copy_from_slice(&10i32.to_be_bytes());
        assert!(decode(&short, &[]).is_err());
        let mut old = encodings[0].clone();
        old[16] = 1;
        assert_eq!(decode(&old, &[]).unwrap_err().0, "message format v1 at offset 0 (only v2 is read)");
    }

    #[test]
    fn records_that_lie_about_their_lengths_are_errors() {
        // Valid CRC, but the records section is rubbish: a length past the end, a huge count.
        for records in [vec![0x7f, 0, 0], vec![0xff, 0xff, 0xff, 0xff, 0xff, 0x01], vec![]] {
            let mut after_crc = vec![0, 0, 0, 0, 0, 0];
            after_crc.extend_from_slice(&[0; 16]); // timestamps
            after_crc.extend_from_slice(&(-1i64).to_be_bytes());
            after_crc.extend_from_slice(&[0; 6]);
            after_crc.extend_from_slice(&1000i32.to_be_bytes());
            after_crc.extend_from_slice(&records);
            let mut bytes = 0i64.to_be_bytes().to_vec();
            bytes.extend_from_slice(&((9 + after_crc.len()) as i32).to_be_bytes());
            bytes.extend_from_slice(&[0, 0, 0, 0, 2]);
            bytes.extend_from_slice(&crc32c(&after_crc).to_be_bytes());
            bytes.extend_from_slice(&after_crc);
            assert!(decode(&bytes, &[]).is_err(), "{records:?}");
        }
    }
}

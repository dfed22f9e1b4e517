//! Kafka's record batches (message format v2, "magic" 2) decoded into records, as the protocol
//! guide's "Record Batch" section lays them out (kafka.apache.org/documentation, 5.3.1):
//!
//! ```text
//! baseOffset i64, batchLength i32, partitionLeaderEpoch i32, magic i8 (2), crc u32 (CRC-32C of
//! everything after it), attributes i16, lastOffsetDelta i32, baseTimestamp i64, maxTimestamp
//! i64, producerId i64, producerEpoch i16, baseSequence i32, records: count i32, then each
//! record: length varint, attributes i8, timestampDelta varlong, offsetDelta varint, key
//! (varint length, -1 null), value (the same), headers: count varint, each a key and a value
//! ```
//!
//! Attributes: bits 0-2 the compression of the records (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd),
//! bit 3 LogAppendTime, bit 4 transactional, bit 5 control. Control batches (transaction markers)
//! are never records; batches of aborted transactions are skipped the way Java's consumer skips
//! them under read_committed (`CompletedFetch`). A Fetch answer may end with a batch cut off by
//! its size limit: that batch is left for the next fetch, not an error. Anything else that does
//! not parse (a bad CRC, a length past the end, a codec that fails) is an [`Error`], never a
//! panic.
//!
//! Codecs: gzip (`flate2`); snappy, raw or in the xerial framing Java's client writes
//! (`snap`); LZ4 frames (`lz4_flex`); zstd (`ruzstd`). All pure Rust.

use super::wire::Reader;
use std::collections::BTreeSet;
use std::io::Read;

/// One record of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) offset: i64,
    /// Milliseconds since the epoch: the producer's (CreateTime), or the broker's when the
    /// topic uses LogAppendTime.
    pub(crate) timestamp: i64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
    pub(crate) headers: Vec<(String, Option<Vec<u8>>)>,
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

impl From<super::wire::Malformed> for Error {
    fn from(m: super::wire::Malformed) -> Self {
        Error(m.0)
    }
}

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

const COMPRESSION_NAMES: [&str; 5] = ["none", "gzip", "snappy", "lz4", "zstd"];

/// Decodes the record batches of one partition of a Fetch answer. `aborted` is the answer's
/// list of aborted transactions, `(producer id, first offset)`.
pub(crate) fn decode(bytes: &[u8], aborted: &[(i64, i64)]) -> Result<Batches, Error> {
    let mut out = Batches::default();
    let mut aborted: Vec<(i64, i64)> = aborted.to_vec();
    aborted.sort_by_key(|&(_, first)| std::cmp::Reverse(first));
    let mut aborting: BTreeSet<i64> = BTreeSet::new();
    let mut at = 0;
    while bytes.len() - at >= 12 {
        let base_offset = i64::from_be_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
        let length = i32::from_be_bytes(bytes[at + 8..at + 12].try_into().expect("four bytes"));
        if length < (HEADER - 12) as i32 {
            return Err(Error(format!("a batch of {length} bytes at offset {base_offset}")));
        }
        let end = at + 12 + length as usize;
        if end > bytes.len() {
            // The last batch, cut off by the fetch's size limit: the next fetch brings it whole.
            break;
        }
        let batch = &bytes[at..end];
        at = end;
        let magic = batch[16] as i8;
        if magic != 2 {
            return Err(Error(format!("message format v{magic} at offset {base_offset} (only v2 is read)")));
        }
        let crc = u32::from_be_bytes(batch[17..21].try_into().expect("four bytes"));
        if crc32c(&batch[21..]) != crc {
            return Err(Error(format!("the batch at offset {base_offset} fails its CRC")));
        }
        let mut r = Reader { bytes: batch, at: 21 };
        let attributes = r.i16()?;
        let last_offset_delta = r.i32()?;
        let base_timestamp = r.i64()?;
        let max_timestamp = r.i64()?;
        let producer = r.i64()?;
        r.take(2 + 4)?; // producer epoch, base sequence
        let count = r.i32()?;
        let last_offset = base_offset + i64::from(last_offset_delta);
        out.next = Some(last_offset + 1);

        let transactional = attributes & 0x10 != 0;
        let control = attributes & 0x20 != 0;
        // Java's consumer: the producers whose aborted transactions start at or before this
        // batch are aborting; an abort marker ends that; their transactional batches are skipped.
        if producer >= 0 {
            while aborted.last().is_some_and(|&(_, first)| first <= last_offset) {
                let (id, _) = aborted.pop().expect("checked");
                aborting.insert(id);
            }
        }
        let records = &batch[HEADER..];
        if control {
            if producer >= 0 && is_abort_marker(records, attributes)? {
                aborting.remove(&producer);
            }
            continue;
        }
        if transactional && aborting.contains(&producer) {
            continue;
        }
        let decompressed;
        let records = match attributes & 0x07 {
            0 => records,
            codec => {
                decompressed =
                    decompress(codec, records).map_err(|e| Error(format!("the batch at offset {base_offset}: {e}")))?;
                &decompressed[..]
            }
        };
        let log_append_time = attributes & 0x08 != 0;
        let mut r = Reader { bytes: records, at: 0 };
        if count < 0 || count as usize > records.len() {
            return Err(Error(format!("the batch at offset {base_offset} claims {count} records")));
        }
        out.records.reserve(count as usize);
        for _ in 0..count {
            let mut record = read_record(&mut r, base_offset, base_timestamp)
                .map_err(|e| Error(format!("the batch at offset {base_offset}: {}", e.0)))?;
            if log_append_time {
                record.timestamp = max_timestamp;
            }
            out.records.push(record);
        }
    }
    Ok(out)
}

/// Whether a control batch's one record is an ABORT marker (its key: version i16, type i16,
/// 0 abort and 1 commit).
fn is_abort_marker(records: &[u8], attributes: i16) -> Result<bool, Error> {
    if attributes & 0x07 != 0 {
        return Ok(false);
    }
    let mut r = Reader { bytes: records, at: 0 };
    let record = read_record(&mut r, 0, 0)?;
    let key = record.key.unwrap_or_default();
    Ok(key.len() >= 4 && i16::from_be_bytes([key[2], key[3]]) == 0)
}

fn read_record(r: &mut Reader, base_offset: i64, base_timestamp: i64) -> Result<Record, Error> {
    let length = r.varint()?;
    if length < 0 {
        return Err(Error(format!("a record of {length} bytes")));
    }
    let end = r.at.checked_add(length as usize).filter(|&e| e <= r.bytes.len());
    let end = end.ok_or_else(|| Error(format!("a record of {length} bytes runs past the batch")))?;
    let mut inner = Reader { bytes: &r.bytes[..end], at: r.at };
    r.at = end;
    let r = &mut inner;
    r.take(1)?; // attributes, unused
    let timestamp = base_timestamp.wrapping_add(r.varlong()?);
    let offset = base_offset + i64::from(r.varint()?);
    let key = r.nullable_bytes()?;
    let value = r.nullable_bytes()?;
    let count = r.varint()?;
    if count < 0 || count as usize > r.bytes.len() - r.at {
        return Err(Error(format!("a record claims {count} headers")));
    }
    let mut headers = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let name = r.nullable_bytes()?.unwrap_or_default();
        let value = r.nullable_bytes()?;
        headers.push((String::from_utf8_lossy(&name).into_owned(), value));
    }
    Ok(Record { offset, timestamp, key, value, headers })
}

fn decompress(codec: i16, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let name = COMPRESSION_NAMES.get(codec as usize).copied().unwrap_or("unknown");
    let mut out = Vec::new();
    let read = |reader: &mut dyn Read, out: &mut Vec<u8>| -> Result<(), String> {
        reader.take(MAX_DECOMPRESSED + 1).read_to_end(out).map_err(|e| format!("{name}: {e}"))?;
        if out.len() as u64 > MAX_DECOMPRESSED {
            return Err(format!("{name}: more than {MAX_DECOMPRESSED} bytes decompressed"));
        }
        Ok(())
    };
    match codec {
        1 => read(&mut flate2::read::GzDecoder::new(bytes), &mut out)?,
        2 => out = snappy(bytes)?,
        3 => read(&mut lz4_flex::frame::FrameDecoder::new(bytes), &mut out)?,
        4 => {
            let mut decoder = ruzstd::decoding::StreamingDecoder::new(bytes).map_err(|e| format!("zstd: {e}"))?;
            read(&mut decoder, &mut out)?
        }
        other => return Err(format!("compression codec {other}, which Kafka does not define")),
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

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of a v2 batch.
pub(crate) fn crc32c(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 { 0x82F6_3B78 ^ (c >> 1) } else { c >> 1 };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut crc = !0u32;
    for &b in bytes {
        crc = TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

/// Encodes batches as a producer sends them (uncompressed or with any codec): what the Produce
/// request of `deploy::kafka` carries, for the live tests and the benchmark of `venice tail`,
/// and the unit tests here.
pub mod write {
    use super::*;
    use std::io::Write;

    fn zigzag(out: &mut Vec<u8>, v: i64) {
        let mut z = ((v << 1) ^ (v >> 63)) as u64;
        loop {
            let byte = (z & 0x7f) as u8;
            z >>= 7;
            if z == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn bytes(out: &mut Vec<u8>, b: Option<&[u8]>) {
        match b {
            None => zigzag(out, -1),
            Some(b) => {
                zigzag(out, b.len() as i64);
                out.extend_from_slice(b);
            }
        }
    }

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
        pub(crate) codec: i16,
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
                codec: 0,
                producer: -1,
                transactional: false,
                control: false,
            }
        }

        pub fn encode(&self) -> Vec<u8> {
            let mut records = Vec::new();
            for (i, (key, value, headers)) in self.records.iter().enumerate() {
                let mut r = vec![0u8];
                zigzag(&mut r, i as i64 * 10); // timestamp delta
                zigzag(&mut r, i as i64); // offset delta
                bytes(&mut r, *key);
                bytes(&mut r, *value);
                zigzag(&mut r, headers.len() as i64);
                for (k, v) in headers {
                    bytes(&mut r, Some(k.as_bytes()));
                    bytes(&mut r, Some(v));
                }
                zigzag(&mut records, r.len() as i64);
                records.extend_from_slice(&r);
            }
            let records = match self.codec {
                0 => records,
                1 => {
                    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                    e.write_all(&records).expect("writes to memory");
                    e.finish().expect("writes to memory")
                }
                2 => {
                    // xerial framing, the block split in two to exercise the loop.
                    let mut out = XERIAL_MAGIC.to_vec();
                    out.extend_from_slice(&1i32.to_be_bytes());
                    out.extend_from_slice(&1i32.to_be_bytes());
                    let half = records.len() / 2;
                    for part in [&records[..half], &records[half..]] {
                        let block = snap::raw::Encoder::new().compress_vec(part).expect("a block under 4 GiB");
                        out.extend_from_slice(&(block.len() as u32).to_be_bytes());
                        out.extend_from_slice(&block);
                    }
                    out
                }
                3 => {
                    let mut e = lz4_flex::frame::FrameEncoder::new(Vec::new());
                    e.write_all(&records).expect("writes to memory");
                    e.finish().expect("writes to memory")
                }
                4 => ruzstd::encoding::compress_to_vec(&records[..], ruzstd::encoding::CompressionLevel::Fastest),
                _ => records,
            };
            let n = self.records.len() as i32;
            let mut after_crc = Vec::new();
            let attributes =
                self.codec | if self.transactional { 0x10 } else { 0 } | if self.control { 0x20 } else { 0 };
            after_crc.extend_from_slice(&attributes.to_be_bytes());
            after_crc.extend_from_slice(&(n - 1).max(0).to_be_bytes());
            after_crc.extend_from_slice(&self.base_timestamp.to_be_bytes());
            after_crc.extend_from_slice(&(self.base_timestamp + 10 * i64::from(n)).to_be_bytes());
            after_crc.extend_from_slice(&self.producer.to_be_bytes());
            after_crc.extend_from_slice(&0i16.to_be_bytes());
            after_crc.extend_from_slice(&0i32.to_be_bytes());
            after_crc.extend_from_slice(&n.to_be_bytes());
            after_crc.extend_from_slice(&records);
            let mut out = self.base_offset.to_be_bytes().to_vec();
            out.extend_from_slice(&((4 + 1 + 4 + after_crc.len()) as i32).to_be_bytes());
            out.extend_from_slice(&0i32.to_be_bytes()); // partition leader epoch
            out.push(2);
            out.extend_from_slice(&crc32c(&after_crc).to_be_bytes());
            out.extend_from_slice(&after_crc);
            out
        }
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

    #[test]
    fn crc32c_matches_the_rfc_3720_vectors() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(&[0; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xff; 32]), 0x62A8_AB43);
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
        assert_eq!(first.headers, [("trace".to_string(), Some(b"abc".to_vec()))]);
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
        for codec in 0..=4 {
            let mut batch = Batch::plain(100, &records);
            batch.codec = codec;
            let decoded = decode(&batch.encode(), &[]).unwrap_or_else(|e| panic!("codec {codec}: {e}"));
            assert_eq!(
                values(&decoded),
                [(100, Some("first value, long enough to compress: aaaaaaaaaaaaaaaa".into())), (101, Some("2".into()))],
                "codec {codec}"
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
        for codec in 1..=4 {
            batch.codec = codec;
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
        assert!(decode(&bad, &[]).unwrap_err().to_string().contains("fails its CRC"));
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

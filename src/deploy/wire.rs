//! Bounds-checked reading of Kafka's wire encodings: the protocol's big-endian integers, strings
//! and arrays (the answers `kafka` reads) and the record format's zigzag varints (the batches
//! `records` decodes). Every read checks what is left, so short or garbled bytes are an error,
//! never a panic or a huge allocation.

/// Bytes that do not hold what was to be read: why, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed(pub String);

pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| Malformed(format!("the bytes end early (at byte {})", self.at)))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    pub(crate) fn i8(&mut self) -> Result<i8, Malformed> {
        Ok(self.take(1)?[0] as i8)
    }

    pub(crate) fn i16(&mut self) -> Result<i16, Malformed> {
        Ok(i16::from_be_bytes(self.take(2)?.try_into().expect("two bytes")))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, Malformed> {
        Ok(i32::from_be_bytes(self.take(4)?.try_into().expect("four bytes")))
    }

    pub(crate) fn i64(&mut self) -> Result<i64, Malformed> {
        Ok(i64::from_be_bytes(self.take(8)?.try_into().expect("eight bytes")))
    }

    pub(crate) fn bool(&mut self) -> Result<bool, Malformed> {
        Ok(self.take(1)?[0] != 0)
    }

    /// Nullable bytes with an `i32` length (a Fetch answer's records); null is empty.
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], Malformed> {
        let n = self.i32()?;
        if n < 0 {
            return Ok(&[]);
        }
        self.take(n as usize)
    }

    pub(crate) fn nullable_string(&mut self) -> Result<Option<String>, Malformed> {
        let n = self.i16()?;
        if n < 0 {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(self.take(n as usize)?).into_owned()))
    }

    pub(crate) fn string(&mut self) -> Result<String, Malformed> {
        Ok(self.nullable_string()?.unwrap_or_default())
    }

    /// An array's length; a null array (-1) is empty. Bounded by what is left, so a garbled
    /// length cannot make the reader allocate or loop for long.
    pub(crate) fn array(&mut self) -> Result<usize, Malformed> {
        let n = self.i32()?;
        if n < 0 {
            return Ok(0);
        }
        let n = n as usize;
        let left = self.bytes.len() - self.at;
        if n > left {
            return Err(Malformed(format!("an array of {n} items in {left} bytes")));
        }
        Ok(n)
    }

    /// An unsigned LEB128 of at most `max` bytes, then zigzag-decoded.
    fn zigzag(&mut self, max: u32) -> Result<i64, Malformed> {
        let mut value: u64 = 0;
        for i in 0..max {
            let byte = self.take(1)?[0];
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok((value >> 1) as i64 ^ -((value & 1) as i64));
            }
        }
        Err(Malformed(format!("a varint longer than {max} bytes")))
    }

    pub(crate) fn varint(&mut self) -> Result<i32, Malformed> {
        let v = self.zigzag(5)?;
        i32::try_from(v).map_err(|_| Malformed(format!("a varint out of range: {v}")))
    }

    pub(crate) fn varlong(&mut self) -> Result<i64, Malformed> {
        self.zigzag(10)
    }

    /// Bytes with a varint length (a record's key, value or header value); -1 is null.
    pub(crate) fn nullable_bytes(&mut self) -> Result<Option<Vec<u8>>, Malformed> {
        let n = self.varint()?;
        if n < 0 {
            return Ok(None);
        }
        Ok(Some(self.take(n as usize)?.to_vec()))
    }
}
